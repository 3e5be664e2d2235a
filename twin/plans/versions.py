"""Versions of the grid map: which one is in force when, each one read back whole, each
unit's history. The grid table is the version in force now; grid_history keeps the rest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row

from twin.db.queries import query
from twin.plans.model import UnitState
from twin.plans.records import unit_from_row

KINDS = ("initial", "load", "plan", "rollback")
LOCK_KEY = 7_420_013  # advisory lock: one writer of versions at a time


class VersionError(ValueError):
    """A version that does not exist, or a moment no version covers."""


def current_version(conn: psycopg.Connection) -> int:
    """The newest version: the map in force now."""
    row = conn.execute(query("version_current")).fetchone()
    assert row is not None
    return int(row[0])


def version_at(conn: psycopg.Connection, when: datetime) -> int:
    """The version in force at a moment (timezone-aware)."""
    if when.tzinfo is None:
        raise VersionError(f"{when.isoformat()}: give a time with its zone")
    row = conn.execute(query("version_at"), {"when": when}).fetchone()
    if row is None or row[0] is None:
        raise VersionError("no version of the grid map is recorded")
    return int(row[0])


def check_version(conn: psycopg.Connection, version: int) -> None:
    """Refuse a version number that was never recorded, naming the ones that were."""
    newest = current_version(conn)
    if not 1 <= version <= newest:
        raise VersionError(f"no version {version} of the grid map: versions run 1 to {newest}")


def units_of_version(
    conn: psycopg.Connection, version: int, level: str | None = None
) -> list[UnitState]:
    """Every unit of a version (of one level, or all), as it was then, by code."""
    check_version(conn, version)
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query("version_units"), {"version": version, "level": level}).fetchall()
    return [unit_from_row(r) for r in rows]


def units_as_of(
    conn: psycopg.Connection, when: datetime, level: str | None = None
) -> list[UnitState]:
    """Every unit of the version in force at a moment."""
    return units_of_version(conn, version_at(conn, when), level)


def record_version(
    conn: psycopg.Connection,
    kind: str,
    *,
    effective_at: datetime | None,
    plan_name: str | None = None,
    note: str = "",
    codes: Sequence[str] | None = None,
) -> int | None:
    """Record the grid table as a new version if it differs from the newest (None when
    nothing changed). effective_at None is now; a version never takes effect before the one
    it follows. codes: only these units can have changed (a publish knows which)."""
    if kind not in KINDS:
        raise VersionError(f"version kind {kind!r}: one of {', '.join(KINDS)}")
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        wanted = None if codes is None else list(codes)
        changed = [r[0] for r in conn.execute(query("version_changed_codes"), {"codes": wanted})]
        if not changed:
            return None
        params = {"effective_at": effective_at, "kind": kind, "plan_name": plan_name, "note": note}
        row = conn.execute(query("version_insert"), params).fetchone()
        assert row is not None
        version = int(row[0])
        conn.execute(query("version_close"), {"version": version, "codes": changed})
        conn.execute(query("version_open"), {"version": version, "codes": changed})
    return version


def list_versions(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Every version, newest first: when it took effect, what made it, units it touched."""
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query("version_list")).fetchall()


def unit_history(conn: psycopg.Connection, code: str) -> list[dict[str, Any]]:
    """A unit's states, oldest first, each with what happened to it (created, reshaped,
    renamed, re-parented, new officer, new figures, removed) and, once removed, which units
    took over its area."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query("version_unit_history"), {"code": code}).fetchall()
    out, before = [], None
    for r in rows:
        r["changes"] = _changes(before, r)
        before = r
        out.append(r)
    if out and out[-1]["version_to"] is not None and out[-1]["taken_by"] is not None:
        out[-1]["removed_in"] = out[-1]["version_to"]
    return out


FIELDS = {
    "name": "renamed",
    "parent_code": "re-parented",
    "level": "new level",
    "officer": "new officer",
    "population": "new figures",
    "households": "new figures",
}


def _changes(before: dict[str, Any] | None, row: dict[str, Any]) -> list[str]:
    """What differs in a state from the one before it ('created' for the first)."""
    if before is None:
        return ["created"]
    if before["version_to"] != row["version_from"]:
        return ["restored"]  # removed in between, then brought back (a rollback)
    found = [word for f, word in FIELDS.items() if before[f] != row[f]]
    if abs(before["area_m2"] - row["area_m2"]) > 0.01 or not found:
        found.insert(0, "reshaped")  # a state with no field changed differs in geometry
    return list(dict.fromkeys(found))
