"""The trend chart: whole-number ticks for counts, today's running day marked as partial,
the legend clear of the axes."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from twin.activity import Clock
from twin.app.views import CatalogText, count_ticks, trend_figure
from twin.catalog import load_catalog
from twin.settings import Settings

TEXT = CatalogText(load_catalog(Settings().layers_dir))
CLOCK = Clock(datetime(2026, 11, 26, 4, 0, tzinfo=UTC))


def ticks(layout_axis: dict[str, object]) -> list[float]:
    """The tick values a linear axis shows over its range."""
    step, top = float(layout_axis["dtick"]), float(layout_axis["range"][1])  # type: ignore[arg-type, index]
    return list(np.arange(0, top + step / 2, step))


@pytest.mark.parametrize("top", [0, 1, 2, 3, 7, 12, 49, 230, 12_345])
def test_count_ticks_are_whole_numbers_above_the_highest_bar(top: int) -> None:
    axis = count_ticks(top)
    shown = ticks(axis)
    assert all(v == int(v) for v in shown)
    assert len(shown) == len(set(int(v) for v in shown))  # never "0 1 1 2 2"
    assert 2 <= len(shown) <= 7
    assert axis["range"][1] > top  # type: ignore[index]


def test_small_counts_tick_one_by_one() -> None:
    trend = pd.DataFrame({"sanitation": [0, 1, 2, 1] * 7 + [2, 1]}, index=CLOCK.days)
    axis = trend_figure(trend, TEXT, "en", today=CLOCK.today).to_plotly_json()["layout"]["yaxis"]
    assert (axis["tickmode"], axis["tick0"], axis["dtick"]) == ("linear", 0, 1)
    assert axis["range"] == [0, 3]


def test_todays_running_day_is_marked_partial_not_drawn_as_a_drop() -> None:
    trend = pd.DataFrame({"sanitation": [10] * 29 + [3]}, index=CLOCK.days)
    fig = trend_figure(trend, TEXT, "en", today=CLOCK.today).to_plotly_json()
    for bar in fig["data"]:
        assert bar["marker"]["opacity"][-1] < 1 and set(bar["marker"]["opacity"][:-1]) == {1.0}
        assert bar["marker"]["pattern"]["shape"][-1] == "/"
        assert set(bar["marker"]["pattern"]["shape"][:-1]) == {""}
    (note,) = fig["layout"]["annotations"]
    assert (note["text"], note["x"], note["y"]) == ("Today so far", "11-26", 3.0)
    zh = trend_figure(trend, TEXT, "zh-CN", today=CLOCK.today).to_plotly_json()
    assert zh["layout"]["annotations"][0]["text"] == "今日（截至目前）"
    past = trend_figure(trend, TEXT, "en", today=None).to_plotly_json()
    assert "annotations" not in past["layout"] or not past["layout"]["annotations"]


def test_the_legend_sits_above_the_plot_clear_of_the_day_labels() -> None:
    trend = pd.DataFrame({"sanitation": [1] * 30}, index=CLOCK.days)
    legend = trend_figure(trend, TEXT, "en", today=CLOCK.today).to_plotly_json()["layout"]["legend"]
    assert legend["orientation"] == "h"
    assert legend["yanchor"] == "bottom" and legend["y"] >= 1
