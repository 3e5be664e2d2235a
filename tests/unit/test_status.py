"""The composite status and derived KPIs, as pure functions over a status frame."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from twin.spatial.status import Thresholds, build_one_status, build_status

COUNTS = (
    "overdue",
    "incidents",
    "open",
    "open_severity_1",
    "cameras",
    "camera_status_online",
    "sensors",
    "sensor_status_alarm",
)


def status(t: Thresholds | None = None, **counts: int) -> tuple[str, list[str], float]:
    row = {c: counts.get(c, 0) for c in COUNTS} | {"code": "G1"}
    out = build_status(pd.DataFrame([row]), t or Thresholds()).iloc[0]
    return out["composite"], out["reasons"], out["camera_online_rate"]


def test_a_grid_with_no_cameras_has_no_online_rate_and_is_green() -> None:
    composite, reasons, rate = status()
    assert (composite, reasons) == ("green", []) and math.isnan(rate)


def test_one_grid_and_many_grids_are_judged_alike() -> None:
    rows = [
        {c: 0 for c in COUNTS}
        | {"code": f"G{i}", "grid_id": i, "overdue": i, "cameras": 4, "camera_status_online": i}
        for i in range(5)
    ]
    many = build_status(pd.DataFrame(rows), Thresholds())
    for i, row in enumerate(rows):
        one = build_one_status(row, Thresholds())
        assert "grid_id" not in one and "grid_id" not in many.columns
        assert one["composite"] == many["composite"][i]
        assert one["reasons"] == many["reasons"][i]
        assert one["camera_online_rate"] == many["camera_online_rate"][i] == i / 4


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, ("green", [])),
        ({"overdue": 1}, ("yellow", ["overdue"])),
        ({"overdue": 3}, ("red", ["overdue"])),
        ({"open_severity_1": 1}, ("red", ["open_severe"])),
        ({"sensor_status_alarm": 1}, ("yellow", ["sensor_alarm"])),
        ({"sensor_status_alarm": 3, "overdue": 1}, ("red", ["sensor_alarm", "overdue"])),
        ({"open": 10}, ("yellow", ["open"])),
        ({"cameras": 10, "camera_status_online": 8}, ("yellow", ["camera_offline"])),
        ({"cameras": 10, "camera_status_online": 9}, ("green", [])),
    ],
)
def test_composite_follows_the_documented_thresholds(
    counts: dict[str, int], expected: tuple[str, list[str]]
) -> None:
    assert status(**counts)[:2] == expected


def test_thresholds_are_configurable() -> None:
    lenient = Thresholds(red_overdue=10, yellow_open=100)
    assert status(lenient, overdue=5)[0] == "yellow"
    assert status(lenient, open=50)[0] == "green"


def test_many_grids_at_once_keep_their_own_reasons() -> None:
    rows = [{c: 0 for c in COUNTS} | {"code": f"G{i}", "overdue": i} for i in range(4)]
    out = build_status(pd.DataFrame(rows), Thresholds())
    assert out["composite"].tolist() == ["green", "yellow", "yellow", "red"]
    assert out["reasons"].tolist() == [[], ["overdue"], ["overdue"], ["overdue"]]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries({c: st.integers(0, 12) for c in COUNTS}), min_size=1, max_size=8
    ),
    st.builds(
        Thresholds,
        red_overdue=st.integers(1, 6),
        red_alarms=st.integers(1, 6),
        yellow_open=st.integers(1, 12),
        yellow_camera_online=st.floats(0, 1),
    ),
)
def test_one_grid_is_judged_as_in_a_frame_of_any_counts(rows: list[dict], t: Thresholds) -> None:
    many = build_status(pd.DataFrame(rows), t)
    for i, row in enumerate(rows):
        one = build_one_status(row, t)
        assert (one["composite"], one["reasons"]) == (many["composite"][i], many["reasons"][i])
        rate = many["camera_online_rate"][i]
        assert one["camera_online_rate"] == (None if math.isnan(rate) else rate)
