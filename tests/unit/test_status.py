"""The composite status and KPI naming, as pure functions."""

from __future__ import annotations

import pytest

from twin.spatial.status import Thresholds, build_composite, build_kpis


def kpis(**counts: int) -> dict[str, object]:
    """KPIs from counters written key__value__x ("total" stands for the "*.*" total)."""
    overdue = counts.pop("overdue", 0)
    keys = {k.replace("__total", ".*.*").replace("__", "."): v for k, v in counts.items()}
    return build_kpis(keys, overdue)


def test_kpis_name_the_counters() -> None:
    k = kpis(
        incident__total=10,
        incident__status__reported=2,
        incident__status__escalated=1,
        incident__status__closed=7,
        incident__open_severity__1=1,
        camera__total=4,
        camera__status__online=3,
        sensor__status__alarm=2,
        overdue=1,
    )
    assert k["incidents"] == 10 and k["open"] == 3 and k["status_closed"] == 7
    assert k["open_severe"] == 1 and k["overdue"] == 1
    assert k["camera_online_rate"] == 0.75 and k["sensor_alarm"] == 2


def test_a_grid_with_no_cameras_has_no_online_rate() -> None:
    assert kpis()["camera_online_rate"] is None
    assert build_composite(kpis(), Thresholds()) == ("green", [])


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({}, ("green", [])),
        ({"overdue": 1}, ("yellow", ["overdue"])),
        ({"overdue": 3}, ("red", ["overdue"])),
        ({"incident__open_severity__1": 1}, ("red", ["open_severe"])),
        ({"sensor__status__alarm": 1}, ("yellow", ["sensor_alarm"])),
        ({"sensor__status__alarm": 3, "overdue": 1}, ("red", ["sensor_alarm", "overdue"])),
        ({"incident__status__dispatched": 10}, ("yellow", ["open"])),
        ({"camera__total": 10, "camera__status__online": 8}, ("yellow", ["camera_offline"])),
        ({"camera__total": 10, "camera__status__online": 9}, ("green", [])),
    ],
)
def test_composite_follows_the_documented_thresholds(
    counts: dict[str, int], expected: tuple[str, list[str]]
) -> None:
    assert build_composite(kpis(**counts), Thresholds()) == expected


def test_thresholds_are_configurable() -> None:
    lenient = Thresholds(red_overdue=10, yellow_open=100)
    assert build_composite(kpis(overdue=5), lenient)[0] == "yellow"
    assert build_composite(kpis(incident__status__reported=50), lenient)[0] == "green"
