"""Benjamini–Hochberg adjustment and the seven hotspot classes."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import false_discovery_control

from twin.hotspots.classes import CLASSES, classify
from twin.hotspots.fdr import benjamini_hochberg


def test_bh_equals_scipy_on_random_p() -> None:
    p = np.random.default_rng(1).uniform(0, 1, 500) ** 3
    np.testing.assert_allclose(benjamini_hochberg(p), false_discovery_control(p), atol=1e-15)


def test_bh_textbook_example() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005])
    # ranks 1..4 of 0.005, 0.01, 0.03, 0.04 times 4/rank, then the running minimum from the top
    np.testing.assert_allclose(benjamini_hochberg(p), [0.02, 0.04, 0.04, 0.02])


def test_bh_nan_passes_through_and_is_not_counted() -> None:
    p = np.array([0.01, np.nan, 0.04])
    out = benjamini_hochberg(p)
    assert np.isnan(out[1])
    np.testing.assert_allclose(out[[0, 2]], [0.02, 0.04])


def test_bh_of_nothing() -> None:
    assert benjamini_hochberg(np.array([])).shape == (0,)
    assert np.isnan(benjamini_hochberg(np.array([np.nan]))).all()


@pytest.mark.parametrize(
    ("z", "p", "expected"),
    [
        (3.0, 0.01, "hot_99"),
        (3.0, 0.0100001, "hot_95"),
        (2.0, 0.05, "hot_95"),
        (1.7, 0.10, "hot_90"),
        (1.7, 0.1000001, "none"),
        (-3.0, 0.001, "cold_99"),
        (-2.0, 0.05, "cold_95"),
        (-1.7, 0.099, "cold_90"),
        (0.0, 0.0, "none"),
        (np.nan, np.nan, ""),
        (2.0, np.nan, ""),
    ],
)
def test_class_rules(z: float, p: float, expected: str) -> None:
    assert classify(np.array([z]), np.array([p])).tolist() == [expected]


def test_classes_are_the_seven_of_the_issue() -> None:
    assert CLASSES == ("hot_99", "hot_95", "hot_90", "none", "cold_90", "cold_95", "cold_99")
