"""The served app over HTTP: pages, geometry endpoints, callbacks and what a refresh sends."""

from __future__ import annotations

import json
import re
from typing import Any

import geobuf
import psycopg
import pytest
from dash import Dash

from tests import gridworld
from tests.app.dash_client import MAP_VALUES, OPEN, call, find, version_now, wait_for_version
from tests.gridworld import add_incident
from twin.app import ids
from twin.app.server import create_app
from twin.db.connect import open_pool
from twin.settings import Settings


def test_pages_load_and_name_no_outside_host(app: Dash) -> None:
    client = app.server.test_client()
    for path in ("/", "/grid/G1", "/screen"):
        got = client.get(path)
        assert got.status_code == 200
        assert got.headers["Cache-Control"] == "no-store"  # back loads the page afresh
    assert "no-store" not in client.get("/assets/twin.css").headers.get("Cache-Control", "")
    page = client.get("/").get_data(as_text=True)
    assert [s for s in page.split('"') if s.startswith(("http://", "https://", "//"))] == []
    for asset in ("/assets/twin_map.js", "/assets/twin_grid.js", "/assets/twin.css"):
        assert client.get(asset).status_code == 200
    # AG Grid's bundle and the chunk it loads later come from this server, not a CDN.
    grid_js = [s for s in page.split('"') if "/dash_ag_grid/dash_ag_grid" in s]
    assert len(grid_js) == 1 and grid_js[0].startswith("/_dash-component-suites/")
    assert client.get(grid_js[0]).status_code == 200
    chunk = grid_js[0].replace("dash_ag_grid.min.js", "async-community.js")
    assert client.get(chunk.split("?")[0]).status_code == 200
    config = page.split('<script id="_dash-config" type="application/json">')[1]
    assert json.loads(config.split("</script>")[0])["serve_locally"] is True
    layout = json.dumps(client.get("/_dash-layout").get_json())
    assert "coordinates" not in layout  # outlines travel by URL, not in the layout


