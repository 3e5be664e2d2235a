"""Emerging hotspots: Gi* per unit and time step, Mann-Kendall on each unit's z series, and the
categories of Esri's Emerging Hot Spot Analysis.

The window is cut into steps of a day or a week that end at the window's end (step_edges). Each
step's counts get their Gi* with the analysis's weights (the same neighbours at every step; no
time-lagged neighbours), and the Benjamini-Hochberg adjustment over that step's units.

A step is *hot* when its Gi* p-value, Benjamini-Hochberg adjusted over the units of that step,
is <= 0.10 (90 % confidence) and its z > 0; *cold* when the same holds with z < 0. The trend is
*significant* when the Mann-Kendall p-value of the unit's z series is <= 0.10; *rising* when
its z > 0, *falling* when < 0. "90 % of the steps" means hot_steps * 10 >= 9 * steps (13 weekly
steps: 12 of them). The rules, tried in this order (the first that holds wins):

| category     | rule                                                                          |
| ------------ | ----------------------------------------------------------------------------- |
| new          | the final step is hot and no step before it was ever hot                      |
| intensifying | >= 90 % of the steps hot, the final step hot, and a significant rising trend  |
| diminishing  | >= 90 % of the steps hot, the final step hot, and a significant falling trend |
| persistent   | >= 90 % of the steps hot, the final step hot, no significant trend           |
| consecutive  | the final step hot, ending an unbroken run of >= 2 hot steps, no hot step     |
|              | before that run, and < 90 % of the steps hot                                  |
| oscillating  | the final step hot, < 90 % of the steps hot, hot before the final run, and    |
|              | at least one earlier step cold                                                |
| sporadic     | the final step hot, < 90 % of the steps hot, hot before the final run, and    |
|              | never cold                                                                    |
| historical   | the final step NOT hot (nor cold), yet >= 90 % of the steps hot               |
| *_cold       | the same rules with hot and cold swapped and the trend's sign flipped         |
|              | ("intensifying_cold" = ever colder: a significant falling trend)              |
| none         | none of the above (never significant, or on-and-off without a final step)     |
| ""           | an island: the unit has no neighbour, so no Gi* at any step                   |

The final step decides the side: a final hot step gives a hot category, a final cold step a cold
one; only without a significant final step do the historical rules apply.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import psycopg
from scipy.sparse import csr_matrix

from twin.catalog import Layer
from twin.hotspots.analysis import Prepared, filtered_points, prepare
from twin.hotspots.classes import classify
from twin.hotspots.fdr import benjamini_hochberg
from twin.hotspots.filters import FilterError, Filters
from twin.hotspots.gistar import gi_star
from twin.hotspots.mannkendall import mann_kendall_rows
from twin.hotspots.units import Units, unit_index

EMERGING = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
    "new_cold",
    "consecutive_cold",
    "intensifying_cold",
    "persistent_cold",
    "diminishing_cold",
    "sporadic_cold",
    "oscillating_cold",
    "historical_cold",
    "none",
)
ALPHA = 0.10  # 90 % confidence, for a step's adjusted p and for the trend's p


def classify_emerging(
    z_steps: np.ndarray, p_steps: np.ndarray, trend_z: float, trend_p: float
) -> str:
    """The emerging category of one unit from its per-step Gi* z, adjusted p and its trend."""
    z = np.asarray(z_steps, dtype=float)
    p = np.asarray(p_steps, dtype=float)
    if np.isnan(z).all():
        return ""
    significant = ~np.isnan(z) & ~np.isnan(p) & (p <= ALPHA)
    hot = significant & (z > 0)
    cold = significant & (z < 0)
    trend = int(np.sign(trend_z)) if trend_p <= ALPHA else 0
    if hot[-1]:
        return _final_significant(hot, cold, trend, "")
    if cold[-1]:
        return _final_significant(cold, hot, -trend, "_cold")
    if _mostly(hot):
        return "historical"
    if _mostly(cold):
        return "historical_cold"
    return "none"


def classify_emerging_all(
    z: np.ndarray, p: np.ndarray, trend_z: np.ndarray, trend_p: np.ndarray
) -> np.ndarray:
    """The category of every unit (rows of the units × steps arrays z and p)."""
    return np.array(
        [classify_emerging(z[k], p[k], trend_z[k], trend_p[k]) for k in range(len(z))],
        dtype=object,
    ).astype(str)


def _final_significant(same: np.ndarray, other: np.ndarray, trend: int, suffix: str) -> str:
    """The category of a unit whose final step is significant on the side `same`."""
    if same.sum() == 1:
        return "new" + suffix
    if _mostly(same):
        name = {1: "intensifying", -1: "diminishing", 0: "persistent"}[trend]
        return name + suffix
    run = _final_run(same)
    if run >= 2 and not same[: len(same) - run].any():
        return "consecutive" + suffix
    return ("oscillating" if other.any() else "sporadic") + suffix


def _mostly(mask: np.ndarray) -> bool:
    """Whether at least 90 % of the steps are set (integer arithmetic, no float edge)."""
    return int(mask.sum()) * 10 >= 9 * len(mask)


def _final_run(mask: np.ndarray) -> int:
    """The length of the unbroken run of set steps that ends at the final step."""
    unset = np.flatnonzero(~mask)
    return len(mask) - 1 - int(unset[-1]) if len(unset) else len(mask)


STEPS = {"1d": timedelta(days=1), "7d": timedelta(days=7)}
MIN_STEPS = 2
TABLE_COLUMNS = (
    "code", "name", "count", "count_final", "gi_z", "p_fdr", "class", "category", "trend_z",
    "trend_p",
)  # fmt: skip


@dataclass(frozen=True)
class Cube:
    """Gi* of every unit at every step: counts, z and BH-adjusted p (units × steps)."""

    counts: np.ndarray
    z: np.ndarray
    p_fdr: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    category: np.ndarray
    islands: np.ndarray


@dataclass(frozen=True)
class EmergingResult:
    """The table (one row per unit), the step edges, the cube and the units."""

    table: pd.DataFrame
    edges: list[datetime]  # steps + 1 instants; step k covers [edges[k], edges[k + 1])
    cube: Cube
    units: Units
    islands: list[str]
    step: str


def step_edges(
    start: datetime | None, end: datetime, step: str, first: datetime | None
) -> list[datetime]:
    """The step boundaries, ending at `end`: whole steps back to `start` (a remainder shorter
    than a step at the start is left out), or for no start back to the step holding `first`."""
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


def emerging_cube(counts: np.ndarray, w: csr_matrix) -> Cube:
    """Gi* per step with that step's counts and the same neighbours, BH per step, then the
    Mann-Kendall trend of each unit's z series and its category."""
    units, steps = counts.shape
    z = np.empty((units, steps))
    p_fdr = np.empty((units, steps))
    islands = np.zeros(units, dtype=bool)
    for s in range(steps):
        g = gi_star(counts[:, s], w)
        z[:, s], p_fdr[:, s], islands = g.z, benjamini_hochberg(g.p_norm), g.islands
    _, trend_z, trend_p = mann_kendall_rows(z)
    trend_z[islands], trend_p[islands] = np.nan, np.nan
    category = classify_emerging_all(z, p_fdr, trend_z, trend_p)
    return Cube(counts, z, p_fdr, trend_z, trend_p, category, islands)


