"""Hostile input over HTTP: odd codes travel encoded, NUL is a 400, forged callback values
are an empty answer, a slow statement is stopped (search escaping: tests/db/test_activity.py)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import geobuf
import psycopg
import pytest
from dash import Dash

from tests import gridworld
from tests.app.conftest import CODE, SCRIPT
from tests.app.dash_client import call, find, version_now, wait_for_version
from tests.gridworld import add_incident
from twin.app import ids
from twin.app.server import create_app
from twin.db.connect import open_pool
from twin.settings import Settings

ENCODED = quote(CODE, safe="")
UNIT = {"mode": "unit", "lang": "en", "unit": CODE}
PAGE = {"startRow": 0, "endRow": 15}
CASES = {"incidents.getRowsRequest": PAGE, "state.data": UNIT}


def test_a_code_with_url_characters_travels_encoded_and_the_language_stays(
    hostile: Dash,
) -> None:
    page = call(
        hostile, "state.data", {"url.pathname": f"/grid/{ENCODED}", "url.search": "?lang=en"}
    )
    out = page.get_json()["response"]
    assert out[ids.STATE]["data"] == UNIT | {"window": "30d"}
    assert find(out[ids.UNIT_HEAD]["children"], "kpi-open")["data-value"] == "1"  # type: ignore[index]
    assert out[ids.LANG_LINK]["href"] == f"/grid/{ENCODED}?lang=zh-CN"
    crumbs = find(out[ids.UNIT_HEAD]["children"], "crumbs")
    hrefs = [c["props"]["href"] for c in crumbs["children"] if "href" in c["props"]]  # type: ignore[index]
    assert hrefs == ["/?lang=en", "/grid/D?lang=en", "/grid/S?lang=en", "/grid/C?lang=en"]
    assert out[ids.UNIT_HEAD]["children"][1]["props"]["children"][1] == SCRIPT  # text, as is
    moved = call(hostile, "map.viewport", {"state.data": UNIT}).get_json()["response"]
    outline_url = moved[ids.SELECTED]["url"]
    assert outline_url.startswith(f"/twin/outline/{ENCODED}.pbf?map=")
    client = hostile.server.test_client()
    outline = geobuf.decode(client.get(outline_url).data)["features"]
    assert [f["properties"]["code"] for f in outline] == [CODE]
    points = call(
        hostile, "points-incident.url", {"layers.value": ["incident"], "state.data": UNIT}
    )
    points_url = points.get_json()["response"]["points-incident"]["url"]
    assert points_url == f"/twin/points/incident.pbf?unit={ENCODED}"
    got = geobuf.decode(client.get(points_url).data)["features"]
    assert [f["properties"]["code"] for f in got] == ["E-G3"]


def test_the_attention_list_and_feed_link_encoded_codes_in_the_page_language(
    hostile: Dash, conn: psycopg.Connection
) -> None:
    add_incident(conn, "E-S1", 0.4, 1.4, severity=1)
    # A snapshot read after the renaming and the insert (the reader started with the app).
    wait_for_version(hostile, version_now(hostile) + 2)
    state = {"mode": "cockpit", "lang": "en", "unit": None}
    out = call(hostile, "city-tiles.children", {"refresh.n_intervals": 1, "state.data": state})
    body = json.dumps(out.get_json()["response"])
    assert f'"/grid/{ENCODED}?lang=en"' in body  # the attention list and the feed
    assert '"/grid/G2?lang=en"' in body
    assert "/grid/G/3" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/grid/%00",
        "/grid/a%00b",
        "/twin/outline/%00.pbf",
        "/twin/outlines/grid.pbf?bbox=1,2,3,4%00",
        "/twin/points/camera.pbf?unit=G1%00",
        "/?lang=en%00",
    ],
)
def test_a_nul_byte_in_a_path_or_query_is_a_400(app: Dash, path: str) -> None:
    answer = app.server.test_client().get(path)
    assert answer.status_code == 400
    assert "NUL" in answer.get_data(as_text=True)


def test_the_text_percent_00_is_no_nul(app: Dash) -> None:
    client = app.server.test_client()
    assert client.get("/twin/outline/G%2500.pbf").status_code == 404  # the code "G%00"
    assert client.get("/twin/points/camera.pbf?unit=G%2500").status_code == 404


def test_a_nul_byte_in_a_callback_value_is_a_400(app: Dash) -> None:
    answer = call(app, "state.data", {"url.pathname": "/grid/G1\x00", "url.search": ""})
    assert answer.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        "state",
        {"output": "nope.children"},
        {"output": ["state.data"]},
        {"output": "..url.pathname...url.search..", "inputs": [], "state": []},  # in the browser
        {"output": "search.options", "inputs": [{"id": "search"}], "state": []},
        {"output": "search.options", "inputs": "x", "state": []},
    ],
)
def test_a_request_that_is_no_callback_of_the_page_is_a_400(app: Dash, body: Any) -> None:
    answer = app.server.test_client().post("/_dash-update-component", json=body)
    assert answer.status_code == 400
    assert "not a callback request" in answer.get_data(as_text=True)


def problem_click(pattern_type: str) -> dict[str, Any]:
    """The editor's zoom-to-problem request as the browser sends it: its pattern input (every
    problem button, {"type": ..., "index": ALL}) as a list."""
    button = {"id": {"type": pattern_type, "index": 0}, "property": "n_clicks", "value": 1}
    return {
        "output": "ed-map.viewport",
        "outputs": {"id": "ed-map", "property": "viewport"},
        "inputs": [[button]],
        "state": [
            {"id": "ed-answer", "property": "data", "value": None},
            {"id": "ed-key", "property": "data", "value": None},
        ],
        "changedPropIds": ['{"index":0,"type":"' + pattern_type + '"}.n_clicks'],
    }


def test_a_pattern_matching_callback_is_checked_against_its_pattern(app: Dash) -> None:
    client = app.server.test_client()
    assert (
        client.post("/_dash-update-component", json=problem_click("ed-problem")).status_code == 204
    )
    forged = client.post("/_dash-update-component", json=problem_click("ed-other"))
    assert forged.status_code == 400
    assert "inputs are not the callback's" in forged.get_data(as_text=True)


@pytest.mark.parametrize(
    ("output", "values"),
    [
        ("unit-body.children@", {"state.data": {"mode": "unit"}}),
        ("unit-body.children@", {"state.data": {"mode": "unit", "lang": "en", "unit": ["G1"]}}),
        ("unit-body.children@", {"state.data": "unit"}),
        ("city-tiles.children", {"state.data": {"mode": 1, "lang": "en"}}),
        ("search.options", {"search.search_value": {"a": 1}}),
        ("search.options", {"search.search_value": "x" * 10_000}),
        ("incidents.getRowsResponse", {"incidents.getRowsRequest": PAGE, "state.data": "x"}),
        ("incidents.getRowsResponse", CASES | {"filter-status.value": "reported"}),
        ("incidents.getRowsResponse", CASES | {"filter-severity.value": ["x"]}),
        ("incidents.getRowsResponse", CASES | {"filter-category.value": [{"a": 1}]}),
        ("incidents.getRowsResponse", CASES | {"filter-category.value": 7}),
        ("points-incident.url", {"layers.value": "incident", "state.data": UNIT}),
        ("tour-card.children", {"state.data": {"mode": "screen", "lang": "en", "unit": 3}}),
    ],
)
def test_forged_callback_values_get_an_empty_answer(
    hostile: Dash, output: str, values: dict[str, Any]
) -> None:
    assert call(hostile, output, values).status_code == 204


def test_malformed_map_values_fall_back_to_what_the_controls_offer(app: Dash) -> None:
    state = {"mode": "cockpit", "lang": "en", "unit": None}
    values = {
        "state.data": state,
        "metric.value": ["open"],
        "level.value": "planet",
        "map.zoom": "near",
        "map.bounds": [[1, 2], "x"],
        "map-key.data": {"version": [1], "level": "grid"},
    }
    answer = call(app, "units.hideout", values)
    assert answer.status_code == 200
    units = answer.get_json()["response"][ids.UNITS]
    assert units["url"].startswith("/twin/outlines/district.pbf?map=")  # no zoom: the coarsest
    assert units["hideout"]["kind"] == "status"  # no such metric: the composite


def test_the_wall_survives_forged_tour_and_alert_stores(app: Dash) -> None:
    wall = {"mode": "screen", "lang": "en", "unit": None}
    for screen, alert in (
        ({"codes": "G1", "pos": "x"}, {"until": "later", "seen": "x"}),
        ({"codes": [1, 2], "pos": 10**9}, {"until": None}),
        ([], "alert"),
    ):
        values = {"tour-tick.n_intervals": 1, "state.data": wall, "screen-state.data": screen}
        tour = call(app, "tour-card.children", values | {"alert-state.data": alert})
        assert tour.status_code in (200, 204), tour.get_data(as_text=True)
        severe = call(app, "takeover.children", {"state.data": wall, "alert-state.data": alert})
        assert severe.status_code == 200  # a store it cannot read starts afresh
        assert severe.get_json()["response"][ids.ALERT]["data"]["seen"] >= 0


def test_a_page_far_past_the_end_of_the_case_table_is_empty_and_counted(app: Dash) -> None:
    state = {"mode": "unit", "lang": "en", "unit": "D"}
    for start in (3, 10**9, 10**30):  # 10**30 is past any bigint: it must never reach SQL
        request = {"startRow": start, "endRow": start + 15}
        answer = call(
            app,
            "incidents.getRowsResponse",
            {"incidents.getRowsRequest": request, "state.data": state},
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)[-500:]
        page = answer.get_json()["response"][ids.INCIDENTS]["getRowsResponse"]
        assert page == {"rowData": [], "rowCount": 3}


@pytest.mark.pg_timers
def test_web_statements_stop_at_the_statement_timeout(
    db_url: str, conn: psycopg.Connection
) -> None:
    gridworld.build(conn)
    pool = open_pool(db_url, 2, statement_timeout_ms=200)
    try:
        with pool.connection() as c:
            assert c.execute("SHOW statement_timeout").fetchone() == ("200ms",)
        app = create_app(Settings(lang="en"), pool)
        client = app.server.test_client()
        assert client.get("/twin/outline/G1.pbf").status_code == 200
        with psycopg.connect(db_url) as locker:  # holds the grid table until rolled back
            locker.execute("LOCK TABLE grid IN ACCESS EXCLUSIVE MODE")
            stuck = client.get("/twin/outline/G2.pbf")
            locker.rollback()
        assert stuck.status_code == 503
        assert "the database took too long" in stuck.get_data(as_text=True)
        assert client.get("/twin/outline/G2.pbf").status_code == 200  # the pool recovers
    finally:
        pool.close()
