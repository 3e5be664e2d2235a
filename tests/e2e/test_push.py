"""Live push in the browser: a case posted through the API shows on an open cockpit and wall
within seconds, with the pages' own refresh set far longer; a page that loses its server says
so and catches up when it returns."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from playwright.sync_api import expect

from tests.conftest import fresh_database
from tests.e2e.conftest import ARTIFACTS, Served, Watched
from tests.e2e.test_map import assert_clean
from twin.app.launch import twin_serve

PUSHED_MS = 3000  # the 2 s, and a second of slack for a loaded test machine


@pytest.fixture(scope="module")
def pushed(server_url: str, demo_template: str) -> Iterator[Served]:
    """The small demo served with a refresh of 10 minutes: only the push can be that fast."""
    with fresh_database(server_url, demo_template) as db_url:
        env = {"TWIN_REFRESH_SECONDS": "600", "TWIN_SWEEP_SECONDS": "0"}
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with twin_serve(db_url, ARTIFACTS / "serve-push.log", TWIN_LANG="zh-CN", **env) as url:
            yield Served(url, db_url)


def first_grid(served: Served) -> tuple[float, float, str]:
    """A point inside the first grid, and the grid's name."""
    with psycopg.connect(served.db_url) as conn:
        row = conn.execute(
            "SELECT ST_X(p), ST_Y(p), name FROM (SELECT ST_PointOnSurface(geom) AS p, name"
            " FROM grid WHERE level = 'grid' ORDER BY code LIMIT 1) g"
        ).fetchone()
    assert row is not None
    return row


def post_case(served: Served, **fields: Any) -> dict[str, Any]:
    """Create a case through the HTTP API at a point inside the first grid."""
    row = first_grid(served)
    body = {"category": "fire_hazard", "severity": 3, "source": "hotline"}
    body |= {"lon": row[0], "lat": row[1]} | fields
    request = urllib.request.Request(
        served.url + "/api/cases",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return dict(json.loads(answer.read())["case"])


def open_cases(page: Any) -> str:
    """The city's open-cases tile as shown, once it shows a number."""
    tile = page.locator("#city-open .tile-value")
    expect(tile).to_have_text(re.compile(r"\d"))
    return str(tile.inner_text())


def test_a_case_posted_shows_on_an_open_cockpit_without_reload(
    pushed: Served, watched: Watched
) -> None:
    page = watched.page
    page.goto(pushed.url)
    before = open_cases(page)
    page.wait_for_timeout(1500)  # the page has heard the current version
    post_case(pushed, category="sanitation")
    expect(page.locator("#city-open .tile-value")).not_to_have_text(before, timeout=PUSHED_MS)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no reload
    assert_clean(watched, pushed.url)


def test_an_idle_page_waits_on_held_questions_and_a_version_costs_two_requests(
    pushed: Served, watched: Watched
) -> None:
    page = watched.page
    page.goto(f"{pushed.url}/?lang=en")
    before = open_cases(page)
    page.wait_for_timeout(1500)  # the page has heard the current version and map

    def questions() -> int:
        return len([u for u in watched.requests if "/twin/version" in u])

    asked = questions()
    page.wait_for_timeout(4000)  # nothing written: each question waits 2 s for news
    assert questions() - asked <= 3  # asked twice a second, it would be 8
    calls = len(watched.callbacks)
    post_case(pushed, category="dispute")
    expect(page.locator("#city-open .tile-value")).not_to_have_text(before, timeout=PUSHED_MS)
    page.wait_for_timeout(1000)
    # The cockpit's parts and the map's values; the outlines wait for a new map.
    assert len(watched.callbacks[calls:]) == 2, watched.callbacks[calls:]
    assert_clean(watched, pushed.url)


def test_a_severity_1_case_takes_over_the_wall_at_once(pushed: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{pushed.url}/screen")
    expect(page.locator("#feed-list li").first).to_be_visible()
    page.wait_for_timeout(1500)
    case = post_case(pushed, severity=1, category="public_security")
    takeover = page.locator("#takeover")
    expect(takeover).to_be_visible(timeout=PUSHED_MS)
    expect(takeover).to_contain_text(case["code"])
    newest = page.locator("#feed-list li").first  # the feed names no codes: what and where
    expect(newest).to_contain_text("治安", timeout=PUSHED_MS)
    expect(newest).to_contain_text(first_grid(pushed)[2])
    assert_clean(watched, pushed.url)


def test_a_page_that_lost_its_server_says_so_and_catches_up(
    pushed: Served, watched: Watched
) -> None:
    page = watched.page
    page.goto(f"{pushed.url}/?lang=en")
    before = open_cases(page)
    banner = page.locator("#offline-banner")
    expect(banner).to_be_hidden()
    page.context.set_offline(True)
    expect(banner).to_be_visible(timeout=6000)
    expect(banner).to_have_text(
        "Connection to the server lost: the page catches up when it returns"
    )
    post_case(pushed, category="dispute")  # a write the page cannot hear of while it is cut off
    page.wait_for_timeout(1500)
    expect(page.locator("#city-open .tile-value")).to_have_text(before)
    page.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=PUSHED_MS)
    expect(page.locator("#city-open .tile-value")).not_to_have_text(before, timeout=PUSHED_MS)
