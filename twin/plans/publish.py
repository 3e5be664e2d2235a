"""Publishing an approved plan as the map in force from a date, activating scheduled ones,
and rolling back to an earlier version (a plan that restores it, published)."""

from __future__ import annotations

import time
from datetime import date, datetime
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from twin.activity import Clock
from twin.db.queries import query
from twin.plans import store
from twin.plans.apply import Applied, ChangeError, apply_changes
from twin.plans.model import UnitState
from twin.plans.store import Plan, PlanError
from twin.plans.versions import (
    check_version,
    current_version,
    record_version,
    units_of_version,
)
from twin.spatial.assign_memory import prepare_unit_index

__all__ = ["ChangeError", "activate", "apply_changes", "publish", "rollback", "start_of"]


def start_of(day: date, tz: str) -> datetime:
    """Local midnight at the start of a date: when a plan effective that day takes effect."""
    return datetime.combine(day, clock_time(), ZoneInfo(tz))


def publish(
    conn: psycopg.Connection,
    name: str,
    effective: date,
    actor: str,
    clock: Clock,
    comment: str = "",
) -> dict[str, Any]:
    """Publish an approved plan: in force at once when its date is today or past, else
    scheduled for local midnight of that date (see activate). All or nothing."""
    start = start_of(effective, clock.tz)
    with conn.transaction():
        plan = store.lock_plan(conn, name)
        if plan.state != "approved":
            raise PlanError(
                f"plan {name!r} is {plan.state}: only an approved plan can be published"
            )
        if start > clock.now:
            store.set_state(
                conn,
                plan,
                "scheduled",
                actor,
                comment or f"to take effect on {effective.isoformat()}",
                clock,
                effective_date=effective,
            )
            return {"plan": name, "state": "scheduled", "effective_at": start, "version": None}
        # A version takes effect no earlier than the one it follows (record_version): a
        # plan effective today after a load this morning takes effect now; one dated
        # before the day the map in force took effect is refused.
        newest = _newest_effective(conn).astimezone(ZoneInfo(clock.tz)).date()
        if effective < newest:
            raise PlanError(
                f"plan {name!r} cannot take effect on {effective.isoformat()}: version "
                f"{current_version(conn)}, in force now, took effect on {newest.isoformat()}"
            )
        return _put_in_force(conn, plan, start, effective, actor, clock, "plan", comment)


def activate(conn: psycopg.Connection, clock: Clock) -> list[str]:
    """Put in force every scheduled plan whose date has come (local midnight passed), in
    order of date; the names published. Safe to run again and from several places."""
    published = []
    for name, effective in conn.execute(query("plan_scheduled")).fetchall():
        start = start_of(effective, clock.tz)
        if start > clock.now:
            break  # ordered by date: the rest are later still
        with conn.transaction():
            plan = store.lock_plan(conn, name)
            if plan.state != "scheduled":
                continue  # another runner got there first
            _put_in_force(conn, plan, start, effective, "scheduler", clock, "plan", "")
        published.append(name)
    if published:
        prepare_unit_index(conn)
    return published


def rollback(
    conn: psycopg.Connection,
    to_version: int,
    actor: str,
    clock: Clock,
    name: str | None = None,
    comment: str = "",
) -> dict[str, Any]:
    """Restore an earlier version as the map in force now: a plan whose changes give back
    that version's units, approved and published at once (kind 'rollback')."""
    check_version(conn, to_version)
    now_version = current_version(conn)
    if to_version == now_version:
        raise PlanError(f"version {to_version} is the map in force: nothing to roll back")
    upserts, removals = restoring_changes(conn, to_version, now_version)
    name = name or _free_name(conn, f"rollback-to-{to_version}")
    said = comment or f"roll back to version {to_version}"
    with conn.transaction():
        plan = store.new_plan(conn, name, None, actor, clock)
        if not upserts and not removals:
            raise PlanError(f"version {to_version} has the same units as the map in force")
        store.write_changes(
            conn, plan, upserts, removals, actor, plan.revision, action="rollback", clock=clock
        )
        plan = store.set_state(conn, store.get_plan(conn, name), "submitted", actor, said, clock)
        plan = store.set_state(conn, plan, "approved", actor, said, clock)
        today = clock.local.date()
        return _put_in_force(conn, plan, clock.now, today, actor, clock, "rollback", said)


def version_before(conn: psycopg.Connection, name: str) -> int:
    """The version in force before the named plan was published (what undoing it restores)."""
    row = conn.execute(query("version_of_plan"), {"name": name}).fetchone()
    if row is None or row[0] is None:
        state = store.get_plan(conn, name).state  # names a plan that does not exist
        raise PlanError(f"plan {name!r} is {state}: only a published plan can be rolled back")
    return int(row[0]) - 1


def restoring_changes(
    conn: psycopg.Connection, to_version: int, from_version: int
) -> tuple[list[UnitState], list[str]]:
    """The upserts and removals that turn one version's map into another's."""
    target = {u.code: u for u in units_of_version(conn, to_version)}
    now = {u.code: u for u in units_of_version(conn, from_version)}
    upserts = [u for c, u in target.items() if c not in now or not store.same_unit(now[c], u)]
    return upserts, sorted(set(now) - set(target))


def _put_in_force(
    conn: psycopg.Connection,
    plan: Plan,
    start: datetime,
    effective: date,
    actor: str,
    clock: Clock,
    kind: str,
    comment: str,
) -> dict[str, Any]:
    """Rebase the plan if the map moved on (refused naming clashing units), write its
    changes into the grid, record the version and mark the plan published."""
    began = time.perf_counter()
    if plan.base_version != current_version(conn):
        plan = store.rebase(conn, plan)
    upserts, removals = store.plan_changes(conn, plan)
    applied: Applied = apply_changes(conn, upserts, removals)
    codes = [u.code for u in upserts] + list(removals)
    version = record_version(
        conn, kind, effective_at=start, plan_name=plan.name, note=comment, codes=codes
    )
    store.set_state(
        conn,
        plan,
        "published",
        actor,
        comment or f"in force from version {version}",
        clock,
        effective_date=effective,
    )
    return {
        "plan": plan.name,
        "state": "published",
        "version": version,
        "effective_at": start,
        "inserted": list(applied.inserted),
        "updated": list(applied.updated),
        "removed": list(applied.removed),
        "seconds": time.perf_counter() - began,
    }


def _newest_effective(conn: psycopg.Connection) -> datetime:
    row = conn.execute(query("version_current")).fetchone()
    assert row is not None and row[1] is not None
    return row[1]


def _free_name(conn: psycopg.Connection, stem: str) -> str:
    """stem, or stem-2, stem-3, … whichever no plan has."""
    taken = {p["name"] for p in store.list_plans(conn)}
    n, name = 1, stem
    while name in taken:
        n += 1
        name = f"{stem}-{n}"
    return name
