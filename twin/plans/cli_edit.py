"""The `twin plan` subcommands of drafting (see twin.plans.command): new, list, review, edits."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import shapely
from shapely.geometry.base import BaseGeometry

from twin.activity import Clock
from twin.plans import edits, store
from twin.plans.model import EditResult
from twin.plans.store import PlanError
from twin.settings import Settings

REVIEW = {"submit": "submitted", "approve": "approved", "reject": "rejected"}
Edit = Callable[[psycopg.Connection, argparse.Namespace, str, int, Clock], EditResult]


def add_commands(plans: argparse._SubParsersAction) -> None:
    """Add this part's subcommands."""
    new = plans.add_parser("new", help="start a draft plan over the city or one unit's subtree")
    new.add_argument("name")
    new.add_argument("--scope", metavar="CODE", help="only this unit's subtree (default: city)")
    new.add_argument("--actor", help="who does it (default: the login name)")
    new.set_defaults(func=cmd_new)
    plans.add_parser("list", help="every plan with its state").set_defaults(func=cmd_list)
    for word in REVIEW:
        review = plans.add_parser(word, help=f"{word} a plan")
        review.add_argument("name")
        review.add_argument("--comment", default="", help="why, kept with the plan's events")
        review.add_argument("--actor", help="who does it (default: the login name)")
        review.set_defaults(func=cmd_review, to_state=REVIEW[word])
    _edit_commands(plans)


def _edit(plans: argparse._SubParsersAction, word: str, text: str, run: Edit) -> Any:
    """An edit subcommand: NAME first, then its own arguments, then the common options."""
    p = plans.add_parser(word, help=text)
    p.add_argument("name")
    p.add_argument("--revision", type=int, help="the plan revision edited (default: the latest)")
    p.add_argument("--actor", help="who does it (default: the login name)")
    p.set_defaults(func=cmd_edit, run=run)
    return p


def _edit_commands(plans: argparse._SubParsersAction) -> None:
    """The edit operations."""
    p = _edit(plans, "reshape", "give a unit a new outline", _reshape)
    p.add_argument("code")
    _shape_option(p, "--geom", "the new outline")
    p = _edit(plans, "split", "cut a unit along a line", _split)
    p.add_argument("code")
    _shape_option(p, "--line", "the line to cut along")
    p.add_argument("--codes", nargs="+", metavar="CODE", help="codes of the new pieces")
    p = _edit(plans, "merge", "merge neighbouring units into one", _merge)
    p.add_argument("codes", nargs="+", metavar="CODE")
    p.add_argument("--into", metavar="CODE", help="the code kept (default: the first)")
    p = _edit(plans, "move", "transfer an area from a unit to its neighbour", _move)
    p.add_argument("from_code", metavar="FROM")
    p.add_argument("to_code", metavar="TO")
    _shape_option(p, "--area", "the area to transfer")
    p = _edit(plans, "add", "add a unit", _add)
    p.add_argument("code")
    p.add_argument("--unit-name", required=True, help="the new unit's name")
    p.add_argument("--level", required=True, help="the new unit's level")
    p.add_argument("--parent", metavar="CODE", help="its parent (none: a top-level unit)")
    p.add_argument("--officer")
    p.add_argument("--population", type=int)
    p.add_argument("--households", type=int)
    _shape_option(p, "--geom", "the outline")
    p = _edit(plans, "delete", "remove a unit", _delete)
    p.add_argument("code")
    p = _edit(plans, "set", "change a unit's attributes", _set)
    p.add_argument("code")
    p.add_argument("changes", nargs="+", metavar="FIELD=VALUE", help=", ".join(edits.ATTRIBUTES))
    p = _edit(
        plans, "drop", "take units' changes out of the plan (back to the map in force)", _drop
    )
    p.add_argument("codes", nargs="+", metavar="CODE")
    _edit(plans, "undo", "take back the plan's latest edit", _undo)
    _edit(plans, "redo", "make again the edit undone first", _redo)


def _shape_option(p: argparse.ArgumentParser, flag: str, what: str) -> None:
    """A geometry in lon/lat: WKT or GeoJSON text, or @FILE holding either."""
    p.add_argument(flag, required=True, metavar="WKT|GEOJSON|@FILE", help=f"{what}, in lon/lat")
    if not any(a.dest == "snap" for a in p._actions):
        p.add_argument(
            "--snap",
            type=float,
            metavar="M",
            help="snap tolerance in metres (default: plans.toml's snap_m)",
        )


def parse_shape(text: str, flag: str) -> BaseGeometry:
    """A geometry from WKT or GeoJSON text (or @FILE); ValueError naming the option."""
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text("utf-8")
        except OSError as exc:
            raise ValueError(f"{flag}: cannot read {text[1:]}: {exc.strerror}") from None
    try:
        shape = json.loads(text) if text.lstrip().startswith("{") else None
        if isinstance(shape, dict) and shape.get("type") == "Feature":
            shape = shape.get("geometry")
        return shapely.from_geojson(json.dumps(shape)) if shape else shapely.from_wkt(text)
    except (ValueError, shapely.errors.ShapelyError) as exc:
        raise ValueError(f"{flag}: not a WKT or GeoJSON geometry ({exc})") from None


def _actor(args: argparse.Namespace) -> str:
    return str(args.actor or getpass.getuser())