def run_emerging(
    conn: psycopg.Connection,
    filters: Filters,
    now: datetime,
    step: str = "7d",
    weights: str = "queen",
    layers: Mapping[str, Layer] | None = None,
    prepared: Prepared | None = None,
) -> EmergingResult:
    """Emerging hotspots of the filtered points per unit over steps of `step` in the window."""
    points = filtered_points(conn, filters, now, layers)
    at = pd.to_datetime(points["at"], utc=True)
    start, end = filters.window.bounds(now)
    if at.isna().all() and len(points):
        raise FilterError("layer", f"{filters.layer!r} has no time to cut into steps")
    edges = step_edges(start, end, step, at.min().to_pydatetime() if len(points) else None)
    prepared = prepared or prepare(conn, filters.unit, weights)
    units = prepared.units
    xy = units.projection.to_metres(points["lon"].to_numpy(), points["lat"].to_numpy())
    unit = unit_index(units, points["unit"].to_numpy(), xy)
    since = (at - pd.Timestamp(edges[0])).to_numpy() / np.timedelta64(STEPS[step])
    k = np.floor(np.nan_to_num(since, nan=-1.0)).astype(np.int64)
    steps = len(edges) - 1
    keep = (unit >= 0) & (k >= 0) & (k < steps)
    flat = np.bincount(unit[keep] * steps + k[keep], minlength=len(units) * steps)
    cube = emerging_cube(flat.reshape(len(units), steps).astype(float), prepared.w)
    final = classify(cube.z[:, -1], cube.p_fdr[:, -1])
    table = pd.DataFrame(
        {
            "code": units.codes,
            "name": units.names,
            "count": cube.counts.sum(axis=1).astype(np.int64),
            "count_final": cube.counts[:, -1].astype(np.int64),
            "gi_z": cube.z[:, -1],
            "p_fdr": cube.p_fdr[:, -1],
            "class": final,
            "category": cube.category,
            "trend_z": cube.trend_z,
            "trend_p": cube.trend_p,
        }
    )
    islands = list(units.codes[cube.islands])
    return EmergingResult(table, edges, cube, units, islands, step)
