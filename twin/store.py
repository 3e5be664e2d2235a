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
from twin.db.connect import DatabaseError
from twin.db.queries import query
from twin.drilldown import (
    CASE_COLUMNS,
    CASE_PREFIX,
    INCIDENT_COLUMNS,
    detail_statement,
    incident_page_sql,
    incident_where,
    point_list_fields,
    to_records,
    unit_points_sql,
)
from twin.spatial.counts import CountsChanged, unpack, unpack_units
from twin.spatial.level_units import Counts, Units, UnitsCache, joined
from twin.spatial.status import Thresholds, build_one_status, build_status

SORTABLE = frozenset({"reported_at", "due_at", "severity", "status", "category", "code"})


class NotFound(LookupError):
    """No grid has that code."""


# Queries whose result has a column per grid_stat count (s.*): a new layer adds columns, and
# a server-side prepared statement (psycopg prepares a query run 5 times) would then fail
# with "cached plan must not change result type". Planned per call, they follow the table.
# (The level and unit reads take the packed counts, one column whatever the layers.)
FOLLOW_GRID_STAT = frozenset({"grid_one_status"})


def _rows(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query(name), params, prepare=_prepare(name)).fetchall()


def _prepare(name: str) -> bool | None:
    return False if name in FOLLOW_GRID_STAT else None


