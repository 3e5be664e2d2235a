"""The plan editor's pure parts that need no database: the balance chart's officers."""

from __future__ import annotations

from typing import Any

from twin.app.planner.editor_views import balance_figure, chart_officers


def impact_of(before: dict[str, float], after: dict[str, float], rows: list[str]) -> Any:
    return {
        "rows": [{"code": c} for c in rows],
        "balance": {"before": {"per_officer": before}, "after": {"per_officer": after}},
    }


UNITS = {"G1": "Li", "G2": "Wang", "G3": "Zhao"}  # the answer's officers of the units


def test_the_chart_shows_the_officers_whose_workload_changes() -> None:
    impact = impact_of({"Li": 10, "Wang": 5, "Zhao": 7}, {"Li": 8, "Wang": 7, "Zhao": 7}, ["G1"])
    assert chart_officers(impact, UNITS) == (["Li", "Wang"], True)
    bars = balance_figure(impact, "en", UNITS).to_plotly_json()["data"]
    assert [list(b["x"]) for b in bars] == [["Li", "Wang"], ["Li", "Wang"]]
    assert [list(b["y"]) for b in bars] == [[10, 5], [8, 7]]


def test_when_no_workload_changes_the_chart_shows_the_touched_units_officers() -> None:
    same = {"Li": 10, "Wang": 5, "Zhao": 7}
    impact = impact_of(same, dict(same), ["G2", "G3"])
    assert chart_officers(impact, UNITS) == (["Wang", "Zhao"], False)
    fig = balance_figure(impact, "en", UNITS).to_plotly_json()
    assert [list(b["y"]) for b in fig["data"]] == [[5, 7], [5, 7]]  # before = after
    assert fig["layout"]["title"]["text"] == "Workload per officer (none changes)"


def test_with_no_unit_touched_the_chart_shows_every_officer() -> None:
    same = {"Li": 10, "Wang": 5}
    assert chart_officers(impact_of(same, dict(same), []), UNITS) == (["Li", "Wang"], False)
