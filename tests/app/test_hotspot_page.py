"""The hotspot page over HTTP on the hand-made grid world: its parts, its analysis from the
URL, the outlines and density image it loads from this server, and bad filters refused."""

from __future__ import annotations

import json

import geobuf
from dash import Dash

from tests.app.dash_client import call, find
from twin.app import ids

HOT = {"mode": "hotspots", "lang": "en", "unit": None, "window": "30d"}


def results(app: Dash, search: str) -> dict:  # type: ignore[type-arg]
    values = {
        "url.search": search,
        "refresh.n_intervals": None,
        "hot-built.data": "en",
        "state.data": HOT,
    }
    response = call(app, "hot-units.url", values, "url.search")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]  # type: ignore[no-any-return]


def test_the_page_is_served_and_built_with_the_urls_filters(app: Dash) -> None:
    client = app.server.test_client()
    assert client.get("/hotspots?lang=en").status_code == 200
    route = call(app, "state.data", {"url.pathname": "/hotspots", "url.search": "?lang=en"})
    out = route.get_json()["response"]
    assert out[ids.STATE]["data"]["mode"] == "hotspots"
    assert out[ids.SHELL]["className"] == "shell mode-hotspots"
    values = {"state.data": HOT, "url.search": "?lang=en&unit=community&window=7d"}
    built = call(app, "hotspots-page.children", values, "state.data").get_json()["response"]
    page = built[ids.HOTSPOTS_PAGE]["children"]
    assert find(page, ids.HOT_UNIT)["value"] == "community"  # type: ignore[index]
    assert find(page, ids.HOT_WINDOW)["value"] == "7d"  # type: ignore[index]
    assert built[ids.HOT_BUILT]["data"] == "en"


def test_the_analysis_follows_the_url(app: Dash) -> None:
    body = results(app, "?lang=en")
    assert body[ids.HOT_UNITS]["url"] == "/twin/hotspots/units.pbf"
    hideout = body[ids.HOT_UNITS]["hideout"]
    assert set(hideout["values"]) == {"G1", "G2", "G3", "G4"}
    assert hideout["counts"] == {"G1": 2, "G2": 1, "G3": 0, "G4": 0}
    community = results(app, "?lang=en&unit=community")
    assert community[ids.HOT_UNITS]["url"] == "/twin/hotspots/units.pbf?unit=community"
    legend = json.dumps(body[ids.HOT_LEGEND]["children"])
    assert "Hot spot 99%" in legend and "Cold spot 99%" in legend


def test_outlines_and_density_come_from_this_server(app: Dash) -> None:
    client = app.server.test_client()
    got = geobuf.decode(client.get("/twin/hotspots/units.pbf").data)["features"]
    assert sorted(f["properties"]["code"] for f in got) == ["G1", "G2", "G3", "G4"]
    hexes = geobuf.decode(client.get("/twin/hotspots/units.pbf?unit=hex:500").data)["features"]
    assert len(hexes) > 4 and all(f["properties"]["code"].startswith("H") for f in hexes)
    png = client.get("/twin/hotspots/density.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    bad = client.get("/twin/hotspots/units.pbf?unit=hex:1")
    assert bad.status_code == 400 and "unit" in bad.get_data(as_text=True)
    assert client.get("/twin/hotspots/density.png?category=nope").status_code == 400
