"""The `twin plan` subcommands of this part of planning (see twin.plans.command): publish,
rollback, activate, history."""

from __future__ import annotations

import argparse
import getpass
from datetime import date
from typing import Any

from twin.activity import Clock
from twin.settings import Settings


def add_commands(plans: argparse._SubParsersAction) -> None:
    """Add this part's subcommands."""
    pub = plans.add_parser("publish", help="put an approved plan in force from a date")
    pub.add_argument("name")
    pub.add_argument(
        "--effective", required=True, metavar="DATE", help="YYYY-MM-DD or today (local date)"
    )
    _who(pub)
    pub.set_defaults(func=cmd_publish)
    back = plans.add_parser("rollback", help="restore an earlier version by a published plan")
    back.add_argument("name", nargs="?", help="a published plan: restore the map before it")
    back.add_argument("--to", type=int, metavar="VERSION", help="the version to restore")
    _who(back)
    back.set_defaults(func=cmd_rollback)
    act = plans.add_parser("activate", help="put in force the scheduled plans whose date came")
    act.set_defaults(func=cmd_activate)
    hist = plans.add_parser("history", help="the versions of the grid map, or one unit's")
    hist.add_argument("--unit", metavar="CODE", help="one unit's states instead")
    hist.set_defaults(func=cmd_history)


def _who(p: argparse.ArgumentParser) -> None:
    p.add_argument("--comment", default="", help="why, kept with the plan's events")
    p.add_argument("--actor", help="who does it (default: the login name)")


def _clock(settings: Settings) -> Clock:
    return Clock.current(settings.timezone)


def effective_date(text: str, clock: Clock) -> date:
    """--effective: an ISO date or 'today' (the local date of the clock)."""
    if text.strip().lower() == "today":
        return clock.local.date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--effective {text!r}: give a date as YYYY-MM-DD, or today") from None


def cmd_publish(args: argparse.Namespace, settings: Settings) -> int:
    """Publish now, or schedule for the date's local midnight."""
    from twin.cli import _ready_url
    from twin.db.connect import connect
    from twin.plans.publish import publish
    from twin.spatial.assign_memory import prepare_unit_index

    clock = _clock(settings)
    day = effective_date(args.effective, clock)
    with connect(_ready_url(settings), autocommit=True) as conn:
        done = publish(conn, args.name, day, args.actor or getpass.getuser(), clock, args.comment)
        prepare_unit_index(conn)  # the next twin load finds the index of the new map ready
    print(_said(done, settings))
    return 0


def cmd_rollback(args: argparse.Namespace, settings: Settings) -> int:
    """Restore a version: the one before a named plan's, or --to VERSION."""
    from twin.cli import _ready_url
    from twin.db.connect import connect
    from twin.plans.publish import rollback, version_before
    from twin.spatial.assign_memory import prepare_unit_index

    if (args.name is None) == (args.to is None):
        raise ValueError("twin plan rollback: give a published plan's NAME or --to VERSION")
    clock = _clock(settings)
    with connect(_ready_url(settings), autocommit=True) as conn:
        version = args.to if args.to is not None else version_before(conn, args.name)
        done = rollback(conn, version, args.actor or getpass.getuser(), clock, None, args.comment)
        prepare_unit_index(conn)
    print(f"rolled back to version {version}: " + _said(done, settings))
    return 0


def cmd_activate(_: argparse.Namespace, settings: Settings) -> int:
    """Publish the scheduled plans whose date has come (for cron; safe to repeat)."""
    from twin.cli import _ready_url
    from twin.db.connect import connect
    from twin.plans.publish import activate

    with connect(_ready_url(settings), autocommit=True) as conn:
        names = activate(conn, _clock(settings))
    print("published: " + ", ".join(names) if names else "no scheduled plan is due")
    return 0


def cmd_history(args: argparse.Namespace, settings: Settings) -> int:
    """Print the versions, newest first, or one unit's states, oldest first."""
    from twin.cli import _ready_url
    from twin.db.connect import connect
    from twin.plans.versions import list_versions, unit_history

    with connect(_ready_url(settings), autocommit=True) as conn:
        if args.unit:
            rows = unit_history(conn, args.unit)
            if not rows:
                raise ValueError(f"--unit {args.unit!r}: no unit with that code was ever recorded")
            lines = [_unit_line(r, settings) for r in rows]
        else:
            lines = [_version_line(v, settings) for v in list_versions(conn)]
    print("\n".join(lines))
    return 0


def _local(moment: Any, settings: Settings) -> str:
    from zoneinfo import ZoneInfo

    return str(moment.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M"))


def _said(done: dict[str, Any], settings: Settings) -> str:
    when = _local(done["effective_at"], settings)
    if done["state"] == "scheduled":
        return f"plan {done['plan']} scheduled: in force from {when} ({settings.timezone})"
    if done["version"] is None:
        return f"plan {done['plan']} published: it changed nothing in the map"
    return (
        f"plan {done['plan']} published as version {done['version']}, in force from {when}: "
        f"{len(done['inserted'])} added, {len(done['updated'])} changed, "
        f"{len(done['removed'])} removed in {done['seconds']:.2f} s"
    )


def _version_line(v: dict[str, Any], settings: Settings) -> str:
    by = f" {v['plan_name']}" if v["plan_name"] else ""
    note = f" ({v['note']})" if v["note"] else ""
    return (
        f"version {v['version']}: {v['kind']}{by}, in force from "
        f"{_local(v['effective_at'], settings)}: {v['added']} added, {v['changed']} changed, "
        f"{v['removed']} removed{note}"
    )


def _unit_line(r: dict[str, Any], settings: Settings) -> str:
    until = f" until {_local(r['effective_to'], settings)}" if r["effective_to"] else ""
    first, last = r["version_from"], (r["version_to"] or 0) - 1
    span = (
        f"versions {first}–now"
        if r["version_to"] is None
        else (f"version {first}" if last == first else f"versions {first}–{last}")
    )
    line = (
        f"{span}: "
        f"{', '.join(r['changes'])} ({r['kind']}{' ' + r['plan_name'] if r['plan_name'] else ''})"
        f", from {_local(r['effective_from'], settings)}{until}; {r['level']} "
        f"{r['name']}, parent {r['parent_code'] or '-'}, {r['area_m2']:,.0f} m²"
    )
    if r.get("removed_in"):
        line += f"; removed in version {r['removed_in']}, area taken by " + (
            ", ".join(r["taken_by"]) or "no unit"
        )
    return line
