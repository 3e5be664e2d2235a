"""The plan editor's outlines over the real app and database: the answer an edit sends the page
carries no outline; the map's layers get the outlines once per revision of the plan, from the
view kept for it, and nothing when the answer is of the view they already show."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
import shapely.geometry
from dash import Dash
from shapely.geometry import LineString

from tests import gridworld
from tests.app.dash_client import call
from tests.dash_patch import applied
from twin.activity import Clock
from twin.app.planner.editor_actions import EditRequest, answer, perform
from twin.plans import store

PLAN = "layers"
KEY = {"plan": PLAN, "area": "C", "lang": "en"}


@pytest.fixture
def first(app: Dash, conn: psycopg.Connection) -> dict[str, Any]:
    """A draft over community C, and the editor's first answer for it."""
    store.new_plan(conn, PLAN, "C", "setup", Clock.current())
    return answer(conn, PLAN, "C", Clock.current())


def layers(app: Dash, ans: dict[str, Any], drawn: Any = None) -> Any:
    """The layers callback, as the page sends it after an answer."""
    values = {"ed-view.data": ans.get("view"), "ed-key.data": KEY, "ed-drawn-view.data": drawn}
    return call(app, "ed-units.data", values, trigger="ed-view.data")


def split_g1(conn: psycopg.Connection, revision: int) -> dict[str, Any]:
    """The answer to a split of G1 by a north-south line, as the edit callback makes it."""
    cut = LineString([gridworld.lonlat(0.4, -0.1), gridworld.lonlat(0.4, 1.1)])
    line = shapely.geometry.mapping(cut)
    req = EditRequest("split", PLAN, revision, "alice", codes=("G1",), geom=line)
    return perform(conn, req, "C", Clock.current())


def test_the_answer_carries_no_units_only_the_level_and_the_impacts_officers(
    conn: psycopg.Connection, first: dict[str, Any]
) -> None:
    # every callback after an edit sends the answer back: no list of the area's units in it
    assert "units" not in first and "base" not in first
    assert first["level"] == "grid" and first["officers"] == {}
    assert first["view"][0] == first["revision"] == 0
    edited = split_g1(conn, 0)
    named = {r["code"] for r in edited["impact"]["rows"]}
    assert named and set(edited["officers"]) == named


def test_the_layers_get_the_outlines_once_per_revision(
    app: Dash, conn: psycopg.Connection, first: dict[str, Any]
) -> None:
    sent = layers(app, first)
    assert sent.status_code == 200
    out = sent.get_json()["response"]
    grids = out["ed-units"]["data"]["features"]
    assert [f["properties"]["code"] for f in grids] == ["G1", "G2", "G3", "G4"]
    assert shapely.geometry.shape(grids[0]["geometry"]).area > 0
    assert [f["properties"]["code"] for f in out["ed-parents"]["data"]["features"]] == ["C"]
    shown = out["ed-drawn-view"]["data"]
    assert layers(app, first, shown).status_code == 204  # the same view: nothing sent again
    edited = split_g1(conn, 0)
    assert "units" not in edited
    sent_again = layers(app, edited, shown).get_json()["response"]
    # the map draws the view before: the layers go as the patch of what changed since
    ops = sent_again["ed-units"]["data"]["operations"]
    assert {op["operation"] for op in ops} == {"Assign", "Insert"} and len(ops) == 2
    patched = applied(out["ed-units"]["data"], sent_again["ed-units"]["data"])
    whole = layers(app, edited).get_json()["response"]  # a page that draws no view yet
    assert patched == whole["ed-units"]["data"]
    assert (
        applied(out["ed-parents"]["data"], sent_again["ed-parents"]["data"])
        == (whole["ed-parents"]["data"])
    )
    again = patched["features"]
    codes = [f["properties"]["code"] for f in again]
    assert len(codes) == 5 and "G1" in codes
    cut = shapely.geometry.shape(next(f for f in again if f["id"] == "G1")["geometry"])
    assert cut.area < shapely.geometry.shape(grids[0]["geometry"]).area
    refused = {**edited, "message": {"kind": "refused", "key": "ed_pick_one"}}
    assert layers(app, refused, edited["view"]).status_code == 204


def test_the_map_in_force_goes_when_turned_on_and_not_again(
    app: Dash, first: dict[str, Any]
) -> None:
    values = {"ed-base-toggle.value": ["base"], "ed-view.data": first["view"], "ed-key.data": KEY}
    sent = call(app, "ed-base.data", values).get_json()["response"]
    assert len(sent["ed-base"]["data"]["features"]) == 5
    shown = sent["ed-base-view"]["data"]
    assert call(app, "ed-base.data", values | {"ed-base-view.data": shown}).status_code == 204
    off = call(
        app, "ed-base.data", values | {"ed-base-view.data": shown, "ed-base-toggle.value": []}
    )
    assert off.get_json()["response"]["ed-base"]["data"]["features"] == []


def test_a_forged_key_is_no_update(app: Dash, first: dict[str, Any]) -> None:
    for key in ({"plan": {"a": 1}, "area": "C"}, {"plan": PLAN, "area": 3}, {"plan": "nope"}):
        values = {"ed-view.data": first["view"], "ed-key.data": key}
        assert call(app, "ed-units.data", values, trigger="ed-view.data").status_code == 204


def test_an_edit_with_a_forged_key_is_no_update(app: Dash, first: dict[str, Any]) -> None:
    # The edit reads the kept view before anything else: a key of another shape was a 500.
    for key in ({"plan": {"a": 1}, "area": "C"}, {"plan": PLAN, "area": 3}, {"plan": None}):
        for trigger in ("ed-undo.n_clicks", "ed-reload.n_clicks"):
            values = {"ed-answer.data": first, "ed-key.data": key, trigger: 1}
            assert call(app, "ed-answer.data", values, trigger=trigger).status_code == 204
