"""One hotspot analysis: the filtered points counted per unit, Gi*, FDR and classes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import psycopg
from scipy.sparse import csr_matrix

from twin.catalog import Layer
from twin.db.queries import query
from twin.hotspots.classes import classify
from twin.hotspots.fdr import benjamini_hochberg
from twin.hotspots.filters import FilterError, Filters, check_filters
from twin.hotspots.gistar import gi_star
from twin.hotspots.points import (
    POINT_COLUMNS,
    builtin_catalog,
    count_by_grid,
    fetch_lonlat,
    fetch_points,
)
from twin.hotspots.units import Units, analysis_units, unit_index
from twin.hotspots.weights import WeightsSpec, build_weights, parse_weights

__all__ = [
    "POINT_COLUMNS",
    "TABLE_COLUMNS",
    "HotspotResult",
    "Prepared",
    "builtin_catalog",
    "filtered_points",
    "hotspot_table",
    "prepare",
    "run_hotspots",
]

TABLE_COLUMNS = ("code", "name", "count", "gi_z", "p_value", "p_fdr", "class")


@dataclass(frozen=True)
class Prepared:
    """Units, their weights and (at a level) each store unit's unit: reused while grids hold."""

    units: Units
    spec: WeightsSpec
    w: csr_matrix
    grid_ids: np.ndarray  # store units (grid.id) that lie in a unit of the level ...
    grid_unit: np.ndarray  # ... and the index in `units` of that unit


@dataclass(frozen=True)
class HotspotResult:
    """The table (one row per unit), the islands' codes, the units, and what was asked."""

    table: pd.DataFrame
    islands: list[str]
    units: Units
    filters: Filters
    weights: str
    permutations: int
    unassigned: int  # filtered points in no unit (outside every unit of the level or mesh)


def prepare(conn: psycopg.Connection, unit: str, weights: str) -> Prepared:
    """The units of `unit`, their weights of kind `weights`, and the roll-up to the level."""
    try:
        spec = parse_weights(weights)
    except ValueError as exc:
        raise FilterError("weights", str(exc)) from exc
    units = analysis_units(conn, unit)
    w = build_weights(spec, units.geoms, units.xy, units.tolerance_m)
    if units.mesh is not None:
        return Prepared(units, spec, w, np.zeros(0, np.int64), np.zeros(0, np.int64))
    rows = conn.execute(query("hotspot_unit_of_grid"), {"level": unit}).fetchall()
    grid_ids = np.array([r[0] for r in rows], dtype=np.int64)
    codes = np.array([r[1] for r in rows], dtype=object)
    return Prepared(units, spec, w, grid_ids, unit_index(units, codes, np.zeros((0, 2))))


def count_points(
    conn: psycopg.Connection,
    filters: Filters,
    now: datetime,
    prepared: Prepared,
    layers: Mapping[str, Layer] | None = None,
) -> tuple[np.ndarray, int]:
    """The kept points counted per unit, and how many are in none."""
    n = len(prepared.units)
    if prepared.units.mesh is not None:
        lonlat = fetch_lonlat(conn, filters, now, layers)
        xy = prepared.units.projection.to_metres(lonlat[:, 0], lonlat[:, 1])
        index = unit_index(prepared.units, None, xy)
        return np.bincount(index[index >= 0], minlength=n).astype(float), int((index < 0).sum())
    ids, counts = count_by_grid(conn, filters, now, layers)
    at = pd.Index(prepared.grid_ids).get_indexer(ids)
    unit = np.where(at >= 0, prepared.grid_unit[np.maximum(at, 0)], -1)
    inside = unit >= 0
    per_unit = np.bincount(unit[inside], weights=counts[inside], minlength=n)
    return per_unit, int(counts[~inside].sum())


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
    check_filters(filters, layers or builtin_catalog())
    prepared = prepared or prepare(conn, filters.unit, weights)
    if prepared.units.unit != filters.unit:
        raise ValueError(f"prepared for {prepared.units.unit!r}, not {filters.unit!r}")
    counts, unassigned = count_points(conn, filters, now, prepared, layers)
    table, islands = hotspot_table(prepared.units, counts, prepared.w, permutations, seed)
    return HotspotResult(
        table=table,
        islands=islands,
        units=prepared.units,
        filters=filters,
        weights=str(prepared.spec),
        permutations=permutations,
        unassigned=unassigned,
    )


def filtered_points(
    conn: psycopg.Connection,
    filters: Filters,
    now: datetime,
    layers: Mapping[str, Layer] | None = None,
    codes: Sequence[str] | None = None,
    units: Units | None = None,
) -> pd.DataFrame:
    """The kept points (id, code, unit, lon, lat, category, at), by id; codes: only those in
    these units (e.g. a hotspot's); units: the mesh to place points in (else drawn again)."""
    if units is None and filters.unit.startswith("hex:"):
        units = analysis_units(conn, filters.unit)
    if units is None or units.mesh is None:
        return fetch_points(conn, filters, now, layers, codes)
    points = fetch_points(conn, filters, now, layers)
    xy = units.projection.to_metres(points["lon"].to_numpy(), points["lat"].to_numpy())
    index = unit_index(units, None, xy)
    unit = units.codes[np.maximum(index, 0)]
    unit[index < 0] = None
    points["unit"] = unit
    if codes is not None:
        points = points[points["unit"].isin(list(codes))].reset_index(drop=True)
    return points
