"""Reference layers in Chromium over the small demo: a hand-made street network (the demo's
unit edges as roads, written through replace_layer into the served database) drawn from
twin's own tiles on every map, toggled in each map's layer control, with nothing leaving
the server and no console error."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import LineString

from tests.e2e.conftest import NOW, Served, Watched, screenshot
from tests.e2e.test_map import assert_clean
from tests.e2e.test_planner import split_plan
from twin.activity import Clock
from twin.bench.roads import edge_roads
from twin.catalog.terms import Terms
from twin.plans.versions import current_version
from twin.reference.store import ReferenceFeature, replace_layer
from twin.synth.load import builtin_layers, generate

TILES = "/tiles/reference/"
PLAN = "e2e-reference"


@pytest.fixture(scope="module")
def roads(served: Served) -> dict[str, Any]:
    """The demo's unit edges as roads and a river along its middle, in the served database;
    a grid's code and a draft plan for the planner's pages."""
    city = generate("small", 1, NOW)  # the served demo's own areas (same size and seed)
    network = edge_roads(city.areas, Terms.of(builtin_layers()).levels)
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        replace_layer(conn, "road", network, Clock.current().now)
        w, s, e, n = conn.execute(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)"
            " FROM (SELECT ST_Extent(geom) AS b FROM grid) t"
        ).fetchone()  # type: ignore[misc]
        middle = LineString([(w, (s + n) / 2), (e, (s + n) / 2 + 0.004)])
        river = ReferenceFeature("river", "river", "汉江", middle)
        replace_layer(conn, "water", [river], Clock.current().now)
        code = conn.execute(
            "SELECT code FROM grid WHERE level = 'grid' ORDER BY code LIMIT 1"
        ).fetchone()[0]  # type: ignore[index]
        version = current_version(conn)
    split_plan(served.db_url, PLAN)
    return {"code": code, "version": version, "roads": len(network)}


def control(page: Page, map_id: str) -> Any:
    """The reference layers' checkbox in the map's layer control."""
    return page.locator(f"#{map_id} .twin-ref-control input[type=checkbox]")


def drawn(page: Page, map_id: str) -> bool:
    """Whether any reference tile of the map has a painted pixel."""
    return bool(
        page.evaluate(
            """id => [...document.querySelectorAll(
                   '#' + id + ' .leaflet-twinReference-pane canvas')].some(c => {
                 if (!c.width) { return false; }
                 const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                 for (let i = 3; i < d.length; i += 4) { if (d[i]) { return true; } }
                 return false;
               })""",
            map_id,
        )
    )


def wait_drawn(page: Page, map_id: str) -> None:
    page.wait_for_function(
        """id => [...document.querySelectorAll('#' + id + ' .leaflet-twinReference-pane canvas')]
                 .some(c => c.classList.contains('leaflet-tile-loaded'))""",
        arg=map_id,
    )
    page.wait_for_timeout(300)  # labels are laid out after the tile shows


def toggles_off_and_on(watched: Watched, map_id: str) -> None:
    """Off: the pane empties; on again: tiles come from twin's own server and are drawn."""
    page = watched.page
    box = control(page, map_id)
    expect(box).to_be_checked()
    wait_drawn(page, map_id)
    assert drawn(page, map_id)
    box.uncheck()
    expect(page.locator(f"#{map_id} .leaflet-twinReference-pane canvas")).to_have_count(0)
    box.check()
    wait_drawn(page, map_id)
    assert drawn(page, map_id)


def tile_requests(watched: Watched, base: str) -> list[str]:
    asked = [u for u in watched.requests if TILES in u]
    assert asked and all(u.startswith(base + TILES) for u in asked)
    return asked


def test_the_cockpit_and_a_unit_page_draw_the_streets_and_toggle_them(
    served: Served, roads: dict[str, Any], watched: Watched
) -> None:
    page = watched.page
    page.goto(f"{served.url}/?lang=en")
    page.locator("#map .leaflet-overlay-pane path.leaflet-interactive").first.wait_for()
    expect(page.locator("#map .twin-ref-control")).to_contain_text("Streets, water, buildings")
    toggles_off_and_on(watched, "map")
    screenshot(page, "reference-cockpit")
    page.goto(f"{served.url}/grid/{roads['code']}?lang=en")
    page.locator("#unit-title").wait_for()
    page.wait_for_timeout(800)  # the map flies to the unit
    toggles_off_and_on(watched, "map")
    screenshot(page, "reference-unit")
    tile_requests(watched, served.url)
    assert_clean(watched, served.url)


def test_the_label_follows_the_language(
    served: Served, roads: dict[str, Any], watched: Watched
) -> None:
    page = watched.page
    page.goto(f"{served.url}/?lang=zh-CN")
    expect(page.locator("#map .twin-ref-control")).to_contain_text("道路·水系·建筑")
    page.locator("#lang-link").click()
    expect(page.locator("#map .twin-ref-control")).to_contain_text("Streets, water, buildings")
    expect(page.locator("#map .twin-ref-control label")).to_have_count(1)
    assert_clean(watched, served.url)


def test_the_hotspots_page_draws_the_streets(
    served: Served, roads: dict[str, Any], watched: Watched
) -> None:
    watched.page.goto(f"{served.url}/hotspots?lang=en")
    control(watched.page, "hot-map").wait_for()
    toggles_off_and_on(watched, "hot-map")
    tile_requests(watched, served.url)
    assert_clean(watched, served.url)


def test_the_planner_draws_the_streets_under_the_plan_and_in_compare(
    served: Served, roads: dict[str, Any], watched: Watched
) -> None:
    page = watched.page
    page.goto(f"{served.url}/planner/{PLAN}?lang=en")
    page.locator("#ed-map .leaflet-interactive").first.wait_for()
    toggles_off_and_on(watched, "ed-map")
    screenshot(page, "reference-planner")
    page.goto(f"{served.url}/planner/compare?a={roads['version']}&b={PLAN}&view=side&lang=en")
    expect(page.locator("#cmp-map-a path.leaflet-interactive")).not_to_have_count(0)
    for side in ("cmp-map-a", "cmp-map-b"):
        toggles_off_and_on(watched, side)
    tile_requests(watched, served.url)
    assert_clean(watched, served.url)


def test_the_wall_starts_without_them_and_draws_them_dimmed_when_set(
    served: Served, roads: dict[str, Any], watched: Watched
) -> None:
    page = watched.page
    page.goto(f"{served.url}/screen?lang=en")
    box = control(page, "map")
    box.wait_for(state="attached")
    expect(box).to_be_hidden()  # nobody clicks the wall: the setting decides
    expect(box).not_to_be_checked()
    page.wait_for_timeout(1500)
    assert [u for u in watched.requests if TILES in u] == []
    # What TWIN_WALL_REFERENCE=1 sends the wall's map (twin.app.reference_map).
    page.evaluate(
        """() => {
            const cfg = Object.assign({}, window.twinRef.wanted.map, {on: true});
            dash_clientside.set_props("map-reference", {data: cfg});
        }"""
    )
    wait_drawn(page, "map")
    opacity = page.evaluate(
        "() => getComputedStyle(document.querySelector('#map .leaflet-twinReference-pane')).opacity"
    )
    assert float(opacity) == pytest.approx(0.45)
    tile_requests(watched, served.url)
    assert_clean(watched, served.url)
