"""Emerging hotspots: Gi* per unit and time step, Mann-Kendall on each unit's z series, and the
categories of Esri's Emerging Hot Spot Analysis.

The window is cut into steps of a day or a week that end at the window's end (steps.py). Each
step's counts get their Gi* with the analysis's weights (the same neighbours at every step),
and the Benjamini-Hochberg adjustment over that step's units. Optionally (lags k) a step's
neighbourhood also holds the k steps before it: its Gi* runs on the counts summed over them.

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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import psycopg
from scipy.sparse import csr_matrix

from twin.catalog import Layer
from twin.hotspots.analysis import Prepared, prepare
from twin.hotspots.classes import classify
from twin.hotspots.fdr import benjamini_hochberg
from twin.hotspots.filters import FilterError, Filters, check_filters
from twin.hotspots.gistar import gi_star
from twin.hotspots.mannkendall import mann_kendall_rows
from twin.hotspots.points import builtin_catalog
from twin.hotspots.steps import count_steps
from twin.hotspots.units import Units

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
    z = np.asarray(z_steps, dtype=float)[None, :]
    p = np.asarray(p_steps, dtype=float)[None, :]
    return str(classify_emerging_all(z, p, np.array([trend_z]), np.array([trend_p]))[0])


def classify_emerging_all(
    z: np.ndarray, p: np.ndarray, trend_z: np.ndarray, trend_p: np.ndarray
) -> np.ndarray:
    """The category of every unit (rows of the units × steps arrays z and p), vectorised."""
    z, p = np.asarray(z, dtype=float), np.asarray(p, dtype=float)
    significant = ~np.isnan(z) & (np.nan_to_num(p, nan=1.0) <= ALPHA)
    hot = significant & (z > 0)
    cold = significant & (z < 0)
    trend_p = np.nan_to_num(np.asarray(trend_p, dtype=float), nan=1.0)
    trend = np.where(trend_p <= ALPHA, np.sign(np.nan_to_num(trend_z)), 0)
    out = np.select(
        [hot[:, -1], cold[:, -1], _mostly(hot), _mostly(cold)],
        [_final_significant(hot, cold, trend, ""), _final_significant(cold, hot, -trend, "_cold"),
         "historical", "historical_cold"],
        "none",
    )  # fmt: skip
    out[np.isnan(z).all(axis=1)] = ""
    return out


def _final_significant(
    same: np.ndarray, other: np.ndarray, trend: np.ndarray, suffix: str
) -> np.ndarray:
    """The category of each unit as if its final step were significant on the side `same`."""
    count = same.sum(axis=1)
    mostly = _mostly(same)
    run = _final_run(same)
    rules = [
        (count == 1, "new"),
        (mostly & (trend > 0), "intensifying"),
        (mostly & (trend < 0), "diminishing"),
        (mostly, "persistent"),
        ((run >= 2) & (count == run), "consecutive"),  # no step of that side before the run
        (other.any(axis=1), "oscillating"),
    ]
    return np.select([c for c, _ in rules], [n + suffix for _, n in rules], "sporadic" + suffix)


def _mostly(mask: np.ndarray) -> np.ndarray:
    """Whether at least 90 % of each row's steps are set (integer arithmetic, no float edge)."""
    return mask.sum(axis=1) * 10 >= 9 * mask.shape[1]


def _final_run(mask: np.ndarray) -> np.ndarray:
    """The length of the unbroken run of set steps that ends at each row's final step."""
    unset_from_end = ~mask[:, ::-1]
    return np.where(unset_from_end.any(axis=1), unset_from_end.argmax(axis=1), mask.shape[1])


TABLE_COLUMNS = (
    "code", "name", "count", "count_final", "gi_z", "p_value", "p_fdr", "class", "category",
    "trend_z", "trend_p",
)  # fmt: skip


@dataclass(frozen=True)
class Cube:
    """Gi* of every unit at every step: counts, z, normal p and BH-adjusted p (units × steps)."""

    counts: np.ndarray
    z: np.ndarray
    p_value: np.ndarray
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


def emerging_cube(counts: np.ndarray, w: csr_matrix, lags: int = 0) -> Cube:
    """Gi* per step with the same neighbours, BH per step, then the Mann-Kendall trend of each
    unit's z series and its category. With lags k a step's neighbourhood also holds the same
    units in the k steps before it (its Gi* runs on counts summed over those k + 1 steps)."""
    if lags < 0:
        raise FilterError("lags", f"must be 0 or more, got {lags}")
    units, steps = counts.shape
    summed = np.cumsum(counts, axis=1)
    summed[:, lags + 1 :] -= summed[:, : steps - lags - 1].copy()
    z = np.empty((units, steps))
    p_value = np.empty((units, steps))
    p_fdr = np.empty((units, steps))
    islands = np.zeros(units, dtype=bool)
    for s in range(steps):
        g = gi_star(summed[:, s], w)
        z[:, s], p_value[:, s], islands = g.z, g.p_norm, g.islands
        p_fdr[:, s] = benjamini_hochberg(g.p_norm)
    _, trend_z, trend_p = mann_kendall_rows(z)
    trend_z[islands], trend_p[islands] = np.nan, np.nan
    category = classify_emerging_all(z, p_fdr, trend_z, trend_p)
    return Cube(counts, z, p_value, p_fdr, trend_z, trend_p, category, islands)


def run_emerging(
    conn: psycopg.Connection,
    filters: Filters,
    now: datetime,
    step: str = "7d",
    weights: str = "queen",
    layers: Mapping[str, Layer] | None = None,
    prepared: Prepared | None = None,
    lags: int = 0,
) -> EmergingResult:
    """Emerging hotspots of the filtered points per unit over steps of `step` in the window
    (lags: previous steps in each step's neighbourhood)."""
    check_filters(filters, layers or builtin_catalog())  # before units: a bad level is named
    prepared = prepared or prepare(conn, filters.unit, weights)
    if prepared.units.unit != filters.unit:
        raise ValueError(f"prepared for {prepared.units.unit!r}, not {filters.unit!r}")
    units = prepared.units
    counts, edges = count_steps(conn, filters, now, prepared, step, layers)
    cube = emerging_cube(counts, prepared.w, lags)
    final = classify(cube.z[:, -1], cube.p_fdr[:, -1])
    table = pd.DataFrame(
        {
            "code": units.codes,
            "name": units.names,
            "count": cube.counts.sum(axis=1).astype(np.int64),
            "count_final": cube.counts[:, -1].astype(np.int64),
            "gi_z": cube.z[:, -1],
            "p_value": cube.p_value[:, -1],
            "p_fdr": cube.p_fdr[:, -1],
            "class": final,
            "category": cube.category,
            "trend_z": cube.trend_z,
            "trend_p": cube.trend_p,
        }
    )
    islands = list(units.codes[cube.islands])
    return EmergingResult(table, edges, cube, units, islands, step)
