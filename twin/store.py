"""The Python API over the store: grid statuses, one grid's detail, its cases and devices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql
from psycopg.rows import dict_row

from twin.catalog import Layer
from twin.catalog.terms import CASES
from twin.db.queries import query
from twin.spatial.status import Thresholds, build_one_status, build_status

INCIDENT_COLUMNS = (
    "code",
    "category",
    "severity",
    "source",
    "status",
    "reported_at",
    "dispatched_at",
    "started_at",
    "escalated_at",
    "resolved_at",
    "closed_at",
    "due_at",
    "department",
)
SORTABLE = frozenset({"reported_at", "due_at", "severity", "status", "category", "code"})


class NotFound(LookupError):
    """No grid has that code."""


# Queries whose result has a column per grid_stat count (s.*): a new layer adds columns, and
# a server-side prepared statement (psycopg prepares a query run 5 times) would then fail
# with "cached plan must not change result type". Planned per call, they follow the table.
FOLLOW_GRID_STAT = frozenset({"grid_statuses", "grid_one_status"})


def _rows(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query(name), params, prepare=_prepare(name)).fetchall()


def _prepare(name: str) -> bool | None:
    return False if name in FOLLOW_GRID_STAT else None


def _frame(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> pd.DataFrame:
    """A named query's result as a DataFrame, with its columns even when it has no rows."""
    with conn.cursor(binary=True) as cur:
        cur.execute(query(name), params, prepare=_prepare(name))
        names = [d.name for d in cur.description or []]
        rows = cur.fetchall()
    if not rows:
        return pd.DataFrame(columns=names)
    # Built column by column: twice as fast as from rows at 50,000 grids x 60 counts.
    columns = zip(*rows, strict=True)
    return pd.DataFrame({n: _column(v) for n, v in zip(names, columns, strict=True)})


def _column(values: tuple[Any, ...]) -> Any:
    if isinstance(values[0], int) and not isinstance(values[0], bool):
        try:
            return np.array(values, dtype=np.int64)
        except (TypeError, OverflowError):  # a NULL among them
            pass
    return list(values)


def fetch_grid_statuses(
    conn: psycopg.Connection,
    level: str = "grid",
    at: datetime | None = None,
    thresholds: Thresholds | None = None,
    parent_id: int | None = None,
) -> pd.DataFrame:
    """One row per grid of a level (or one parent's children): counts, KPIs, composite.

    Reads one grid_stat row per grid, so it costs O(grids), not O(incidents). A level the
    store does not hold has no rows (callers check levels against the catalog).
    """
    params = {"level": level, "parent_id": parent_id, "at": at}
    return build_status(_frame(conn, "grid_statuses", params), thresholds or Thresholds())


def fetch_one_status(
    conn: psycopg.Connection,
    grid_id: int,
    at: datetime | None = None,
    thresholds: Thresholds | None = None,
) -> dict[str, Any]:
    """The KPIs and composite of one grid of any level (grid_id 0: the unassigned points)."""
    rows = _rows(conn, "grid_one_status", {"id": grid_id, "at": at})
    if not rows:
        raise NotFound(f"no grid has the id {grid_id}")
    return build_one_status(rows[0], thresholds or Thresholds())


def fetch_unassigned(conn: psycopg.Connection, at: datetime | None = None) -> dict[str, Any]:
    """KPIs of the points that lie in no grid (kept and shown, never dropped)."""
    return fetch_one_status(conn, 0, at)


def fetch_grid(conn: psycopg.Connection, code: str) -> dict[str, Any]:
    """One grid of any level by code, or NotFound."""
    rows = _rows(conn, "grid_by_code", {"code": code})
    if not rows:
        raise NotFound(f"no grid has the code {code!r}")
    return rows[0]


@dataclass(frozen=True)
class IncidentFilter:
    """Which of a grid's incidents to list, in what order, which page."""

    statuses: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    severities: tuple[int, ...] = ()
    sort: str = "reported_at"
    descending: bool = True
    limit: int = 50
    offset: int = 0

    def __post_init__(self) -> None:
        if self.sort not in SORTABLE:
            raise ValueError(f"cannot sort by {self.sort!r}; choose one of {sorted(SORTABLE)}")
        if not 1 <= self.limit <= 1000 or self.offset < 0:
            raise ValueError("limit must be 1..1000 and offset >= 0")

    def checked(self, cases: Layer) -> IncidentFilter:
        """This filter, or a ValueError naming every value the cases layer does not allow."""
        bad = [s for s in self.statuses if s not in cases.field("status").allowed]
        bad += [c for c in self.categories if c not in cases.field("category").allowed]
        bad += [str(s) for s in self.severities if str(s) not in cases.field("severity").allowed]
        if bad:
            raise ValueError(f"unknown filter value(s): {', '.join(bad)}")
        return self


