"""KPIs against the map of another date: each point placed in the units of the version in
force then (the assignment rule of migration 010 over that version's outlines) and counted
up that version's hierarchy, the same columns as grid_stat."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from twin.db.queries import query
from twin.spatial.status import Thresholds, build_status

# Per point layer: every point placed in the deepest unit of the version that covers it
# (lowest code among equals), polygon-driven as the bulk assignment is; then counted for
# that unit and each of its ancestors in the version's hierarchy.
COUNTS = sql.SQL("""
    WITH RECURSIVE unit AS (
        SELECT h.code, h.parent_code, h.geom, l.depth
        FROM grid_history h JOIN grid_level l ON l.level = h.level
        WHERE h.version_from <= %(version)s
          AND (h.version_to IS NULL OR h.version_to > %(version)s)
    ), placed AS (
        SELECT DISTINCT ON (p.id) p.id, u.code
        FROM unit u
        CROSS JOIN LATERAL (SELECT q.id FROM {layer} q
                            WHERE ST_Covers(u.geom, q.geom) OFFSET 0) p
        ORDER BY p.id, u.depth DESC, u.code
    ), up AS (
        SELECT code AS unit, code AS ancestor, parent_code FROM unit
        UNION ALL
        SELECT up.unit, u.code, u.parent_code FROM up JOIN unit u ON u.code = up.parent_code
    )
    SELECT up.ancestor AS code, {counts}
    FROM {layer} r
    JOIN placed ON placed.id = r.id
    JOIN up ON up.unit = placed.code
    GROUP BY up.ancestor
""")


def as_of_moment(text: str, tz: str) -> datetime:
    """--as-of: a date is the end of that local day (the map as it stood then); an ISO
    time is that moment (local when it names no zone)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            following = datetime.combine(day + timedelta(days=1), datetime.min.time())
            return following.replace(tzinfo=ZoneInfo(tz)) - timedelta(microseconds=1)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--as-of {text!r}: give a date (YYYY-MM-DD) or an ISO time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


def fetch_statuses_as_of(
    conn: psycopg.Connection,
    version: int,
    level: str,
    at: datetime | None = None,
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """One row per unit of a level in a version: the points as they are now counted in
    that version's units, overdue judged at `at` (None: now), the KPIs and composite."""
    with conn.cursor(row_factory=dict_row) as cur:
        units = cur.execute(query("asof_units"), {"version": version, "level": level}).fetchall()
    frame = pd.DataFrame(units)
    columns = conn.execute(query("asof_stat_columns")).fetchall()
    names = [name for _, name, _ in columns]
    counts = pd.DataFrame(0, index=[u["code"] for u in units], columns=[*names, "overdue"])
    for layer in dict.fromkeys(layer for layer, _, _ in columns):
        for code, values in _layer_counts(conn, version, layer, columns, at).items():
            if code in counts.index:
                counts.loc[code, list(values)] = list(values.values())
    if frame.empty:
        frame = pd.DataFrame(columns=["code", "name", "level", "parent_code", "area_m2"])
    merged = frame.merge(counts, left_on="code", right_index=True, how="left")
    return build_status(merged.fillna({c: 0 for c in counts.columns}), thresholds or Thresholds())


def _layer_counts(
    conn: psycopg.Connection,
    version: int,
    layer: str,
    columns: list[tuple[str, str, str]],
    at: datetime | None,
) -> dict[str, dict[str, int]]:
    """Each unit's counts of one point layer under the version's map."""
    # Predicates are SQL the migrations and the catalog wrote into twin_stat_column (only
    # the owner can), the same text the stat triggers evaluate.
    mine = [(name, pred) for lay, name, pred in columns if lay == layer]
    parts = [
        sql.SQL("count(*) FILTER (WHERE {}) AS {}").format(sql.SQL(pred), sql.Identifier(name))
        for name, pred in mine
    ]
    open_pred = next((pred for name, pred in mine if name == "open"), None)
    if open_pred is not None:  # the layer of cases: overdue = open and past due
        parts.append(
            sql.SQL(
                "count(*) FILTER (WHERE ({}) AND due_at < coalesce({}, now())) AS overdue"
            ).format(sql.SQL(open_pred), sql.Literal(at))
        )
    stmt = COUNTS.format(layer=sql.Identifier(layer), counts=sql.SQL(", ").join(parts))
    with conn.cursor(row_factory=dict_row) as cur:
        rows: list[dict[str, Any]] = cur.execute(stmt, {"version": version}).fetchall()
    return {r.pop("code"): {k: int(v) for k, v in r.items()} for r in rows}
