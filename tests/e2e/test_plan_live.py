"""A published plan reaches the pages left open: the cockpit's map draws the new outlines
without a reload, and a unit page shows the unit's version history with the plan."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import psycopg
import shapely
from playwright.sync_api import expect
from shapely import wkb

from tests.e2e.conftest import Served, Watched, screenshot
from tests.e2e.test_map import assert_clean
from twin.activity import Clock
from twin.plans import edits, publish, store

REFRESH_MS = 2000  # TWIN_REFRESH_SECONDS=2 in the served app (tests/e2e/conftest.py)
ROUND_TRIPS_MS = 3000  # the snapshot's read, the map's callback and the outlines' fetch


def split_and_publish(db_url: str, plan: str, nth: int) -> tuple[str, int]:
    """Split the nth grid by a north-south line through its middle, publish it now; the
    grid's code and how many grids the map has after."""
    clock = Clock(datetime.now(UTC))  # pinned for the whole plan: edits, review, publish
    with psycopg.connect(db_url, autocommit=True) as conn:
        code, geom = conn.execute(
            "SELECT code, ST_AsBinary(geom) FROM grid WHERE level = 'grid' ORDER BY code"
            " OFFSET %s LIMIT 1",
            [nth],
        ).fetchone()  # type: ignore[misc]
        shape = wkb.loads(bytes(geom))
        x = shapely.centroid(shape).x
        _, south, _, north = shape.bounds
        line = shapely.LineString([(x, south - 0.001), (x, north + 0.001)])
        store.new_plan(conn, plan, None, "planner", clock)
        edits.split(conn, plan, code, line, "planner", 0, clock)
        made = store.set_state(conn, store.get_plan(conn, plan), "submitted", "planner", "", clock)
        store.set_state(conn, made, "approved", "chief", "", clock)
        publish.publish(conn, plan, clock.local.date(), "chief", clock)
        count = conn.execute("SELECT count(*) FROM grid WHERE level = 'grid'").fetchone()
    assert count is not None
    return code, count[0]


def test_a_published_split_shows_on_the_open_cockpit_without_a_reload(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.goto(served.url)
    page.locator("#level").get_by_text("网格", exact=True).click()  # draw the grid level
    paths = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
    with psycopg.connect(served.db_url) as conn:
        before = conn.execute("SELECT count(*) FROM grid WHERE level = 'grid'").fetchone()
    assert before is not None
    expect(paths).to_have_count(before[0])
    fetched = len([u for u in watched.requests if "/twin/outlines/grid.pbf" in u])
    _, after = split_and_publish(served.db_url, "live-split", 0)
    assert after > before[0]
    published = time.monotonic()
    expect(paths).to_have_count(after, timeout=REFRESH_MS + ROUND_TRIPS_MS)
    print(f"new outlines drawn {time.monotonic() - published:.2f} s after the publish")
    outlines = [u for u in watched.requests if "/twin/outlines/grid.pbf" in u]
    assert len(outlines) == fetched + 1  # fetched again once, for the new map
    screenshot(page, "plan-published-live")
    documents = [u for u in watched.requests if "/twin/" not in u and "/_dash" not in u]
    documents = [u for u in documents if u.rstrip("/") == served.url.rstrip("/")]
    assert len(documents) == 1  # no reload: one page load
    assert_clean(watched, served.url)


def test_the_unit_page_lists_the_versions_after_a_publish(served: Served, watched: Watched) -> None:
    page = watched.page
    code, _ = split_and_publish(served.db_url, "history-split", 3)
    page.goto(f"{served.url}/grid/{code}")
    panel = page.locator("#unit-history")
    expect(panel).to_be_visible()
    expect(panel.locator("h3")).to_have_text("版本历史")
    rows = panel.locator("tbody tr")
    expect(rows.first).to_contain_text("规划 history-split")
    expect(rows.first).to_contain_text("边界调整")
    expect(rows.first).to_contain_text("现行")
    expect(rows.last).to_contain_text("新建")
    screenshot(page, "unit-version-history")
    assert_clean(watched, served.url)