def fetch_incidents(
    conn: psycopg.Connection, grid_id: int, flt: IncidentFilter | None = None
) -> tuple[pd.DataFrame, int]:
    """A page of the incidents inside a grid of any level, and how many match in all."""
    flt = flt or IncidentFilter()
    where, params = _incident_where(grid_id, flt)
    params |= {"limit": flt.limit, "offset": flt.offset}
    columns = [*INCIDENT_COLUMNS, "lon", "lat", "id", "total"]
    total = 0
    if flt.offset:
        # Counted first: a page past the end must not read every case on the way there.
        total = _count_incidents(conn, where, params)
        if flt.offset >= total:
            return pd.DataFrame(columns=columns).drop(columns=["id", "total"]), total
    # Driven unit by unit through (grid_id, reported_at): with a LIMIT the planner would
    # otherwise walk the city-wide reported_at index past a million rows (2.8 s for a street).
    direction = sql.SQL("DESC" if flt.descending else "ASC")
    # In report order, each unit needs only its first offset + limit cases, straight from the
    # (grid_id, reported_at) index; the count then reads no heap rows it need not.
    per_unit: sql.Composable = sql.SQL("")
    if flt.sort == "reported_at":
        per_unit = sql.SQL("ORDER BY i.reported_at {} LIMIT %(depth)s").format(direction)
        params["depth"] = flt.offset + flt.limit
    stmt = sql.SQL(
        "WITH units AS MATERIALIZED ("
        "  SELECT grid_id FROM grid_ancestor WHERE ancestor_id = %(grid_id)s),"
        " hits AS MATERIALIZED ("  # only the id and the sort key: a district has 100k+ cases
        "  SELECT i.id, i.k FROM units u"
        "  CROSS JOIN LATERAL"
        "    (SELECT i.id, i.{sort} AS k FROM incident i WHERE {where} {per_unit}) i),"
        " page AS (SELECT id, k FROM hits ORDER BY k {direction}, id"
        "  LIMIT %(limit)s OFFSET %(offset)s)"
        " SELECT {cols}, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.id,"
        "  (SELECT count(*) FROM units u CROSS JOIN LATERAL"
        "    (SELECT 1 FROM incident i WHERE {where}) x) AS total"
        " FROM page p JOIN incident i ON i.id = p.id ORDER BY p.k {direction}, p.id"
    ).format(
        cols=sql.SQL(", ").join(sql.Identifier("i", c) for c in INCIDENT_COLUMNS),
        where=where,
        per_unit=per_unit,
        sort=sql.Identifier(flt.sort),
        direction=direction,
    )
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(stmt, params).fetchall()
    total = int(rows[0]["total"]) if rows else total
    frame = pd.DataFrame(rows, columns=columns)
    return frame.drop(columns=["id", "total"]), total


def _incident_where(grid_id: int, flt: IncidentFilter) -> tuple[sql.Composable, dict[str, Any]]:
    """The filter's conditions on incident i of unit u, and their parameters."""
    where: list[sql.Composable] = [sql.SQL("i.grid_id = u.grid_id")]
    params: dict[str, Any] = {"grid_id": grid_id}
    for column, values in (
        ("status", flt.statuses),
        ("category", flt.categories),
        ("severity", flt.severities),
    ):
        if values:
            where.append(
                sql.SQL("{} = ANY({})").format(sql.Identifier("i", column), sql.Placeholder(column))
            )
            params[column] = list(values)
    return sql.SQL(" AND ").join(where), params


def _count_incidents(
    conn: psycopg.Connection, where: sql.Composable, params: dict[str, Any]
) -> int:
    stmt = sql.SQL(
        "WITH units AS MATERIALIZED ("
        "  SELECT grid_id FROM grid_ancestor WHERE ancestor_id = %(grid_id)s)"
        " SELECT count(*) FROM units u CROSS JOIN LATERAL"
        "  (SELECT 1 FROM incident i WHERE {where}) x"
    ).format(where=where)
    row = conn.execute(stmt, params).fetchone()
    assert row is not None  # an aggregate always returns a row
    return int(row[0])


