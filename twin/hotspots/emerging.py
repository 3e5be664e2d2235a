"""Emerging hotspots: Gi* per unit and time step, Mann-Kendall on each unit's z series, and the
categories of Esri's Emerging Hot Spot Analysis.

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

import numpy as np

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
