"""The plan editor (/planner/<plan>) in Chromium over the small demo: split, merge, a dragged
shared vertex, the auto-fix and a second planner's conflict, each checked against plain SQL.

The map's drawing layer is driven through the page: the EditControl's geojson and action
props are set as leaflet-draw sets them when a shape is finished, so the edit goes through
the page's real callbacks and the engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from playwright.sync_api import BrowserContext, Page

from tests.e2e.conftest import Served, Watched, screenshot
from twin.activity import Clock
from twin.plans import store

PLAN = "e2e-editor"


@pytest.fixture(scope="module")
def community(served: Served) -> dict[str, Any]:
    """A community of the demo with its grids (code -> lon/lat bounds), and a draft over it."""
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        code = conn.execute(
            "SELECT p.code FROM grid p JOIN grid g ON g.parent_id = p.id"
            " WHERE p.level = 'community' GROUP BY p.code HAVING count(*) >= 4"
            " ORDER BY p.code LIMIT 1"
        ).fetchone()[0]  # type: ignore[index]
        store.new_plan(conn, PLAN, code, "setup", Clock.current())
        grids = conn.execute(
            "SELECT g.code, ST_XMin(g.geom), ST_YMin(g.geom), ST_XMax(g.geom), ST_YMax(g.geom)"
            " FROM grid g JOIN grid p ON p.id = g.parent_id WHERE p.code = %s ORDER BY g.code",
            [code],
        ).fetchall()
    return {"code": code, "grids": {g[0]: g[1:] for g in grids}}


@pytest.fixture
def editor(served: Served, community: dict[str, Any], watched: Watched) -> Iterator[Watched]:
    """The editor of the plan, loaded, in English."""
    watched.page.goto(f"{served.url}/planner/{PLAN}?lang=en")
    watched.page.locator("#ed-title").wait_for()
    watched.page.locator("#ed-map .leaflet-interactive").first.wait_for()
    yield watched
    outside = [u for u in watched.requests if not u.startswith(served.url)]
    assert outside == []
    assert watched.errors == [], "\n".join(watched.errors)


def revision(page: Page) -> int:
    """The revision the page holds (from its header)."""
    return int(page.locator("#ed-head").inner_text().split("revision ")[1].split(" ")[0])


def draw(page: Page, geometry: dict[str, Any], kind: str, n: int = 1) -> None:
    """Finish a shape in the drawing layer as leaflet-draw does: its features, then the stop."""
    feature = {"type": "Feature", "properties": {"type": kind}, "geometry": geometry}
    stop = "draw:editstop" if kind == "edited" else "draw:drawstop"
    page.evaluate(
        """([f, stop, n]) => {
            const set = (props) => dash_clientside.set_props("plan-draw", props);
            set({geojson: {type: "FeatureCollection", features: [f]}});
            set({action: {layer_type: "polygon", type: stop, n_actions: n}});
        }""",
        [feature, stop, n],
    )


def wait_revision(page: Page, rev: int) -> None:
    page.locator("#ed-head").filter(has_text=f"revision {rev} ").wait_for()


def test_the_editor_shows_the_plan_over_the_map_in_force(
    editor: Watched, community: dict[str, Any]
) -> None:
    page = editor.page
    assert page.locator("#ed-head").inner_text().startswith("State draft · revision 0")
    assert page.locator("#plan-workflow").count() == 1
    assert page.locator("#ed-problems").inner_text() == "No problems: no gaps, no overlaps"
    screenshot(page, "plan-editor")
    print(json.dumps(community)[:100])


def plan_units(db_url: str) -> dict[str, Any]:
    """The plan's rows by plain SQL: code -> (op, area m², households)."""
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT u.code, u.op, ST_Area(u.geom::geography), u.households"
            " FROM grid_plan_unit u JOIN grid_plan p ON p.id = u.plan_id WHERE p.name = %s",
            [PLAN],
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def cameras_in_plan_unit(db_url: str, code: str) -> int:
    """Cameras inside the plan's outline of a unit, by plain SQL."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM camera c JOIN grid_plan_unit u ON ST_Intersects(u.geom, c.geom)"
            " JOIN grid_plan p ON p.id = u.plan_id WHERE p.name = %s AND u.code = %s",
            [PLAN, code],
        ).fetchone()
    return int(row[0]) if row else 0


def test_a_line_across_a_grid_splits_it_and_the_panels_follow(
    editor: Watched, community: dict[str, Any], served: Served
) -> None:
    page = editor.page
    code, (w, s, e, n) = next(iter(community["grids"].items()))
    page.get_by_label("Split by a line").check()
    page.locator(".leaflet-draw-draw-polyline").wait_for()  # the tool's layer has arrived
    mid = (w + e) / 2
    rev = revision(page)
    line = {"type": "LineString", "coordinates": [[mid, s - 0.001], [mid, n + 0.001]]}
    draw(page, line, "polyline")
    wait_revision(page, rev + 1)
    rows = plan_units(served.db_url)
    assert code in rows and len(rows) >= 2
    row = page.locator(f"#ed-impact tr[data-code='{code}']")
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == code
    assert cells[4].endswith(f"→ {cameras_in_plan_unit(served.db_url, code)}")
    screenshot(page, "plan-editor-impact")


def test_a_second_planner_editing_the_same_unit_gets_the_conflict_and_keeps_the_drawing(
    editor: Watched, community: dict[str, Any], served: Served, browser: BrowserContext
) -> None:
    first = editor.page
    second = browser.new_page()
    second.goto(f"{served.url}/planner/{PLAN}?lang=en")
    second.locator("#ed-map .leaflet-interactive").first.wait_for()
    code, (w, s, e, n) = list(community["grids"].items())[1]
    rev = revision(first)
    assert revision(second) == rev
    # The first planner's split lands first (the second page still holds the revision both
    # loaded); sending both at once would leave which one wins to the server's threads.
    for page, x in ((first, w + (e - w) / 3), (second, w + 2 * (e - w) / 3)):
        page.get_by_label("Split by a line").check()
        # The tool's drawing layer is made anew by the server: draw once it has arrived
        # (a shape sent to the old one is lost when the new one replaces it).
        page.locator(".leaflet-draw-draw-polyline").wait_for()
        draw(
            page,
            {"type": "LineString", "coordinates": [[x, s - 0.001], [x, n + 0.001]]},
            "polyline",
        )
        if page is first:
            wait_revision(first, rev + 1)
    message = second.locator("#ed-message")
    message.filter(has_text="Not saved").wait_for()
    assert code in message.inner_text()
    assert revision(second) == rev
    second.locator("#ed-reload").click()
    wait_revision(second, rev + 1)
    assert second.locator("#ed-pending-layer path, #ed-map path[stroke='#6b21a8']").count() >= 1