@dataclass
class GridDetail:
    """Everything the drill-down of one grid shows."""

    grid: dict[str, Any]
    lineage: list[dict[str, Any]]
    kpis: dict[str, Any]
    composite: str
    reasons: list[str]
    children: pd.DataFrame
    devices: dict[str, pd.DataFrame]  # per device layer: its points inside the unit
    incidents: pd.DataFrame
    incidents_total: int


def fetch_grid_detail(
    conn: psycopg.Connection,
    code: str,
    flt: IncidentFilter | None = None,
    at: datetime | None = None,
    thresholds: Thresholds | None = None,
    device_limit: int = 500,
    lists: bool = True,
    cases: bool = True,
    devices: Sequence[Layer] = (),
) -> GridDetail:
    """One grid's drill-down: KPIs, lineage, children's status, cases and the points of each
    devices layer (at most device_limit of each, those needing attention first; lists=False:
    KPIs only; cases=False: no case page, for callers that page the cases themselves)."""
    grid = fetch_grid(conn, code)
    kpis = fetch_one_status(conn, grid["id"], at, thresholds)
    children = incidents = pd.DataFrame()
    total = 0
    if lists:
        children = fetch_children_statuses(conn, grid["id"], at, thresholds)
    if lists and cases:
        incidents, total = fetch_incidents(conn, grid["id"], flt)
    found = {d.name: fetch_unit_points(conn, d, grid["id"], device_limit) for d in devices}
    return GridDetail(
        grid=grid,
        lineage=_rows(conn, "grid_lineage", {"id": grid["id"]}),
        kpis=kpis,
        composite=kpis.pop("composite"),
        reasons=kpis.pop("reasons"),
        children=children,
        devices=found if lists else {},
        incidents=incidents,
        incidents_total=total,
    )


def fetch_children_statuses(
    conn: psycopg.Connection,
    grid_id: int,
    at: datetime | None = None,
    thresholds: Thresholds | None = None,
) -> pd.DataFrame:
    """The statuses of the units directly under one unit, whatever their level (a level
    may be skipped, or a district hold streets in one part and grids in another)."""
    levels = sorted({r["level"] for r in _rows(conn, "grid_children", {"id": grid_id})})
    frames = [fetch_grid_statuses(conn, lv, at, thresholds, parent_id=grid_id) for lv in levels]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True).sort_values("code", ignore_index=True)


def point_list_fields(layer: Layer) -> tuple[str, ...]:
    """The fields a list of a layer's points shows: its code and what its popup shows."""
    return tuple(dict.fromkeys(("code", *layer.style.popup)))


def fetch_unit_points(
    conn: psycopg.Connection, layer: Layer, grid_id: int, limit: int = 500
) -> pd.DataFrame:
    """A point layer's points inside a unit of any level: its list fields, lon and lat,
    those whose colour field needs attention first (so a cut keeps them), then by code."""
    fields = point_list_fields(layer)
    order: sql.Composable = sql.SQL("")
    colour = layer.style.color_by
    attention = list(layer.field(colour).attention_values) if colour else []
    if colour and attention:
        order = sql.SQL("array_position(%(attention)s::text[], p.{}::text) NULLS LAST, ").format(
            sql.Identifier(colour)
        )
    stmt = sql.SQL(
        "SELECT {cols}, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat"
        " FROM {table} p JOIN grid_ancestor a ON a.grid_id = p.grid_id"
        " WHERE a.ancestor_id = %(id)s ORDER BY {order}p.code LIMIT %(limit)s"
    ).format(
        cols=sql.SQL(", ").join(sql.Identifier("p", f) for f in fields),
        table=sql.Identifier(layer.table),
        order=order,
    )
    with conn.cursor(row_factory=dict_row) as cur:
        params = {"id": grid_id, "limit": limit, "attention": attention}
        rows = cur.execute(stmt, params).fetchall()
    return pd.DataFrame(rows, columns=[*fields, "lon", "lat"])


