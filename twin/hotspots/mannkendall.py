"""The Mann-Kendall trend test (the original test, as pymannkendall.original_test computes it).

S = sum over i < j of sign(x_j - x_i). Its variance under "no trend", with the ties correction:
    var(S) = (n(n-1)(2n+5) - sum_t t(t-1)(2t+5)) / 18
where t runs over the sizes of the groups of equal values. The z-score has the continuity
correction: z = (S - 1)/sqrt(var) when S > 0, (S + 1)/sqrt(var) when S < 0, 0 when S = 0; the
p-value is two-sided from the normal distribution. NaN values are dropped first (as
pymannkendall does); fewer than 2 values give s = 0, z = 0, p = 1.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import ndtr


class Trend(NamedTuple):
    """The Mann-Kendall statistic S, its z-score and two-sided p-value."""

    s: float
    z: float
    p: float


def mann_kendall(series: np.ndarray | list[float]) -> Trend:
    """The original Mann-Kendall test on one series (NaN dropped)."""
    x = np.asarray(series, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 2:
        return Trend(0.0, 0.0, 1.0)
    i, j = np.triu_indices(n, 1)
    s = float(np.sign(x[j] - x[i]).sum())
    z = _z(s, _variance(x))
    return Trend(s, z, float(2 * ndtr(-abs(z))))


def mann_kendall_rows(z_steps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """S, z and p of every row of a (units × steps) array at once; a row with NaN goes alone."""
    z_steps = np.asarray(z_steps, dtype=float)
    units, n = z_steps.shape
    s = np.zeros(units)
    z = np.zeros(units)
    p = np.ones(units)
    gappy = np.isnan(z_steps).any(axis=1)
    full = z_steps[~gappy]
    if n >= 2 and len(full):
        i, j = np.triu_indices(n, 1)
        s_full = np.sign(full[:, j] - full[:, i]).sum(axis=1)
        var = _variances(full)
        with np.errstate(divide="ignore", invalid="ignore"):
            z_full = np.where(
                (s_full != 0) & (var > 0), (s_full - np.sign(s_full)) / np.sqrt(var), 0.0
            )
        s[~gappy], z[~gappy] = s_full, z_full
        p[~gappy] = 2 * ndtr(-np.abs(z_full))
    for k in np.flatnonzero(gappy):
        s[k], z[k], p[k] = mann_kendall(z_steps[k])
    return s, z, p


def _variance(x: np.ndarray) -> float:
    """var(S) with the ties correction."""
    return float(_variances(x[None, :])[0])


def _variances(rows: np.ndarray) -> np.ndarray:
    """var(S) of each row with the ties correction: tie groups found by sorting each row."""
    units, n = rows.shape
    ordered = np.sort(rows, axis=1)
    starts = np.ones((units, n), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(starts, axis=1) - 1 + n * np.arange(units)[:, None]
    t = np.bincount(group.ravel(), minlength=units * n).astype(float)
    ties = (t * (t - 1) * (2 * t + 5)).reshape(units, n).sum(axis=1)
    return (n * (n - 1) * (2 * n + 5) - ties) / 18


def _z(s: float, var: float) -> float:
    """The z-score of S with the continuity correction (0 when S is 0 or all values tie)."""
    if s == 0 or var <= 0:
        return 0.0
    return float((s - np.sign(s)) / np.sqrt(var))
