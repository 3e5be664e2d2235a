"""Cases city-wide by filter, newest report first, paged by a cursor (not an offset: a page
deep in a million cases costs what the first one does, and new reports shift nothing)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from twin.store import INCIDENT_COLUMNS

CASE_COLUMNS = (*INCIDENT_COLUMNS, "officer", "description")
MAX_LIMIT = 1000

Box = tuple[float, float, float, float]  # west, south, east, north in lon/lat


class FilterError(ValueError):
    """A filter or cursor the listing cannot use; names the parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class CaseFilter:
    """Which cases to list: each tuple allows any of its values (empty: no condition)."""

    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    severities: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    unit: str | None = None  # a unit's code: the cases in it and every unit under it
    bbox: Box | None = None
    since: datetime | None = None  # reported at or after
    until: datetime | None = None  # reported before
    codes: tuple[str, ...] = ()


def encode_cursor(reported_at: datetime, case_id: int) -> str:
    """The opaque cursor of the page after the case (reported_at, id)."""
    raw = json.dumps([reported_at.isoformat(), case_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(reported_at, id) of a cursor this module wrote, or a FilterError."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, case_id = json.loads(raw)
        got = datetime.fromisoformat(at)
        if got.tzinfo is None or not isinstance(case_id, int) or isinstance(case_id, bool):
            raise ValueError("not a cursor")
        if not 0 < case_id < 2**63:
            raise ValueError("not a cursor")
        return got, case_id
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise FilterError("cursor", "not a cursor this server gave out") from None


def list_cases(
    conn: psycopg.Connection, filters: CaseFilter, cursor: str | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the cases that match, newest report first, and the next page's cursor
    (None on the last page)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise FilterError("limit", f"must be 1 to {MAX_LIMIT}")
    where, params = _where(conn, filters)
    if cursor is not None:
        params["c_at"], params["c_id"] = decode_cursor(cursor)
        where.append(sql.SQL("(i.reported_at, i.id) < (%(c_at)s, %(c_id)s)"))
    params["limit"] = limit + 1  # one more than asked: is there a next page?
    cols = sql.SQL(", ").join(sql.Identifier("i", c) for c in CASE_COLUMNS)
    found: sql.Composable = sql.SQL(
        "SELECT i.id, {cols}, i.geom, i.grid_id FROM incident i WHERE {where}"
        " ORDER BY i.reported_at DESC, i.id DESC LIMIT %(limit)s"
    ).format(cols=cols, where=sql.SQL(" AND ").join(where or [sql.SQL("true")]))
    if "unit_id" in params:
        # Driven unit by unit through (grid_id, reported_at), each unit's newest few: with a
        # LIMIT the planner would otherwise walk the city-wide report index past every case
        # of the other units (store.fetch_incidents does the same).
        found = sql.SQL(
            "SELECT i.* FROM (SELECT grid_id FROM grid_ancestor"
            "  WHERE ancestor_id = %(unit_id)s OFFSET 0) u"
            " CROSS JOIN LATERAL ({found}) i"
            " ORDER BY i.reported_at DESC, i.id DESC LIMIT %(limit)s"
        ).format(found=found)
    stmt = sql.SQL(
        "SELECT i.id, {cols}, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, g.code AS grid_code"
        " FROM ({found}) i LEFT JOIN grid g ON g.id = i.grid_id"
        " ORDER BY i.reported_at DESC, i.id DESC"
    ).format(cols=cols, found=found)
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(stmt, params).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    after = encode_cursor(rows[-1]["reported_at"], rows[-1]["id"]) if more else None
    for row in rows:
        del row["id"]
    return rows, after


def _where(conn: psycopg.Connection, f: CaseFilter) -> tuple[list[sql.Composable], dict[str, Any]]:
    """The filter's conditions on incident i, and their parameters."""
    where: list[sql.Composable] = []
    params: dict[str, Any] = {}
    for column, values in (
        ("status", f.statuses),
        ("category", f.categories),
        ("severity", f.severities),
        ("source", f.sources),
        ("code", f.codes),
    ):
        if values:
            where.append(
                sql.SQL("{} = ANY({})").format(sql.Identifier("i", column), sql.Placeholder(column))
            )
            params[column] = list(values)
    if f.unit is not None:
        row = conn.execute("SELECT id FROM grid WHERE code = %s", [f.unit]).fetchone()
        if row is None:
            raise FilterError("unit", f"no unit has the code {f.unit!r}")
        where.append(sql.SQL("i.grid_id = u.grid_id"))  # u: each unit under it (list_cases)
        params["unit_id"] = row[0]
    if f.bbox is not None:
        where.append(sql.SQL("i.geom && ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326)"))
        params |= dict(zip("wsen", f.bbox, strict=True))
    if f.since is not None:
        where.append(sql.SQL("i.reported_at >= %(since)s"))
        params["since"] = f.since
    if f.until is not None:
        where.append(sql.SQL("i.reported_at < %(until)s"))
        params["until"] = f.until
    return where, params
