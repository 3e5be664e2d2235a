"""The composite status and derived KPIs, as pure functions over a status frame."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from twin.spatial.status import Thresholds, build_status

COUNTS = (
    "overdue",
    "incidents",
    "open",
    "open_severity_1",
    "cameras",
    "camera_online",
    "sensors",
    "sensor_alarm",
)


def status(t: Thresholds | None = None, **counts: int) -> tuple[str, list[str], float]:
    row = {c: counts.get(c, 0) for c in COUNTS} | {"code": "G1"}
    out = build_status(pd.DataFrame([row]), t or Thresholds()).iloc[0]
    return out["composite"], out["reasons"], out["camera_online_rate"]


def test_a_grid_with_no_cameras_has_no_online_rate_and_is_green() -> None:
    composite, reasons, rate = status()
    assert (composite, reasons) == ("green", []) and math.isnan(rate)


def test_counts_missing_for_a_grid_with_no_points_read_as_zero() -> None:
    frame = pd.DataFrame([{c: None for c in COUNTS} | {"code": "G1", "grid_id": None}])
    out = build_status(frame, Thresholds()).iloc[0]
    assert out["open"] == 0 and out["composite"] == "green" and "grid_id" not in out


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, ("green", [])),
        ({"overdue": 1}, ("yellow", ["overdue"])),
        ({"overdue": 3}, ("red", ["overdue"])),
        ({"open_severity_1": 1}, ("red", ["open_severe"])),
        ({"sensor_alarm": 1}, ("yellow", ["sensor_alarm"])),
        ({"sensor_alarm": 3, "overdue": 1}, ("red", ["sensor_alarm", "overdue"])),
        ({"open": 10}, ("yellow", ["open"])),
        ({"cameras": 10, "camera_online": 8}, ("yellow", ["camera_offline"])),
        ({"cameras": 10, "camera_online": 9}, ("green", [])),
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
