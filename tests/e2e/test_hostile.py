"""Hostile labels in a real browser: a camera code and a unit name made of markup show as
text in their tooltips and pages, run nothing, and a click keeps the page's language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import psycopg
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served, Watched, screenshot
from tests.e2e.test_map import a_grid_to_click, assert_clean

CAMERA = "<img src=x onerror=alert(1)>"
NAME = '<img src=y onerror="alert(2)"><script>alert(3)</script>'


@pytest.fixture(scope="module")
def hostile(served: Served) -> Iterator[tuple[Served, str]]:
    """The demo with its clickable grid recoded with URL characters and named in markup,
    holding one camera (code in markup, never seen) and one sensor never read."""
    _, code, _ = a_grid_to_click(served.db_url)
    new = f"{code}/1&#中"
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        gid = conn.execute(
            "UPDATE grid SET code = %s, name = %s WHERE code = %s RETURNING id", [new, NAME, code]
        ).fetchone()
        assert gid is not None
        conn.execute("DELETE FROM camera WHERE grid_id = %s", gid)  # the one marker drawn
        spot = "(SELECT ST_PointOnSurface(geom) FROM grid WHERE id = %s)"
        conn.execute(
            f"INSERT INTO camera (code, name, status, last_seen, geom)"
            f" VALUES (%s, %s, 'fault', NULL, {spot})",
            [CAMERA, CAMERA, gid[0]],
        )
        conn.execute(
            f"INSERT INTO sensor (code, kind, status, last_value, geom)"
            f" VALUES ('S-never', 'gas', 'offline', NULL, {spot})",
            gid,
        )
    yield served, new


def hover_map_centre(page: Page, expected: str) -> None:
    """Hover the map's middle until a unit's tooltip with the expected text opens (the map
    may still be moving to the unit)."""
    box = page.locator("#map").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for _ in range(20):
        page.mouse.move(x - 40, y - 40)
        page.mouse.move(x, y)
        tip = page.locator(".unit-tip")
        if tip.count() and expected in (tip.first.text_content() or ""):
            return
        page.wait_for_timeout(250)


def dialogs_of(page: Page) -> list[str]:
    """Every alert, confirm or prompt the page opens (dismissed)."""
    opened: list[str] = []
    page.on("dialog", lambda d: (opened.append(d.message), d.dismiss()))
    return opened


def test_markup_in_a_camera_code_and_a_unit_name_shows_as_text(
    hostile: tuple[Served, str], watched: Watched
) -> None:
    served, code = hostile
    page = watched.page
    opened = dialogs_of(page)
    page.goto(f"{served.url}/grid/{quote(code, safe='')}?lang=en")
    expect(page.locator("#unit-title")).to_contain_text(NAME)
    expect(page.locator(".unit-code")).to_have_text(code)
    hover_map_centre(page, code)  # the map fits the unit, so its middle is the unit's
    expect(page.locator(".unit-tip")).to_contain_text(f"{NAME} · {code}")
    page.locator("#layers").get_by_text("Cameras").click()
    marker = page.locator(".leaflet-marker-pane .pt-camera:has(path[fill='#d93025'])")
    expect(marker).to_have_count(1)
    marker.hover()
    tip = page.locator(".point-tip").filter(has_text="Fault")
    expect(tip).to_contain_text(f"Cameras · {CAMERA}")
    expect(tip).to_contain_text("Status: Fault")
    body = page.locator("#unit-page")  # its devices, below the case table
    expect(body).to_contain_text(CAMERA)
    expect(body).to_contain_text("S-never")
    screenshot(page, "hostile-labels")
    assert page.locator("img[src='x'], img[src='y']").count() == 0
    assert opened == []
    assert_clean(watched, served.url)
    assert not [u for u in watched.requests if re.search(r"/[xy]$", u)]  # no image fetched


def test_a_click_on_the_map_keeps_the_page_language(
    hostile: tuple[Served, str], watched: Watched
) -> None:
    served, code = hostile
    page = watched.page
    opened = dialogs_of(page)
    page.goto(f"{served.url}/?lang=en")
    expect(page.locator("#title")).to_have_text("Grid governance digital twin")
    page.locator("#level").get_by_text("Grid", exact=True).click()
    with psycopg.connect(served.db_url) as conn:
        row = conn.execute(
            "SELECT n - 1 FROM (SELECT row_number() OVER (ORDER BY code) AS n, code"
            " FROM grid WHERE level = 'grid') g WHERE code = %s",
            [code],
        ).fetchone()
    assert row is not None
    paths = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
    paths.nth(row[0]).click()
    expect(page).to_have_url(re.compile(re.escape(f"/grid/{quote(code, safe='')}?lang=en") + "$"))
    expect(page.locator("#unit-title")).to_contain_text(NAME)
    expect(page.locator("#kpi-open .tile-label")).to_have_text("Open cases")
    page.locator("#crumb-community").click()
    expect(page).to_have_url(re.compile(r"/grid/[^/?]+\?lang=en$"))
    expect(page.locator("#kpi-open .tile-label")).to_have_text("Open cases")
    assert opened == []
    assert_clean(watched, served.url)