def test_outlines_are_geobuf_cached_by_etag_and_gzipped(app: Dash) -> None:
    client = app.server.test_client()
    plain = client.get("/twin/outlines/grid.pbf")
    assert plain.status_code == 200 and plain.mimetype == "application/x-protobuf"
    features = geobuf.decode(plain.data)["features"]
    assert [f["properties"]["code"] for f in features] == ["G1", "G2", "G3", "G4"]
    ring = features[0]["geometry"]["coordinates"][0][0]
    assert sorted(map(tuple, ring))[0] == (114.0, 30.0)
    zipped = client.get("/twin/outlines/grid.pbf", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and len(zipped.data) < len(plain.data)
    etag = plain.headers["ETag"]
    assert client.get("/twin/outlines/grid.pbf", headers={"If-None-Match": etag}).status_code == 304
    box = client.get("/twin/outlines/grid.pbf?bbox=114.001,30.001,114.004,30.004")
    assert len(geobuf.decode(box.data)["features"]) == 4  # snapped out to the 0.02° grid
    away = client.get("/twin/outlines/grid.pbf?bbox=115.0,31.0,115.01,31.01")
    assert [f["properties"]["code"] for f in geobuf.decode(away.data)["features"]] == [""]
    bad = client.get("/twin/outlines/grid.pbf?bbox=1,2,3")
    assert bad.status_code == 400 and "bbox" in bad.get_data(as_text=True)
    assert client.get("/twin/outlines/planet.pbf").status_code == 400
    one = geobuf.decode(client.get("/twin/outline/G4.pbf").data)["features"]
    assert [f["properties"]["code"] for f in one] == ["G4"]
    assert len(one[0]["geometry"]["coordinates"][0]) == 2  # its hole kept
    assert client.get("/twin/outline/nope.pbf").status_code == 404


def test_points_carry_code_colour_status_and_tooltip_fields(
    app: Dash, conn: psycopg.Connection
) -> None:
    client = app.server.test_client()
    got = geobuf.decode(client.get("/twin/points/incident.pbf?unit=G1").data)["features"]
    assert sorted((f["properties"]["code"], f["properties"]["status"]) for f in got) == [
        ("E0", "reported"),
        ("E1", "reported"),
    ]
    e0 = next(f["properties"] for f in got if f["properties"]["code"] == "E0")
    due = conn.execute("SELECT due_at FROM incident WHERE code = 'E0'").fetchone()
    assert due is not None
    assert (e0["category"], e0["severity"], e0["due_at"]) == (
        "sanitation",
        "3",
        int(due[0].timestamp()),  # times travel as epoch seconds; the browser formats them
    )
    assert e0["_s"] == 1  # open: needs attention (yellow)
    city = geobuf.decode(client.get("/twin/points/incident.pbf").data)["features"]
    assert [f["properties"]["code"] for f in city] == ["E2"]  # the city shows serious open ones
    assert city[0]["properties"]["_s"] == 2  # an open severity-1 case: the alert status
    assert client.get("/twin/points/incident.pbf?unit=nope").status_code == 404
    assert client.get("/twin/points/grid.pbf").status_code == 400


def test_a_unit_page_shows_the_numbers_sql_gives(app: Dash, conn: psycopg.Connection) -> None:
    response = call(app, "state.data", {"url.pathname": "/grid/G1", "url.search": "?lang=en"})
    assert response.status_code == 200
    out = response.get_json()["response"]
    assert out[ids.STATE]["data"] == {"mode": "unit", "lang": "en", "unit": "G1", "window": "30d"}
    page = out[ids.UNIT_HEAD]["children"]
    sql = f"SELECT count(*) FILTER (WHERE status IN {OPEN}), count(*) FILTER (WHERE due_at < now())"
    open_, overdue = conn.execute(
        sql + " FROM incident WHERE grid_id = (SELECT id FROM grid WHERE code = 'G1')"
    ).fetchone()  # type: ignore[misc]
    assert find(page, "kpi-open")["data-value"] == str(open_) == "2"  # type: ignore[index]
    assert find(page, "kpi-overdue")["data-value"] == str(overdue) == "1"  # type: ignore[index]
    assert find(page, "unit-officer")["children"] == "officer G1"  # type: ignore[index]
    assert out[ids.COCKPIT]["hidden"] is True and out[ids.UNIT_PAGE]["hidden"] is False
    assert out[ids.UNIT_BODY]["children"] == []  # the last unit's lists never linger
    body = call(
        app, "unit-body.children@", {"state.data": {"mode": "unit", "lang": "en", "unit": "D"}}
    )
    ranking = find(body.get_json()["response"][ids.UNIT_BODY]["children"], "children")
    assert ranking is not None  # a district ranks its streets
    assert [(r["code"], r["href"]) for r in ranking["rowData"]] == [("S", "/grid/S?lang=en")]
    missing = call(app, "state.data", {"url.pathname": "/grid/nope", "url.search": ""})
    assert "No grid has the code nope" in json.dumps(missing.get_json())


def test_the_case_table_pages_sorts_and_filters_on_the_server(app: Dash) -> None:
    state = {"mode": "unit", "lang": "en", "unit": "D"}
    request = {"startRow": 0, "endRow": 2, "sortModel": [{"colId": "severity", "sort": "asc"}]}
    values = {"incidents.getRowsRequest": request, "state.data": state, "case-scope.value": "open"}
    out = call(app, "incidents.getRowsResponse", values).get_json()["response"]
    page = out[ids.INCIDENTS]["getRowsResponse"]
    assert [r["code"] for r in page["rowData"]] == ["E2", "E0"] and page["rowCount"] == 3
    assert out[ids.CASE_COUNT]["children"] == "3 cases" and out[ids.CASE_EMPTY]["children"] == ""
    values["incidents.getRowsRequest"] = request | {"startRow": 2, "endRow": 4}
    out = call(app, "incidents.getRowsResponse", values).get_json()["response"]
    assert [r["code"] for r in out[ids.INCIDENTS]["getRowsResponse"]["rowData"]] == ["E1"]
    values["filter-severity.value"] = ["3"]
    values["incidents.getRowsRequest"] = request | {"endRow": 15}
    out = call(app, "incidents.getRowsResponse", values).get_json()["response"]
    page = out[ids.INCIDENTS]["getRowsResponse"]
    assert [r["code"] for r in page["rowData"]] == ["E0", "E1"] and page["rowCount"] == 2
    values["case-scope.value"] = "archived"  # no case of D is closed: say so
    out = call(app, "incidents.getRowsResponse", values).get_json()["response"]
    assert out[ids.INCIDENTS]["getRowsResponse"] == {"rowData": [], "rowCount": 0}
    assert out[ids.CASE_EMPTY]["children"] == "No case matches these filters"
    values["case-scope.value"] = "deleted"
    assert call(app, "incidents.getRowsResponse", values).status_code == 204
    values["case-scope.value"] = "open"
    for forged in ({"startRow": 0, "endRow": 10_000}, {"startRow": -15, "endRow": 0}, {}):
        values["incidents.getRowsRequest"] = forged
        assert call(app, "incidents.getRowsResponse", values).status_code == 204


def test_a_pan_on_the_same_snapshot_sends_nothing(db_url: str, conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    pool = open_pool(db_url, 2)
    try:  # a refresh once an hour: the snapshot cannot change during the test
        app = create_app(Settings(lang="en", refresh_seconds=3600), pool)
        first = call(app, "units.hideout", MAP_VALUES).get_json()["response"]
        key = first[ids.MAP_KEY]["data"]
        same = call(app, "units.hideout", MAP_VALUES | {"map-key.data": key}, "map.zoom")
        assert same.status_code == 204
    finally:
        pool.close()


def test_refresh_sends_only_the_grids_that_changed(app: Dash, conn: psycopg.Connection) -> None:
    values = dict(MAP_VALUES)
    first = call(app, "units.hideout", values).get_json()["response"]
    assert re.fullmatch(r"/twin/outlines/grid\.pbf\?map=\d+-\d+", first[ids.UNITS]["url"])
    assert first[ids.UNITS]["hideout"]["values"] == {"G1": 2, "G2": 1, "G3": 0, "G4": 0}
    key = first[ids.MAP_KEY]["data"]
    # A newer snapshot with the same values: only its version number travels.
    wait_for_version(app, key["version"] + 1)
    same = call(app, "units.hideout", values | {"map-key.data": key}, "map.zoom")
    body = same.get_json()["response"]
    assert set(body) == {ids.MAP_KEY} and body[ids.MAP_KEY]["data"]["version"] > key["version"]
    key = body[ids.MAP_KEY]["data"]
    add_incident(conn, "E9", 1.1, 1.1)  # G4 gains an open case (its middle is a hole)
    # Two versions on, a snapshot whose read began after the insert is stored.
    wait_for_version(app, version_now(app) + 2)
    values |= {"refresh.n_intervals": 1, "map-key.data": key}
    patch = call(app, "units.hideout", values, "refresh.n_intervals")
    body = patch.get_json()["response"]
    assert "url" not in body[ids.UNITS]  # the outlines are not sent again
    operations = body[ids.UNITS]["hideout"]["operations"]
    changed = [op for op in operations if op["location"] == ["values"]]
    assert [op["params"]["value"] for op in changed] == [{"G4": 1}], operations
    assert len(patch.data) < 2000


def test_cockpit_refresh_fills_city_tiles_attention_and_feed(
    app: Dash, conn: psycopg.Connection
) -> None:
    state = {"mode": "cockpit", "lang": "en", "unit": None}
    out = call(app, "city-tiles.children", {"refresh.n_intervals": 1, "state.data": state})
    body = out.get_json()["response"]
    total_open = conn.execute(f"SELECT count(*) FROM incident WHERE status IN {OPEN}").fetchone()
    tile = find(body[ids.CITY_TILES]["children"], "city-open")
    assert tile is not None and tile["data-value"] == str(total_open[0])  # type: ignore[index]
    attention = json.dumps(body[ids.ATTENTION]["children"])
    assert attention.index('"G2"') < attention.index('"G1"')  # G2's severity-1 case weighs more
    assert "E2" in json.dumps(body[ids.FEED]["children"])
    held = body[ids.COCKPIT_KEY]["data"]
    again = call(
        app,
        "city-tiles.children",
        {"refresh.n_intervals": 2, "state.data": state, "cockpit-key.data": held},
    ).get_json()["response"]
    # Nothing changed: nothing resent but the time and the version (the wall's watchdog's).
    assert set(again) == {ids.UPDATED, ids.COCKPIT_KEY, ids.FRESH}
    add_incident(conn, "E7", 0.5, 0.5)
    wait_for_version(app, version_now(app) + 2)  # a snapshot read after the insert
    values = {"refresh.n_intervals": 3, "state.data": state, "cockpit-key.data": held}
    changed = call(app, "city-tiles.children", values).get_json()["response"]
    assert ids.CITY_TILES in changed and ids.FEED not in changed  # a severity-3 case
    unit_state = {"mode": "unit", "lang": "en", "unit": "G1"}
    skipped = call(app, "city-tiles.children", {"refresh.n_intervals": 2, "state.data": unit_state})
    assert skipped.status_code == 204  # a unit page does not pay for the cockpit


def test_a_level_too_big_for_one_map_travels_per_viewport(
    app: Dash, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The one limit the map callback and the outline route both read: 4 grids are too many.
    monkeypatch.setattr("twin.app.mapdata.WHOLE_LEVEL_MAX", 3)
    client = app.server.test_client()
    refused = client.get("/twin/outlines/grid.pbf")
    assert refused.status_code == 400
    assert "level grid has 4 units, more than 3 for one map" in refused.get_data(as_text=True)
    assert client.get("/twin/outlines/community.pbf").status_code == 200  # 1 community: whole
    values: dict[str, Any] = {
        "state.data": {"mode": "cockpit", "lang": "en", "unit": None},
        "metric.value": "open",
        "level.value": "grid",
        "map.zoom": 15,
        "map.bounds": [[30.001, 114.001], [30.009, 114.009]],
    }
    near = call(app, "units.hideout", values).get_json()["response"][ids.UNITS]
    snapped = r"/twin/outlines/grid\.pbf\?map=\d+-\d+&bbox=114\.00,30\.00,114\.02,30\.02"
    assert re.fullmatch(snapped, near["url"])
    assert set(near["hideout"]["values"]) == {"G1", "G2", "G3", "G4"}
    values["map.bounds"] = [[31.0, 115.0], [31.01, 115.01]]
    away = call(app, "units.hideout", values).get_json()["response"][ids.UNITS]
    assert away["hideout"]["values"] == {}  # values travel only for the units in view
    assert client.get(near["url"]).status_code == 200  # the viewport the callback asked for


def test_a_basemap_only_when_one_is_configured(db_url: str, conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    url = "http://tiles.intranet/{z}/{x}/{y}.png"
    pool = open_pool(db_url, 2)
    try:
        for basemap, expected in (("", []), (url, [url])):
            app = create_app(Settings(basemap_url=basemap), pool)
            layout = app.server.test_client().get("/_dash-layout").get_json()
            tiles = []
            stack: list[Any] = [layout]
            while stack:
                node = stack.pop()
                if isinstance(node, dict):
                    if node.get("type") == "TileLayer":
                        tiles.append(node["props"]["url"])
                    stack.extend(node.values())
                elif isinstance(node, list):
                    stack.extend(node)
            assert tiles == expected
    finally:
        pool.close()


def test_the_window_changes_the_tiles_the_trend_and_the_map(app: Dash) -> None:
    # E1 (G1) and E2 (G2) were reported just now, E0 (G1) four days ago.
    def cockpit(window: str) -> dict[str, Any]:
        state = {"mode": "cockpit", "lang": "en", "unit": None, "window": window}
        values = {"refresh.n_intervals": 1, "state.data": state}
        return call(app, "city-tiles.children", values).get_json()["response"]  # type: ignore[no-any-return]

    day, week = cockpit("24h"), cockpit("7d")
    assert find(day[ids.CITY_TILES]["children"], "city-new_window")["data-value"] == "2"  # type: ignore[index]
    assert find(week[ids.CITY_TILES]["children"], "city-new_window")["data-value"] == "3"  # type: ignore[index]
    assert len(day[ids.TREND]["figure"]["data"][0]["x"]) == 24  # hours
    assert len(week[ids.TREND]["figure"]["data"][0]["x"]) == 7  # days
    assert sum(sum(bar["y"]) for bar in day[ids.TREND]["figure"]["data"]) == 2

    def counts(window: str) -> dict[str, int]:
        state = {"mode": "cockpit", "lang": "en", "unit": None, "window": window}
        values = MAP_VALUES | {"metric.value": "incidents_window", "state.data": state}
        body = call(app, "units.hideout", values).get_json()["response"]
        return body[ids.UNITS]["hideout"]["values"]  # type: ignore[no-any-return]

    assert counts("24h") == {"G1": 1, "G2": 1, "G3": 0, "G4": 0}
    assert counts("7d") == {"G1": 2, "G2": 1, "G3": 0, "G4": 0}
    page = call(app, "state.data", {"url.pathname": "/grid/G1", "url.search": "?window=24h"})
    head = page.get_json()["response"][ids.UNIT_HEAD]["children"]
    assert find(head, "kpi-new_window")["data-value"] == "1"  # type: ignore[index]
    assert find(head, "unit-window")["children"] == "Last 24 hours"  # type: ignore[index]


def test_a_new_map_gives_the_outlines_a_new_url_on_the_next_refresh(
    app: Dash, conn: psycopg.Connection
) -> None:
    first = call(app, "units.hideout", MAP_VALUES).get_json()["response"]
    key = first[ids.MAP_KEY]["data"]
    conn.execute("UPDATE grid SET name = 'renamed' WHERE code = 'G1'")  # as a publish writes
    wait_for_version(app, version_now(app) + 2)  # a snapshot read after the write
    later = call(app, "units.hideout", MAP_VALUES | {"map-key.data": key}, "refresh.n_intervals")
    response = later.get_json()["response"]
    url = response[ids.UNITS]["url"]
    assert url.startswith("/twin/outlines/grid.pbf?map=")
    assert url != first[ids.UNITS]["url"]
    parents = call(app, f"{ids.PARENTS}.url", {"map-key.data": response[ids.MAP_KEY]["data"]})
    want = "/twin/outlines/community.pbf?" + url.partition("?")[2]
    assert parents.get_json()["response"][ids.PARENTS]["url"] == want