def _connect(settings: Settings) -> psycopg.Connection:
    from twin.cli import _ready_url
    from twin.db.connect import connect

    return connect(_ready_url(settings), autocommit=True)


def cmd_new(args: argparse.Namespace, settings: Settings) -> int:
    """Create a draft plan."""
    with _connect(settings) as conn:
        plan = store.new_plan(conn, args.name, args.scope, _actor(args), _clock(settings))
    over = f"the subtree of {plan.scope}" if plan.scope else "the whole city"
    print(f"plan {plan.name}: draft over {over}, based on version {plan.base_version}")
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    """Print every plan, one a line."""
    with _connect(settings) as conn:
        plans = store.list_plans(conn)
    if not plans:
        print("no plans (start one with `twin plan new NAME`)")
    for p in plans:
        print(
            f"{p['name']}\t{p['state']}\t{p['scope'] or 'city'}\tversion {p['base_version']}"
            f"\trevision {p['revision']}\t{p['changed']} unit(s)\t{p['author']}"
        )
    return 0


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    """Submit, approve or reject a plan."""
    with _connect(settings) as conn:
        plan = store.set_state(
            conn,
            store.get_plan(conn, args.name),
            args.to_state,
            _actor(args),
            args.comment,
            _clock(settings),
        )
    print(f"plan {plan.name}: {plan.state}")
    return 0


def cmd_edit(args: argparse.Namespace, settings: Settings) -> int:
    """Run one edit on the plan and print what it changed and found."""
    with _connect(settings) as conn:
        plan = store.get_plan(conn, args.name)
        revision = plan.revision if args.revision is None else args.revision
        result = args.run(conn, args, _actor(args), revision, _clock(settings))
    print(f"plan {args.name}: revision {result.revision}, changed {', '.join(result.changed)}")
    for problem in result.problems:
        print(f"  {problem.kind}: {', '.join(problem.codes)} ({problem.area_m2:.1f} m²)")
    return 0


def _clock(settings: Settings) -> Clock:
    return Clock.current(settings.timezone)


def _reshape(
    conn: psycopg.Connection, a: argparse.Namespace, who: str, rev: int, c: Clock
) -> EditResult:
    shape = parse_shape(a.geom, "--geom")
    return edits.replace_geometry(conn, a.name, a.code, shape, who, rev, c, a.snap)


def _split(
    conn: psycopg.Connection, a: argparse.Namespace, who: str, rev: int, c: Clock
) -> EditResult:
    line = parse_shape(a.line, "--line")
    return edits.split(conn, a.name, a.code, line, who, rev, c, a.codes, a.snap)


def _merge(
    conn: psycopg.Connection, a: argparse.Namespace, who: str, rev: int, c: Clock
) -> EditResult:
    return edits.merge(conn, a.name, a.codes, who, rev, c, a.into)


def _move(
    conn: psycopg.Connection, a: argparse.Namespace, who: str, rev: int, c: Clock
) -> EditResult:
    area = parse_shape(a.area, "--area")
    return edits.move_boundary(conn, a.name, a.from_code, a.to_code, area, who, rev, c, a.snap)


def _add(
    conn: psycopg.Connection, a: argparse.Namespace, who: str, rev: int, c: Clock
) -> EditResult:
    shape = parse_shape(a.geom, "--geom")
    return edits.add_unit(
        conn,
        a.name,
        a.code,
        a.unit_name,
        a.level,
        a.parent,
        shape,
        who,
        rev,
        c,
        a.officer,
        a.population,
        a.households,
        a.snap,
    )


def _delete(
    conn: psycopg.Connection, a: argparse.Namespace, who: str, rev: int, c: Clock
) -> EditResult:
    return edits.delete_unit(conn, a.name, a.code, who, rev, c)


def _set(
    conn: psycopg.Connection, a: argparse.Namespace, who: str, rev: int, c: Clock
) -> EditResult:
    return edits.set_attributes(conn, a.name, a.code, parse_changes(a.changes), who, rev, c)


def _drop(
    conn: psycopg.Connection, a: argparse.Namespace, who: str, rev: int, c: Clock
) -> EditResult:
    from twin.plans.drop import drop_units

    return drop_units(conn, a.name, a.codes, who, rev, c)


def _undo(
    conn: psycopg.Connection, a: argparse.Namespace, who: str, rev: int, c: Clock
) -> EditResult:
    return edits.undo(conn, a.name, who, rev, c)


def _redo(
    conn: psycopg.Connection, a: argparse.Namespace, who: str, rev: int, c: Clock
) -> EditResult:
    return edits.redo(conn, a.name, who, rev, c)


def parse_changes(pairs: list[str]) -> dict[str, Any]:
    """FIELD=VALUE pairs: counts as whole numbers, an empty value as none."""
    changes: dict[str, Any] = {}
    for pair in pairs:
        field, sep, value = pair.partition("=")
        if not sep:
            raise PlanError(f"{pair!r}: give FIELD=VALUE (fields: {', '.join(edits.ATTRIBUTES)})")
        if field in ("population", "households") and value:
            try:
                changes[field] = int(value)
            except ValueError:
                raise PlanError(f"{field}={value!r}: a whole number is needed") from None
        else:
            changes[field] = value or None
    return changes
