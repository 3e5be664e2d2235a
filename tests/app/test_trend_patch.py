"""A page holding the cockpit's trend is sent only the values that moved (today's bars), and
applying them gives the whole new trend."""

from __future__ import annotations

import copy
import time
from typing import Any

import psycopg
from dash import Dash

from tests.app.dash_client import call
from tests.dash_patch import applied
from tests.gridworld import add_incident
from twin.app import ids
from twin.app.json_patch import as_patch

STATE = {"mode": "cockpit", "lang": "en", "unit": None}


def test_a_patch_names_only_the_leaves_that_moved() -> None:
    old = {"data": [{"x": ["a", "b"], "y": [1, 2]}, {"x": ["a", "b"], "y": [0, 5]}], "n": 1}
    new = copy.deepcopy(old) | {"n": 1.0}
    new["data"][1]["y"][1] = 6
    patch = as_patch(old, new)
    assert patch is not None
    ops = patch.to_plotly_json()["operations"]
    assert [op["location"] for op in ops] == [["data", 1, "y", 1], ["n"]]  # 1 -> 1.0 moved too
    assert applied(old, patch.to_plotly_json()) == new
    # A list that grew is sent whole at its place; a different top or too many: whole.
    longer = copy.deepcopy(old)
    longer["data"][0]["y"].append(3)
    grown = as_patch(old, longer)
    assert grown is not None and applied(old, grown.to_plotly_json()) == longer
    assert as_patch(old, [1]) is None
    assert as_patch({"y": list(range(50))}, {"y": [v + 1 for v in range(50)]}) is None


def cockpit(app: Dash, held: Any) -> dict[str, Any]:
    values = {"refresh.n_intervals": 1, "state.data": STATE, f"{ids.COCKPIT_KEY}.data": held}
    response: dict[str, Any] = call(app, "city-tiles.children", values).get_json()["response"]
    return response


def test_a_page_holding_the_trend_is_sent_todays_bars_only(
    app: Dash, conn: psycopg.Connection
) -> None:
    first = cockpit(app, None)
    figure, keys = first[ids.TREND]["figure"], first[ids.COCKPIT_KEY]["data"]
    assert "data" in figure  # a page holding nothing is sent the whole trend
    add_incident(conn, "T1", 0.5, 0.5, category="dispute")
    deadline = time.monotonic() + 10
    while True:  # until the reader has read the new case (a new version every 0.5 s)
        later = cockpit(app, keys)
        if ids.TREND in later or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    sent = later[ids.TREND]["figure"]
    assert sent.get("__dash_patch_update") == "__dash_patch_update"
    days = len(figure["data"][0]["x"])
    places = [op["location"] for op in sent["operations"]]
    # Today's bar of the category that moved (and the running day's label above it), no more.
    assert ["data", places[0][1], "y", days - 1] in places
    assert len(places) <= 3
    # The page that applies it holds the trend a new page is sent whole.
    assert applied(figure, sent) == cockpit(app, None)[ids.TREND]["figure"]


def test_a_forged_held_trend_is_sent_the_whole_trend(app: Dash) -> None:
    for held in ({"trend": [1]}, {"trend": {"a": 1}}, {"trend": "no-digest-kept"}):
        figure = cockpit(app, held)[ids.TREND]["figure"]
        assert "data" in figure and "__dash_patch_update" not in figure