def status_frame(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> pd.DataFrame:
    """A status query's rows (..., grid_id, counts) as a frame with a column per count, the
    packed counts unpacked in one step (read again if a column came between the reads)."""
    try:
        return _status_frame(conn, name, params)
    except CountsChanged:
        return _status_frame(conn, name, params)


def _status_frame(conn: psycopg.Connection, name: str, params: dict[str, Any]) -> pd.DataFrame:
    with conn.cursor(binary=True) as cur:
        found = cur.execute(query("stat_counts_columns"), prepare=True).fetchone()
        names: list[str] = found[0] if found else []
        cur.execute(query(name), params, prepare=True)
        head = [d.name for d in cur.description or []][:-1]
        rows = cur.fetchall()
    if not rows:
        return pd.DataFrame(columns=[*head, *names])
    columns = list(zip(*rows, strict=True))
    frame = {n: _column(v) for n, v in zip(head, columns, strict=False)}
    return pd.DataFrame(frame | unpack(columns[-1], names))


def _frame_of(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows read as JSON objects (all with the same keys, at least one), as a frame."""
    names = list(records[0])
    return _columns_frame(names, [tuple(r.values()) for r in records])


def _columns_frame(names: list[str], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
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
    frame = level_frame(conn, level, parent_id, at)
    return build_status(frame, thresholds or Thresholds())


UNITS = UnitsCache()  # every connection of this process: the units per map version
UNIT_COLUMNS = ["id", "code", "name", "level", "parent_id", "officer", "population"]
UNIT_COLUMNS += ["households", "area_m2"]


def level_frame(
    conn: psycopg.Connection, level: str, parent_id: int | None, at: datetime | None
) -> pd.DataFrame:
    """The status rows of a level (or one parent's children) in code order: the counts read
    now, the units' own columns as last read at the same map version (read again if the map
    changed between the two reads)."""
    params = {"level": level, "parent_id": parent_id, "at": at}
    why = "its counts and units never matched"
    for _ in range(3):
        with conn.cursor(binary=True) as cur:
            # Not prepared: a generic plan cannot drop the "all of the level" branch.
            got = cur.execute(query("level_counts"), params, prepare=False).fetchone()
        assert got is not None  # an aggregate always returns a row
        store, db, grid_table, map_version, wrote, names, units, n, *packed = got
        if units == 0:
            return pd.DataFrame(columns=[*UNIT_COLUMNS, "overdue", "grid_id", *names])
        try:
            table = unpack_units(packed, names, n)
        except CountsChanged as e:
            why = str(e)
            continue
        key = (store, db, grid_table, level, parent_id)
        frame = _framed(conn, params, key, Counts(table, names, units), map_version, wrote)
        if frame is not None:
            return frame
    raise DatabaseError(
        f"level {level!r}: its counts and units did not match in three reads ({why}; the "
        "map changing meanwhile, or grid written with its triggers off)"
    )


def _framed(
    conn: psycopg.Connection,
    params: dict[str, Any],
    key: tuple[Any, ...],
    counts: Counts,
    map_version: int,
    wrote: bool,
) -> pd.DataFrame | None:
    """The counts joined to the level's units (kept or read now), or None if they differ."""
    # A transaction that wrote may have changed the map itself: its changes take a map
    # version only at commit, so its units are read afresh and never kept.
    kept = None if wrote else UNITS.get(key, map_version)
    if kept is not None:
        frame = joined(kept, counts)
        if frame is not None:
            return frame
        UNITS.drop(key)  # kept units that no longer match these counts: read them afresh
    units = _level_units(conn, params)
    if units.map_version != map_version:
        return None
    frame = joined(units, counts)
    if frame is not None and not wrote:
        UNITS.put(key, units)
    return frame


def _level_units(conn: psycopg.Connection, params: dict[str, Any]) -> Units:
    with conn.cursor(binary=True) as cur:
        rows = cur.execute(query("level_units"), params, prepare=False).fetchall()
    if not rows:  # the level's units gone since its counts were read: the map changed
        return Units(-1, pd.DataFrame(columns=UNIT_COLUMNS))
    return Units(int(rows[0][0]), _columns_frame(UNIT_COLUMNS, [r[1:] for r in rows]))


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
    columns = [*INCIDENT_COLUMNS, "lon", "lat", "id", "total", "k"]
    total = 0
    if flt.offset:
        # Counted first: a page past the end must not read every case on the way there.
        where, params = incident_where(flt)
        total = _count_incidents(conn, where, params | {"grid_id": grid_id})
        if flt.offset >= total:
            return pd.DataFrame(columns=columns[:-3]), total
    stmt, params = incident_page_sql(flt, sql.Placeholder("grid_id"))
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(stmt, params | {"grid_id": grid_id}).fetchall()
    total = int(rows[0]["total"]) if rows else total
    frame = pd.DataFrame(rows, columns=columns)
    return frame.drop(columns=["id", "total", "k"]), total


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
    devices: dict[str, list[dict[str, Any]]]  # per device layer: its points inside the unit
    incidents: list[dict[str, Any]]  # the page of cases, as records (fetch_incidents' values)
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
    KPIs only; cases=False: no case page, for callers that page the cases themselves).

    One round trip (a later case page adds the count fetch_incidents reads first)."""
    flt = flt or IncidentFilter()
    page = lists and cases and not flt.offset
    shown = devices if lists else ()
    stmt, names, params = detail_statement(lists, shown, flt if page else None, device_limit)
    values = params | {"code": code, "at": at}
    with psycopg.RawCursor(conn, row_factory=dict_row) as cur:
        row = cur.execute(stmt, [values[n] for n in names], binary=True).fetchone()
    if row is None:
        raise NotFound(f"no grid has the code {code!r}")
    if row["status"] is None:
        raise NotFound(f"no grid has the id {row['id']}")
    t = thresholds or Thresholds()
    kpis = build_one_status({"overdue": row["overdue"], **row["status"]}, t)
    children = _children_frame(row["children"] or [], t)
    incidents: list[dict[str, Any]] = []
    total = 0
    if page and row[CASE_PREFIX + "code"] is not None:
        cols = CASE_COLUMNS[:-1]
        columns = [row[CASE_PREFIX + c] for c in cols]
        incidents = [dict(zip(cols, values, strict=True)) for values in zip(*columns, strict=True)]
        total = int(row[CASE_PREFIX + "total"][0])
    elif lists and cases:
        frame, total = fetch_incidents(conn, row["id"], flt)
        incidents = [
            {str(k): None if v is None or v != v else v for k, v in r.items()}  # NaT, NaN
            for r in frame.to_dict("records")
        ]
    found = {
        d.name: to_records(
            row["devices"][d.name],
            [*point_list_fields(d), "lon", "lat"],
            frozenset(f for f in point_list_fields(d) if d.field(f).type == "timestamp"),
            conn.info.timezone,
        )
        for d in (devices if lists else ())
    }
    return GridDetail(
        grid=row["grid"],
        lineage=row["lineage"],
        kpis=kpis,
        composite=kpis.pop("composite"),
        reasons=kpis.pop("reasons"),
        children=children,
        devices=found,
        incidents=incidents,
        incidents_total=total,
    )


_NO_CHILDREN = pd.DataFrame()


def _children_frame(rows: list[dict[str, Any]], t: Thresholds) -> pd.DataFrame:
    """Children's statuses as fetch_children_statuses frames them: level by level, by code."""
    if not rows:  # the finest level: an empty frame, without pandas' 0.1 ms of building one
        return _NO_CHILDREN.copy(deep=False)
    frames = [
        build_status(_frame_of([r for r in rows if r["level"] == level]), t)
        for level in sorted({r["level"] for r in rows})
    ]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True).sort_values("code", ignore_index=True)


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


def fetch_unit_points(
    conn: psycopg.Connection, layer: Layer, grid_id: int, limit: int = 500
) -> pd.DataFrame:
    """A point layer's points inside a unit of any level: its list fields, lon and lat,
    those whose colour field needs attention first (so a cut keeps them), then by code."""
    stmt, params = unit_points_sql(layer, sql.Placeholder("id"))
    columns = [*point_list_fields(layer), "lon", "lat"]
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(stmt, params | {"id": grid_id, "limit": limit}).fetchall()
    return pd.DataFrame(rows, columns=columns)


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
