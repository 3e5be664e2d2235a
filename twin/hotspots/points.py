"""The points a hotspot analysis keeps, by SQL: as rows, as lon/lat arrays, or counted by grid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from twin.catalog import Layer, load_catalog
from twin.hotspots.filters import FilterError, Filters, check_filters, hex_size
from twin.settings import Settings

POINT_COLUMNS = ("id", "code", "unit", "lon", "lat", "category", "at")
# PostgreSQL's binary COPY: an 11-byte signature, flags and extension length, then per row a
# field count and (length, value) per field; a trailer of -1 ends it.
_COPY_HEADER = 19
_LONLAT_ROW = np.dtype([("n", ">i2"), ("l1", ">i4"), ("x", ">f8"), ("l2", ">i4"), ("y", ">f8")])


@cache
def builtin_catalog() -> dict[str, Layer]:
    """The catalog twin ships (layers/), read once."""
    return load_catalog(Settings().layers_dir)


def time_field(layer: Layer) -> str | None:
    """The field a window filters on: the layer's first timestamp field, if any."""
    return next((f.name for f in layer.fields if f.type == "timestamp"), None)


def where_sql(layer: Layer, f: Filters) -> sql.Composable:
    """The conditions `f` puts on the layer's rows (alias p); values are parameters."""
    at = time_field(layer)
    where: list[sql.Composable] = [sql.SQL("true")]
    if at is not None:  # "all" too ends at now: what a pinned clock has not reached is left out
        t = sql.Identifier(at)
        where.append(sql.SQL("(%(start)s::timestamptz IS NULL OR p.{} >= %(start)s)").format(t))
        where.append(sql.SQL("p.{} < %(end)s").format(t))
    elif f.window.preset != "all":
        raise FilterError("window", f"layer {layer.name!r} has no time; use window all")
    for column, key in (
        ("category", "categories"),
        ("source", "sources"),
        ("severity", "severities"),
    ):
        if getattr(f, key):
            where.append(
                sql.SQL("p.{}::text = ANY({})").format(sql.Identifier(column), sql.Placeholder(key))
            )
    if f.status == "open":
        where.append(sql.SQL("p.status::text = ANY(%(open)s)"))
    return sql.SQL(" AND ").join(where)


def params(layer: Layer, f: Filters, now: datetime) -> dict[str, Any]:
    """The values of the parameters of where_sql (and of the level join)."""
    start, end = f.window.bounds(now)
    opened = list(layer.field("status").open_values) if "status" in layer.field_names else []
    return {
        "start": start,
        "end": end,
        "categories": list(f.categories),
        "sources": list(f.sources),
        "severities": [str(s) for s in f.severities],
        "open": opened,
        "level": f.unit,
    }


def points_sql(layer: Layer, f: Filters, in_units: bool = False) -> sql.Composed:
    """SELECT of the kept points with each one's unit code at a level (NULL for a mesh);
    in_units: only those in the units %(codes)s (a level only)."""
    names = layer.field_names
    at = time_field(layer)
    category = sql.SQL("p.category::text") if "category" in names else sql.SQL("NULL::text")
    stamp = sql.SQL("p.{}").format(sql.Identifier(at)) if at else sql.SQL("NULL::timestamptz")
    where = where_sql(layer, f)
    if hex_size(f.unit) is None:
        unit = sql.SQL("u.code")
        join = sql.SQL(
            "LEFT JOIN (grid_ancestor a JOIN grid u"
            " ON u.id = a.ancestor_id AND u.level = %(level)s) ON a.grid_id = p.grid_id"
        )
        if in_units:
            where = sql.SQL("{} AND u.code = ANY(%(codes)s)").format(where)
    else:
        unit, join = sql.SQL("NULL::text"), sql.SQL("")
    return sql.SQL(
        "SELECT p.id, p.code, {unit} AS unit, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,"
        " {category} AS category, {stamp} AS at FROM {table} p {join} WHERE {where}"
        " ORDER BY p.id"
    ).format(
        unit=unit,
        category=category,
        stamp=stamp,
        table=sql.Identifier(layer.table),
        join=join,
        where=where,
    )


def _layer(filters: Filters, layers: Mapping[str, Layer] | None) -> Layer:
    """The filters' layer, once the filters are checked against the catalog."""
    layers = layers or builtin_catalog()
    check_filters(filters, layers)
    return layers[filters.layer]


def fetch_points(
    conn: psycopg.Connection,
    filters: Filters,
    now: datetime,
    layers: Mapping[str, Layer] | None = None,
    codes: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The kept points (id, code, unit at a level, lon, lat, category, at), by id; codes: only
    those in these units of a level."""
    layer = _layer(filters, layers)
    values = params(layer, filters, now) | {"codes": list(codes or [])}
    with conn.cursor() as cur:
        rows = cur.execute(points_sql(layer, filters, codes is not None), values).fetchall()
    return pd.DataFrame(rows, columns=list(POINT_COLUMNS))


def fetch_lonlat(
    conn: psycopg.Connection,
    filters: Filters,
    now: datetime,
    layers: Mapping[str, Layer] | None = None,
) -> np.ndarray:
    """n×2 lon, lat of the kept points, read as binary COPY (a million in well under a second)."""
    layer = _layer(filters, layers)
    select = sql.SQL("SELECT ST_X(p.geom), ST_Y(p.geom) FROM {} p WHERE {}").format(
        sql.Identifier(layer.table), where_sql(layer, filters)
    )
    # COPY takes no parameters: bind them client-side into the statement (values quoted by
    # psycopg, never formatted by hand).
    statement = sql.SQL("COPY ({}) TO STDOUT (FORMAT binary)").format(select)
    bound = psycopg.ClientCursor(conn).mogrify(statement, params(layer, filters, now))
    data = bytearray()
    with conn.cursor() as cur, cur.copy(bound) as copy:
        for chunk in copy:
            data += chunk
    body = memoryview(data)[_COPY_HEADER : len(data) - 2]
    rows = np.frombuffer(body, dtype=_LONLAT_ROW)
    return np.column_stack([rows["x"].astype(float), rows["y"].astype(float)]).reshape(-1, 2)


def count_by_grid(
    conn: psycopg.Connection,
    filters: Filters,
    now: datetime,
    layers: Mapping[str, Layer] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(grid_id, count) of the kept points per assigned unit; grid_id -1 for the unassigned."""
    layer = _layer(filters, layers)
    select = sql.SQL(
        "SELECT coalesce(p.grid_id, -1), count(*) FROM {} p WHERE {} GROUP BY 1"
    ).format(sql.Identifier(layer.table), where_sql(layer, filters))
    rows = conn.execute(select, params(layer, filters, now)).fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    return ids, np.array([r[1] for r in rows], dtype=np.int64)
