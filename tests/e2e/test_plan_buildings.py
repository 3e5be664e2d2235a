"""The plan editor names a building a new boundary cuts (issue 16): a split drawn through one
of the demo's buildings lists "Crosses a building" with the building's code, in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.e2e.conftest import Served, Watched, screenshot
from tests.e2e.test_plan_editor import draw, revision, sign_in, wait_revision
from twin.activity import Clock
from twin.plans import store

PLAN = "e2e-buildings"


@pytest.fixture(scope="module")
def site(served: Served) -> dict[str, Any]:
    """A demo grid with a building inside it, the building, and a draft over its community."""
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT g.code, p.code, b.code, ST_Y(ST_Centroid(b.geom)),"
            " ST_XMin(g.geom), ST_XMax(g.geom)"
            " FROM reference_feature b JOIN grid g ON g.level = 'grid'"
            "  AND ST_Within(b.geom, g.geom)"
            " JOIN grid p ON p.id = g.parent_id"
            " WHERE b.layer = 'building' ORDER BY b.code LIMIT 1"
        ).fetchone()
        assert row is not None
        store.new_plan(conn, PLAN, row[1], "setup", Clock.current())
    grid, _, building, lat, west, east = row
    return {"grid": grid, "building": building, "lat": lat, "west": west, "east": east}


@pytest.fixture
def editor(served: Served, site: dict[str, Any], watched: Watched) -> Iterator[Watched]:
    """The editor of the plan, loaded, in English."""
    watched.page.goto(f"{served.url}/planner/{PLAN}?lang=en")
    watched.page.locator("#ed-title").wait_for()
    watched.page.locator("#ed-map .leaflet-interactive").first.wait_for()
    sign_in(watched.page, "Planner Zhao")  # the editor refuses an unsigned edit
    yield watched
    assert [u for u in watched.requests if not u.startswith(served.url)] == []
    assert watched.errors == [], "\n".join(watched.errors)


def test_a_split_through_a_building_lists_the_building_it_cuts(
    editor: Watched, site: dict[str, Any]
) -> None:
    page = editor.page
    page.get_by_label("Split by a line").check()
    page.locator(".leaflet-draw-draw-polyline").wait_for()  # the tool's layer has arrived
    rev = revision(page)
    lat = site["lat"]
    line = {
        "type": "LineString",
        "coordinates": [[site["west"] - 0.001, lat], [site["east"] + 0.001, lat]],
    }
    draw(page, line, "polyline")
    wait_revision(page, rev + 1)
    crossed = page.locator(".ed-problem").filter(has_text="Crosses a building")
    ours = crossed.filter(has_text=f"building {site['building']}")
    ours.wait_for()
    assert site["grid"] in ours.inner_text()
    screenshot(page, "plan-editor-crosses-building")
