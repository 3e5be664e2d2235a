"""Each emerging-hotspot category has a constructed series that must produce it."""

import numpy as np
import pytest

from twin.hotspots.emerging import EMERGING, classify_emerging, classify_emerging_all
from twin.hotspots.mannkendall import mann_kendall

# One letter per step: H hot (z 3, p 0.01), C cold (z -3), . not significant (z 0.5, p 0.6).
STEP = {"H": (3.0, 0.01), "C": (-3.0, 0.01), ".": (0.5, 0.6)}


def _steps(pattern: str) -> tuple[np.ndarray, np.ndarray]:
    """z and adjusted p of a pattern of steps, oldest first."""
    pairs = np.array([STEP[c] for c in pattern])
    return pairs[:, 0], pairs[:, 1]


def _category(z: np.ndarray, p: np.ndarray) -> str:
    """The category with the trend computed from z, as run_emerging does."""
    trend = mann_kendall(z)
    return classify_emerging(z, p, trend.z, trend.p)


RISING = np.linspace(2.0, 6.0, 10)
LEVEL = np.array([3.0, 4.0, 3.5, 3.2, 3.9, 3.1, 3.8, 3.3, 3.6, 3.4])  # no trend

CASES = {
    "new": _steps(".........H"),
    "consecutive": _steps("......HHHH"),
    "intensifying": (RISING, np.full(10, 0.01)),
    "persistent": (LEVEL, np.full(10, 0.01)),
    "diminishing": (RISING[::-1].copy(), np.full(10, 0.01)),
    "sporadic": _steps(".H..H...HH"),
    "oscillating": _steps("C..H...C.H"),
    "historical": _steps("HHHHHHHHH."),
    "none": _steps("H.H.H....."),
}


@pytest.mark.parametrize("name", list(CASES))
def test_constructed_hot_series_produces_its_category(name: str) -> None:
    z, p = CASES[name]
    assert _category(z, p) == name


@pytest.mark.parametrize("name", [n for n in CASES if n != "none"])
def test_the_mirror_series_produces_the_cold_category(name: str) -> None:
    z, p = CASES[name]
    assert _category(-z, p) == name + "_cold"


def test_every_category_has_a_constructed_series() -> None:
    covered = set(CASES) | {n + "_cold" for n in CASES if n != "none"}
    assert covered == set(EMERGING)


def test_a_unit_without_neighbours_has_no_category() -> None:
    assert classify_emerging(np.full(10, np.nan), np.full(10, np.nan), 0.0, 1.0) == ""


def test_nine_of_ten_hot_steps_is_persistent_eight_is_not() -> None:
    z9 = np.array([3.0, 4.0, 3.5, 3.2, 0.5, 3.1, 3.8, 3.3, 3.6, 3.4])
    p9 = np.where(z9 > 1, 0.01, 0.6)
    assert _category(z9, p9) == "persistent"
    z8, p8 = z9.copy(), p9.copy()
    z8[6], p8[6] = 0.5, 0.6
    assert _category(z8, p8) == "sporadic"


def test_twelve_of_thirteen_weekly_steps_meet_the_ninety_percent_rule() -> None:
    z, p = _steps("H" * 11 + ".H")
    assert classify_emerging(z, p, 0.0, 1.0) == "persistent"
    z, p = _steps("H" * 10 + "..H")
    assert classify_emerging(z, p, 0.0, 1.0) == "sporadic"


def test_a_trend_needs_p_at_most_ten_percent() -> None:
    z, p = RISING, np.full(10, 0.01)
    assert classify_emerging(z, p, 2.0, 0.10) == "intensifying"
    assert classify_emerging(z, p, 2.0, 0.11) == "persistent"


def test_a_step_is_hot_only_at_adjusted_p_at_most_ten_percent() -> None:
    z, p = _steps(".........H")
    p[-1] = 0.10
    assert classify_emerging(z, p, 0.0, 1.0) == "new"
    p[-1] = 0.1001
    assert classify_emerging(z, p, 0.0, 1.0) == "none"


def test_one_cold_step_before_turns_sporadic_into_oscillating() -> None:
    assert _category(*_steps(".H..H...HH")) == "sporadic"
    assert _category(*_steps(".H..H.C.HH")) == "oscillating"


def test_hot_before_the_final_run_is_not_consecutive() -> None:
    assert _category(*_steps("......HHHH")) == "consecutive"
    assert _category(*_steps("H.....HHHH")) == "sporadic"


def test_the_final_step_decides_the_side() -> None:
    # Nine hot weeks then a cold one: the unit is cold now, for the first time.
    assert _category(*_steps("HHHHHHHHHC")) == "new_cold"


def test_all_units_at_once_match_one_at_a_time() -> None:
    names = list(CASES)
    z = np.array([CASES[n][0] for n in names] + [np.full(10, np.nan)])
    p = np.array([CASES[n][1] for n in names] + [np.full(10, np.nan)])
    trends = [mann_kendall(row) for row in z]
    got = classify_emerging_all(
        z, p, np.array([t.z for t in trends]), np.array([t.p for t in trends])
    )
    assert list(got) == [*names, ""]
