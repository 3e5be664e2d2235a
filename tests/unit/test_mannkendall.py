"""The Mann-Kendall test equals pymannkendall.original_test on generated series."""

import numpy as np
import pymannkendall
import pytest

from twin.hotspots.mannkendall import mann_kendall, mann_kendall_rows


def _series() -> list[np.ndarray]:
    """Trending, flat, noisy, heavily tied and short series, some with NaN."""
    rng = np.random.default_rng(7)
    out = []
    for n in (3, 4, 5, 10, 13, 30, 60):
        out.append(rng.normal(size=n))
        out.append(np.arange(n) * 0.3 + rng.normal(size=n))
        out.append(-np.arange(n) * 0.2 + rng.normal(size=n))
        out.append(rng.integers(0, 3, n).astype(float))  # many ties
        with_gap = rng.normal(size=n)
        with_gap[rng.integers(0, n)] = np.nan
        out.append(with_gap)
    return out


@pytest.mark.parametrize("series", _series(), ids=lambda s: f"n{len(s)}")
def test_mann_kendall_equals_pymannkendall(series: np.ndarray) -> None:
    ref = pymannkendall.original_test(series)
    got = mann_kendall(series)
    assert got.s == ref.s
    assert got.z == pytest.approx(ref.z, abs=1e-12)
    assert got.p == pytest.approx(ref.p, abs=1e-12)


def test_rows_equal_one_series_at_a_time() -> None:
    rng = np.random.default_rng(3)
    rows = rng.normal(size=(50, 13)) + np.linspace(0, 2, 50)[:, None] * np.arange(13)
    rows[4, 2] = np.nan
    rows[9, :] = np.nan
    rows[11, :] = 1.0  # all tied
    s, z, p = mann_kendall_rows(rows)
    for k, row in enumerate(rows):
        assert (s[k], z[k], p[k]) == pytest.approx(tuple(mann_kendall(row)), abs=1e-12)
    assert (s[11], z[11], p[11]) == (0.0, 0.0, 1.0)


def test_a_rising_series_has_a_significant_positive_trend() -> None:
    trend = mann_kendall(np.arange(13.0))
    assert trend.s == 78  # every one of the 13*12/2 pairs rises
    assert trend.z > 0
    assert trend.p < 0.001
