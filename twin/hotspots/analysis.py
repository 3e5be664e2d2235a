"""One hotspot analysis: the filtered points counted per unit, Gi*, FDR and classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql
from scipy.sparse import csr_matrix

from twin.catalog import Layer, load_catalog
from twin.hotspots.classes import classify
from twin.hotspots.fdr import benjamini_hochberg
from twin.hotspots.filters import FilterError, Filters, check_filters, hex_size
from twin.hotspots.gistar import gi_star
from twin.hotspots.units import Units, analysis_units, unit_index
from twin.hotspots.weights import WeightsSpec, build_weights, parse_weights
from twin.settings import Settings

TABLE_COLUMNS = ("code", "name", "count", "gi_z", "p_value", "p_fdr", "class")
POINT_COLUMNS = ("id", "code", "unit", "lon", "lat", "category", "at")


@dataclass(frozen=True)
class Prepared:
    """Units and their weights: what an analysis reuses while the grids do not change."""

    units: Units
    spec: WeightsSpec
    w: csr_matrix


@dataclass(frozen=True)
class HotspotResult:
    """The table (one row per unit), the islands' codes, the units and the filtered points."""

    table: pd.DataFrame
    islands: list[str]
    units: Units
    points: pd.DataFrame
    filters: Filters
    weights: str
    permutations: int
    unassigned: int  # filtered points in no unit (outside every unit of the level or mesh)


@cache
def _builtin_catalog() -> dict[str, Layer]:
    """The catalog twin ships (layers/), read once."""
    return load_catalog(Settings().layers_dir)


def time_field(layer: Layer) -> str | None:
    """The field a window filters on: the layer's first timestamp field, if any."""
    return next((f.name for f in layer.fields if f.type == "timestamp"), None)


def points_sql(layer: Layer, f: Filters) -> sql.Composed:
    """SELECT of the points `f` keeps, with each point's unit code at a level (NULL for a mesh)."""
    names = layer.field_names
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
                sql.SQL("p.{c}::text = ANY(%({k})s)").format(
                    c=sql.Identifier(column), k=sql.SQL(key)
                )
            )
    if f.status == "open":
        where.append(sql.SQL("p.status::text = ANY(%(open)s)"))
    category = sql.SQL("p.category::text") if "category" in names else sql.SQL("NULL::text")
    stamp = sql.SQL("p.{}").format(sql.Identifier(at)) if at else sql.SQL("NULL::timestamptz")
    if hex_size(f.unit) is None:
        unit = sql.SQL("u.code")
        join = sql.SQL(
            "LEFT JOIN (grid_ancestor a JOIN grid u"
            " ON u.id = a.ancestor_id AND u.level = %(level)s) ON a.grid_id = p.grid_id"
        )
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
        where=sql.SQL(" AND ").join(where),
    )


def points_params(layer: Layer, f: Filters, now: datetime) -> dict[str, Any]:
    """The values of points_sql's parameters."""
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


def filtered_points(
    conn: psycopg.Connection,
    filters: Filters,
    now: datetime,
    layers: Mapping[str, Layer] | None = None,
) -> pd.DataFrame:
    """The points the filters keep (id, code, unit at a level, lon, lat, category, at), by id."""
    layers = layers or _builtin_catalog()
    check_filters(filters, layers)
    layer = layers[filters.layer]
    with conn.cursor() as cur:
        rows = cur.execute(
            points_sql(layer, filters), points_params(layer, filters, now)
        ).fetchall()
    return pd.DataFrame(rows, columns=list(POINT_COLUMNS))


def prepare(conn: psycopg.Connection, unit: str, weights: str) -> Prepared:
    """The units of `unit` and their weights of kind `weights`."""
    try:
        spec = parse_weights(weights)
    except ValueError as exc:
        raise FilterError("weights", str(exc)) from exc
    units = analysis_units(conn, unit)
    return Prepared(units, spec, build_weights(spec, units.geoms, units.xy, units.tolerance_m))


def hotspot_table(
    units: Units, counts: np.ndarray, w: csr_matrix, permutations: int = 0, seed: int = 0
) -> tuple[pd.DataFrame, list[str]]:
    """Gi* of the counts, BH over units with neighbours, classes: one row per unit; islands."""
    g = gi_star(counts, w, permutations=permutations, seed=seed)
    p = g.p_sim if g.p_sim is not None else g.p_norm
    p_fdr = benjamini_hochberg(p)
    table = pd.DataFrame(
        {
            "code": units.codes,
            "name": units.names,
            "count": counts.astype(np.int64),
            "gi_z": g.z,
            "p_value": p,
            "p_fdr": p_fdr,
            "class": classify(g.z, p_fdr),
        }
    )
    return table, units.codes[g.islands].tolist()


def run_hotspots(
    conn: psycopg.Connection,
    filters: Filters,
    now: datetime,
    weights: str = "queen",
    permutations: int = 0,
    seed: int = 0,
    layers: Mapping[str, Layer] | None = None,
    prepared: Prepared | None = None,
) -> HotspotResult:
    """Gi* hotspots of the filtered points per unit (prepared: units and weights to reuse)."""
    if permutations < 0:
        raise FilterError("permutations", "must be 0 or more")
    points = filtered_points(conn, filters, now, layers)
    prepared = prepared or prepare(conn, filters.unit, weights)
    units = prepared.units
    xy = units.projection.to_metres(points["lon"].to_numpy(), points["lat"].to_numpy())
    index = unit_index(units, points["unit"].to_numpy(), xy)
    if units.mesh is not None:
        codes = units.codes[np.maximum(index, 0)]
        codes[index < 0] = None
        points["unit"] = codes
    counts = np.bincount(index[index >= 0], minlength=len(units)).astype(float)
    table, islands = hotspot_table(units, counts, prepared.w, permutations, seed)
    return HotspotResult(
        table=table,
        islands=islands,
        units=units,
        points=points,
        filters=filters,
        weights=str(prepared.spec),
        permutations=permutations,
        unassigned=int((index < 0).sum()),
    )
