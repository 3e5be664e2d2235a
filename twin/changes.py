"""The store's change clock for live push: which units moved since a version, and their rows.

Every transaction that moves counters takes one change version at commit and notifies
channel twin_change once (migration 022); a reader holding a version re-reads only what
moved after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import psycopg

from twin.db.queries import query
from twin.spatial.status import Thresholds, build_status
from twin.store import status_frame

CHANNEL = "twin_change"


def listen_for_changes(conn: psycopg.Connection) -> None:
    """Subscribe an autocommit connection to the change notifications."""
    conn.execute(f"LISTEN {CHANNEL}")  # a constant name, not data


@dataclass(frozen=True)
class ChangeClock:
    """The newest change version, and the last one that changed the units themselves."""

    version: int
    map_version: int


def fetch_change_clock(conn: psycopg.Connection) -> ChangeClock:
    """The store's change clock now."""
    row = conn.execute(query("change_clock")).fetchone()
    assert row is not None  # migration 022 inserts the one row
    return ChangeClock(int(row[0]), int(row[1]))


def fetch_changed_units(conn: psycopg.Connection, since: int) -> set[int]:
    """The ids of the units whose counters moved after version since (0: unassigned)."""
    return {int(r[0]) for r in conn.execute(query("units_changed_since"), {"since": since})}


def fetch_units_falling_due(conn: psycopg.Connection, since: datetime, until: datetime) -> set[int]:
    """The units whose overdue count grew with the clock between since and until."""
    params = {"since": since, "until": until}
    return {int(r[0]) for r in conn.execute(query("units_falling_due"), params)}


def fetch_unit_statuses(
    conn: psycopg.Connection, ids: list[int], at: datetime | None, thresholds: Thresholds
) -> pd.DataFrame:
    """The status rows of these units (any level), as fetch_grid_statuses builds a level's."""
    params = {"ids": ids, "at": at}
    return build_status(status_frame(conn, "unit_statuses", params), thresholds)


def fetch_window_direct(
    conn: psycopg.Connection, since: datetime, ids: list[int] | None = None
) -> dict[int, int]:
    """Cases reported since a moment per grid they lie in, not rolled up (ids: only those)."""
    if ids is None:
        cur = conn.execute(query("window_direct_counts"), {"since": since})
    else:
        cur = conn.execute(query("window_direct_counts_of"), {"since": since, "ids": ids})
    return {int(g): int(n) for g, n in cur}
