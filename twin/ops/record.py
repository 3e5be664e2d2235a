"""A case as stored: read whole (timeline, escalations, linked reports), and its timeline
written."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from twin.db.queries import query
from twin.ops.errors import missing


def add_event(
    cur: psycopg.Cursor[Any],
    case_id: int,
    at: datetime,
    actor: str,
    action: str,
    note: str | None,
    data: dict[str, Any],
) -> None:
    """Append one entry to a case's timeline."""
    params = {"id": case_id, "at": at, "actor": actor, "action": action, "note": note}
    cur.execute(query("case_event_insert"), params | {"data": Jsonb(data)})


def get_case(conn: psycopg.Connection, code: str, case_id: int | None = None) -> dict[str, Any]:
    """A case with its timeline, escalated stages and linked reports (duplicates). Given its
    id (a create knows it), the case itself is asked in the same round trip as the parts."""
    case: dict[str, Any] | None = None
    if case_id is None:
        with conn.cursor(row_factory=dict_row) as cur:
            case = cur.execute(query("case_get"), {"code": code}).fetchone()
            if case is None:
                raise missing(cur, code)
        case_id = case["id"]
    params = {"id": case_id, "code": code}
    parts = ("timeline", "escalations", "duplicates")
    # Sent together, answered in one round trip: a create holds its unit's counters (and
    # every other writer waits for them) until it commits, after this read.
    with conn.pipeline():
        head = conn.cursor(row_factory=dict_row)
        if case is None:
            head.execute(query("case_get"), {"code": code})
        cursors = [conn.cursor(row_factory=dict_row) for _ in parts]
        for part, each in zip(parts, cursors, strict=True):
            each.execute(query(f"case_{part}"), params)
        if case is None:
            case = head.fetchone()
            if case is None:
                raise missing(head, code)
        for part, each in zip(parts, cursors, strict=True):
            case[part] = each.fetchall()
    return case