def fetch_grid_geometries(conn: psycopg.Connection, level: str = "grid") -> gpd.GeoDataFrame:
    """Every grid of a level with its outline, as a GeoDataFrame in EPSG:4326."""
    rows = _rows(conn, "grid_geometries", {"level": level})
    frame = pd.DataFrame(rows, columns=["id", "code", "name", "parent_id", "geom"])
    geoms = shapely.from_wkb([bytes(g) for g in frame.pop("geom")])
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


# The map's geometry: what the dashboard draws, read here so the app runs no SQL of its own.

Box = tuple[float, float, float, float]  # w, s, e, n in lon/lat


def fetch_map_extent(conn: psycopg.Connection) -> tuple[Box | None, dict[str, float]]:
    """The city's extent (its districts; None before any) and each level's typical unit
    width in degrees of longitude at the city's latitude."""
    rows = conn.execute(query("map_extent")).fetchall()
    if not rows or rows[0][2] is None:
        return None, {}
    _, _, xmin, ymin, xmax, ymax = rows[0]
    return (xmin, ymin, xmax, ymax), {r[0]: float(r[1]) for r in rows}


def fetch_level_counts(conn: psycopg.Connection, levels: Sequence[str]) -> dict[str, int]:
    """How many units each of levels has (0 for a level with none)."""
    rows = conn.execute(query("map_level_counts")).fetchall()
    return {level: 0 for level in levels} | dict(rows)


def fetch_grid_version(conn: psycopg.Connection) -> tuple[int, int]:
    """A fingerprint of the grid table that any write changes (for caches of outlines)."""
    got = conn.execute(query("map_grid_version")).fetchone()
    assert got is not None  # an aggregate always returns a row
    return (int(got[0]), int(got[1]))


def fetch_outlines(
    conn: psycopg.Connection, level: str, bbox: Box | None, limit: int | None
) -> list[tuple[str, bytes]]:
    """(code, WKB) of a level's units, of those touching bbox when given, in code order."""
    w, s, e, n = bbox or (None, None, None, None)
    params = {"level": level, "w": w, "s": s, "e": e, "n": n, "limit": limit}
    return [(r[0], r[1]) for r in conn.execute(query("map_outlines"), params).fetchall()]


def fetch_unit_outline(conn: psycopg.Connection, code: str) -> tuple[bytes, Box] | None:
    """One unit's outline (WKB) and bounds (w, s, e, n), or None for an unknown code."""
    row = conn.execute(query("map_unit"), {"code": code}).fetchone()
    if row is None:
        return None
    _, geom, xmin, ymin, xmax, ymax = row
    return geom, (xmin, ymin, xmax, ymax)


def fetch_points(
    conn: psycopg.Connection, layer: Layer, fields: Sequence[str], unit_id: int | None, limit: int
) -> list[tuple[Any, ...]]:
    """(*fields, lon, lat) of a layer's points in a unit, or city-wide those that need
    attention (fields are the layer's catalog fields; code first)."""
    params = {"unit": unit_id, "limit": limit}
    with conn.cursor() as cur:
        return cur.execute(points_query(layer, fields, unit_id), params).fetchall()


def points_query(layer: Layer, fields: Sequence[str], unit_id: int | None) -> sql.Composed:
    """The fields, lon and lat of a layer's points in a unit, or city-wide those that need
    attention (every enum field with values marked so must have one of them)."""
    assert layer.style.color_by is not None
    where: sql.Composable
    if unit_id is None:
        needs: list[sql.Composable] = [
            sql.SQL("{}::text = ANY({})").format(
                sql.Identifier(f.name), sql.Literal(list(f.attention_values))
            )
            for f in layer.fields
            if f.attention_values
        ]
        where = sql.SQL(" AND ").join(needs or [sql.SQL("true")])
    else:
        where = sql.SQL(
            "grid_id IN (SELECT grid_id FROM grid_ancestor WHERE ancestor_id = %(unit)s)"
        )
        if layer.name == CASES:  # closed cases would bury the open ones
            where = sql.SQL("{} AND {}").format(where, sql.SQL("closed_at IS NULL"))
    columns = sql.SQL(", ").join(sql.Identifier(layer.field(f).name) for f in fields)
    return sql.SQL(
        "SELECT {c}, ST_X(geom), ST_Y(geom) FROM {t} WHERE {w} ORDER BY code LIMIT %(limit)s"
    ).format(c=columns, t=sql.Identifier(layer.table), w=where)
