"""The wall's pure functions: changes against yesterday, the tour's label, the pinned cases,
the chart at the wall's sizes, and what a forged alert store reads as."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go

from twin.activity import Clock, yesterday_window
from twin.app.callbacks import taken_ids
from twin.app.views import build_tiles
from twin.app.wall import (
    TAKEN_KEPT,
    WALL_CHART_PX,
    format_change,
    pinned_cases,
    remember_taken,
    tile_changes,
    tour_label,
    wall_trend,
)


def test_changes_compare_todays_flow_with_yesterdays_to_the_same_hour() -> None:
    activity = {"new_today": 12, "new_yesterday": 9, "closed_today": 4, "closed_yesterday": 6}
    assert tile_changes(activity) == {"new_today": 3, "closed_today": -2}
    assert tile_changes({"new_today": 5}) == {}  # no baseline read: no change shown
    assert format_change(3, "zh-CN") == "+3 vs 昨日"
    assert format_change(-2, "en") == "−2 vs yesterday"
    assert format_change(0, "zh-CN") == "±0 vs 昨日"


def test_tiles_show_their_change_under_the_label() -> None:
    tiles = {
        tile.id: tile
        for tile in build_tiles({"open": 5, "new_today": 7}, "en", "city", {"new_today": 3})
    }
    assert [c.className for c in tiles["city-new_today"].children] == [
        "tile-value",
        "tile-label",
        "tile-change",
    ]
    assert tiles["city-new_today"].children[2].children == "+3 vs yesterday"
    assert len(tiles["city-open"].children) == 2  # no change for a tile without one


def test_yesterday_runs_from_its_midnight_to_the_same_local_time() -> None:
    noon = Clock(datetime(2026, 11, 26, 4, 0, tzinfo=UTC), "Asia/Shanghai")
    start, until = yesterday_window(noon)
    shanghai = ZoneInfo("Asia/Shanghai")
    assert start == datetime(2026, 11, 25, 0, 0, tzinfo=shanghai)
    assert until == datetime(2026, 11, 25, 12, 0, tzinfo=shanghai)
    # The day after clocks went forward, noon is compared with noon, not with 13:00.
    berlin = Clock(datetime(2026, 3, 30, 10, 0, tzinfo=UTC), "Europe/Berlin")
    start, until = yesterday_window(berlin)
    assert until.astimezone(UTC) == datetime(2026, 3, 29, 10, 0, tzinfo=UTC)  # 12:00 CEST
    assert start.astimezone(UTC) == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # 00:00 CET


def test_the_tours_label_names_the_grid_and_its_key_figure() -> None:
    assert tour_label({"name": "G1", "overdue": 2, "open": 9}, "zh-CN") == {
        "name": "G1",
        "figure": "超期事件 2",
    }
    assert tour_label({"name": "G2", "overdue": 0, "open": 9}, "en")["figure"] == "Open cases 9"


def cases(**columns: list[object]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_a_case_is_pinned_while_it_took_over_and_is_undispatched() -> None:
    frame = cases(
        id=[1, 2, 3, 4],
        code=["a", "b", "c", "d"],
        status=["reported", "dispatched", "reported", "reported"],
        dispatched_at=[None, pd.Timestamp("2026-11-26", tz="UTC"), pd.NaT, pd.NaT],
    )
    assert [p["code"] for p in pinned_cases(frame, [4, 3, 2, 1], "reported")] == ["d", "c", "a"]
    assert [p["code"] for p in pinned_cases(frame, [3], "reported")] == ["c"]  # took over: 3
    assert pinned_cases(frame, [], "reported") == []
    assert pinned_cases(frame.iloc[:0], [1], "reported") == []  # a case no longer there
    late = frame.assign(dispatched_at=[pd.Timestamp("2026-11-26", tz="UTC")] + [pd.NaT] * 3)
    assert [p["code"] for p in pinned_cases(late, [1, 3], "reported")] == ["c"]


def test_a_wall_remembers_its_takeovers_newest_first_and_a_bounded_number() -> None:
    assert remember_taken([5, 3], 7) == [7, 5, 3]
    assert remember_taken([7, 5], 5) == [5, 7]
    assert len(remember_taken(list(range(100)), 100)) == TAKEN_KEPT


def test_a_forged_alert_store_pins_nothing_it_cannot_read() -> None:
    assert taken_ids({"taken": [3, "x", -1, 2.0, True, None, 2**70]}) == [3, 2]
    assert taken_ids({"taken": "1,2"}) == []
    assert taken_ids(["taken"]) == []
    assert taken_ids(None) == []
    assert len(taken_ids({"taken": list(range(1000))})) == TAKEN_KEPT


def test_the_walls_chart_writes_nothing_under_2vh() -> None:
    fig = go.Figure(go.Bar(x=["a"], y=[1]))
    fig.update_layout(legend={"font": {"size": 11}}, xaxis={"tickfont": {"size": 11}})
    fig.add_annotation(text="today so far", font={"size": 10})
    out = wall_trend(fig).to_plotly_json()["layout"]
    sizes = [
        out["font"]["size"],
        out["legend"]["font"]["size"],
        out["xaxis"]["tickfont"]["size"],
        out["yaxis"]["tickfont"]["size"],
        out["annotations"][0]["font"]["size"],
    ]
    assert sizes == [WALL_CHART_PX] * 5
    assert WALL_CHART_PX / 1080 >= 0.02  # 2 vh on a 1080-row wall; scaled with taller ones
