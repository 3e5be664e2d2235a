"""The filtered points counted per unit and time step (the space-time cube of emerging hotspots).

Steps end at the window's end: whole steps back to its start (a remainder shorter than a step
at the start is left out), or, for window "all", back to the step holding the earliest kept
point. A level's units are counted in SQL (GROUP BY grid and step, rolled up to the level);
a hexagon mesh places each kept point by its position.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from twin.catalog import Layer
from twin.hotspots.analysis import Prepared, filtered_points
from twin.hotspots.filters import STEPS, FilterError, Filters, check_filters
from twin.hotspots.points import builtin_catalog, params, time_field, where_sql
from twin.hotspots.units import unit_index

MIN_STEPS = 2


def step_edges(
    start: datetime | None, end: datetime, step: str, first: datetime | None
) -> list[datetime]:
    """The step boundaries, ending at `end`: whole steps back to `start`, or for no start back
    to the step holding `first` (the earliest point)."""
    if step not in STEPS:
        raise FilterError("step", f"{step!r}: expected one of {', '.join(STEPS)}")
    length = STEPS[step]
    if start is None:
        count = math.ceil((end - first) / length) if first is not None and first < end else 0
    else:
        count = math.floor((end - start) / length)
    if count < MIN_STEPS:
        raise FilterError("step", f"the window holds {count} step(s) of {step}; need {MIN_STEPS}")
    return [end - (count - k) * length for k in range(count + 1)]


def count_steps(
    conn: psycopg.Connection,
    filters: Filters,
    now: datetime,
    prepared: Prepared,
    step: str,
    layers: Mapping[str, Layer] | None = None,
) -> tuple[np.ndarray, list[datetime]]:
    """The kept points counted per unit (rows) and step (columns), and the step edges."""
    catalog = layers or builtin_catalog()
    check_filters(filters, catalog)
    layer = catalog[filters.layer]
    at = time_field(layer)
    if at is None:
        raise FilterError("layer", f"{layer.name!r} has no time to cut into steps")
    values = params(layer, filters, now)
    start, end = filters.window.bounds(now)
    first = None
    if start is None:
        first = _earliest(conn, layer, filters, at, values)
    edges = step_edges(start, end, step, first)
    n, steps = len(prepared.units), len(edges) - 1
    if prepared.units.mesh is not None:
        unit, k, weight = _mesh_steps(conn, filters, now, prepared, edges[0], step, layers)
    else:
        unit, k, weight = _grid_steps(conn, layer, filters, at, values, prepared, edges[0], step)
    keep = (unit >= 0) & (k >= 0) & (k < steps)
    flat = np.bincount(unit[keep] * steps + k[keep], weights=weight[keep], minlength=n * steps)
    return flat.reshape(n, steps), edges


def _earliest(
    conn: psycopg.Connection, layer: Layer, f: Filters, at: str, values: dict[str, object]
) -> datetime | None:
    """The time of the earliest kept point (None when none is kept)."""
    select = sql.SQL("SELECT min(p.{}) FROM {} p WHERE {}").format(
        sql.Identifier(at), sql.Identifier(layer.table), where_sql(layer, f)
    )
    row = conn.execute(select, values).fetchone()
    return row[0] if row else None


def _grid_steps(
    conn: psycopg.Connection,
    layer: Layer,
    f: Filters,
    at: str,
    values: dict[str, object],
    prepared: Prepared,
    origin: datetime,
    step: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit index, step index, count) per grid and step, counted in SQL, rolled up."""
    select = sql.SQL(
        "SELECT coalesce(p.grid_id, -1),"
        " floor(extract(epoch FROM p.{at} - %(origin)s) / %(step_s)s)::bigint, count(*)"
        " FROM {table} p WHERE {where} AND p.{at} >= %(origin)s GROUP BY 1, 2"
    ).format(at=sql.Identifier(at), table=sql.Identifier(layer.table), where=where_sql(layer, f))
    step_s = STEPS[step].total_seconds()
    rows = conn.execute(select, values | {"origin": origin, "step_s": step_s}).fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    k = np.array([r[1] for r in rows], dtype=np.int64)
    counts = np.array([r[2] for r in rows], dtype=float)
    found = pd.Index(prepared.grid_ids).get_indexer(ids)
    unit = np.where(found >= 0, prepared.grid_unit[np.maximum(found, 0)], -1)
    return unit, k, counts


def _mesh_steps(
    conn: psycopg.Connection,
    f: Filters,
    now: datetime,
    prepared: Prepared,
    origin: datetime,
    step: str,
    layers: Mapping[str, Layer] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit index, step index, 1) per kept point, placed in the mesh by its position."""
    points = filtered_points(conn, f, now, layers, units=prepared.units)
    xy = prepared.units.projection.to_metres(points["lon"].to_numpy(), points["lat"].to_numpy())
    unit = unit_index(prepared.units, None, xy)
    at = pd.to_datetime(points["at"], utc=True)
    since = (at - pd.Timestamp(origin)).to_numpy() / np.timedelta64(STEPS[step])
    k = np.floor(since).astype(np.int64)
    return unit, k, np.ones(len(unit))
