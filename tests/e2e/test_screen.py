"""The wall screen: fills 1920x1080 and 3840x2160 exactly, tours the grids needing attention,
and a new severity-1 case takes it over."""

from __future__ import annotations

import psycopg
import pytest
from playwright.sync_api import BrowserContext, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import Served, Watched, screenshot
from tests.e2e.test_map import assert_clean

# Every element outside the map's own panes (tiles and paths may run past its edge by design)
# must lie inside the viewport; nothing may scroll.
OVERFLOW = """() => {
  const w = window.innerWidth, h = window.innerHeight, bad = [];
  for (const el of document.querySelectorAll('body *')) {
    // Plotly measures text in an invisible svg parked at -10000px: not part of the page.
    if (el.closest('.leaflet-pane, .js-plotly-plot, #js-plotly-tester')) continue;
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    if (!r.width || !r.height || s.display === 'none' || s.visibility === 'hidden') continue;
    if (r.left < -0.5 || r.top < -0.5 || r.right > w + 0.5 || r.bottom > h + 0.5)
      bad.push(`${el.tagName}#${el.id}.${el.getAttribute('class')} ${[r.left, r.right, r.bottom]}`);
    if (['auto', 'scroll'].includes(s.overflowY) && el.scrollHeight > el.clientHeight + 1)
      bad.push(`scrolls: ${el.tagName}#${el.id}.${el.getAttribute('class')}`);
  }
  const d = document.documentElement;
  if (d.scrollWidth > w || d.scrollHeight > h) bad.push(`page ${d.scrollWidth}x${d.scrollHeight}`);
  return bad;
}"""


def open_screen(watched: Watched, url: str, lang: str | None = None) -> None:
    page = watched.page
    page.goto(f"{url}/screen" + (f"?lang={lang}" if lang else ""))
    expect(page.locator("#shell")).to_have_class("shell screen")
    expect(page.locator("#city-open .tile-value")).not_to_be_empty()
    expect(page.locator("#feed-list li").first).to_be_visible()
    try:
        page.locator("#tour-name").wait_for(timeout=15000)
    except PlaywrightTimeout as exc:
        raise AssertionError("no tour card; callbacks:\n" + "\n".join(watched.callbacks)) from exc


@pytest.mark.parametrize("size", [(1920, 1080), (3840, 2160)], ids=["1080p", "4k"])
def test_the_wall_fills_the_screen_exactly(
    served: Served, browser: BrowserContext, size: tuple[int, int]
) -> None:
    width, height = size
    watched = Watched(browser.new_page()).watch()
    page = watched.page
    page.set_viewport_size({"width": width, "height": height})
    open_screen(watched, served.url)
    page.wait_for_timeout(1500)  # let the tour's fly-to and the chart settle
    assert page.evaluate(OVERFLOW) == []
    for hidden in ("#search", "#lang-link", ".controls"):
        expect(page.locator(hidden)).to_be_hidden()  # no controls on the wall
    font = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.tile-value')).fontSize)"
    )
    assert font >= height * 0.03  # readable from across the hall
    screenshot(page, f"screen-{width}x{height}")
    assert_clean(watched, served.url)


def test_the_tour_moves_on_and_a_severity_1_case_takes_over(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_screen(watched, served.url)
    step = page.locator(".tour-step")
    first, first_name = step.inner_text(), page.locator("#tour-name").inner_text()
    expect(step).not_to_have_text(first, timeout=8000)  # TWIN_TOUR_SECONDS=2
    assert page.locator("#tour-name").inner_text() != first_name
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        conn.execute("""
            INSERT INTO incident (code, category, severity, source, status, due_at, geom)
            SELECT 'E2E-SEV1', 'fire_hazard', 1, 'hotline', 'reported', now() + interval '2 h',
                   ST_PointOnSurface(geom)
            FROM grid WHERE level = 'grid' ORDER BY code LIMIT 1""")
        grid = conn.execute(
            "SELECT name FROM grid WHERE level = 'grid' ORDER BY code LIMIT 1"
        ).fetchone()
    assert grid is not None
    takeover = page.locator("#takeover")
    expect(takeover).to_be_visible(timeout=10000)  # the next refresh, TWIN_REFRESH_SECONDS=2
    expect(takeover).to_contain_text("消防隐患")  # the category's label from incident.toml
    expect(takeover).to_contain_text(grid[0])
    expect(takeover).to_contain_text("E2E-SEV1")
    screenshot(page, "screen-takeover")
    expect(takeover).to_be_hidden(timeout=12000)  # TWIN_TAKEOVER_SECONDS=3, then the tour
    assert_clean(watched, served.url)
