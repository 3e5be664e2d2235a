"""The wall read from across the hall: type sizes, short lists, the tour's mark, the clock and
the freshness watchdog, and severity-1 cases pinned until dispatched."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.e2e.conftest import Served, Watched
from tests.e2e.test_map import assert_clean
from tests.e2e.test_screen import open_screen

SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"
MIN_VH = 2.0  # no text on the wall smaller than this share of the screen's height
MAX_ROWS = 5
CALLBACKS = re.compile(r"/_dash-update-component(\?|$)")  # every answer the wall's data comes in

# Every visible text on the page, with the size it is drawn at (its font size times the CSS
# zoom it sits under), in px and in percent of the viewport's height.
TEXT_SIZES = """() => {
  const h = window.innerHeight, w = window.innerWidth, out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const text = n.textContent.trim(), el = n.parentElement;
    if (!text || !el || el.closest('#js-plotly-tester, script, style')) continue;
    if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const range = document.createRange(); range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (!r.width || !r.height || r.right < 0 || r.bottom < 0 || r.left > w || r.top > h) continue;
    const px = parseFloat(getComputedStyle(el).fontSize) * (el.currentCSSZoom || 1);
    const name = `${el.tagName.toLowerCase()}#${el.id}.${el.getAttribute('class') || ''}`;
    out.push({name, text: text.slice(0, 40), chars: text.length, px, vh: 100 * px / h});
  }
  return out;
}"""

# Rows of every list on the wall that shows (a list is a ul/ol; the feed, attention, pins).
LIST_ROWS = """() => [...document.querySelectorAll('ul, ol')]
  .filter(l => l.checkVisibility())
  .map(l => ({name: `${l.tagName}#${l.id}.${l.className}`,
              rows: [...l.children].filter(c => c.checkVisibility()).length}))"""


def smallest_text(page: Page) -> dict[str, object]:
    """The smallest visible text on the page, and the share of characters under MIN_VH."""
    sizes = page.evaluate(TEXT_SIZES)
    assert sizes, "no visible text"
    small = sum(s["chars"] for s in sizes if s["vh"] < MIN_VH - 1e-6)
    return min(sizes, key=lambda s: s["px"]) | {
        "share_small": small / sum(s["chars"] for s in sizes)
    }


def wall_screenshot(page: Page, name: str) -> None:
    """A screenshot for people to look at, under artifacts/screens/ (never committed)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"))


@pytest.mark.parametrize(
    "size", [(1920, 1080), (3840, 2160), (3840, 1080)], ids=["1080p", "4k", "ultrawide"]
)
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_no_text_on_the_wall_is_under_2vh_and_no_list_has_more_than_5_rows(
    served: Served, browser: BrowserContext, size: tuple[int, int], lang: str
) -> None:
    width, height = size
    watched = Watched(browser.new_page()).watch()
    page = watched.page
    page.set_viewport_size({"width": width, "height": height})
    open_screen(watched, served.url, lang)
    page.wait_for_timeout(2500)  # the fly-to, the chart and the tour's label settle
    sizes = page.evaluate(TEXT_SIZES)
    small = [s for s in sizes if s["vh"] < MIN_VH - 1e-6]
    print(f"{width}x{height} {lang} smallest:", smallest_text(page))
    assert small == [], "text under 2vh:\n" + "\n".join(
        f"{s['name']} {s['px']:.1f}px {s['vh']:.2f}vh {s['text']!r}" for s in small
    )
    lists = page.evaluate(LIST_ROWS)
    assert {x["name"] for x in lists} >= {"UL#feed-list.feed", "OL#attention-list.attention"}
    long = [x for x in lists if x["rows"] > MAX_ROWS]
    assert long == [], f"lists over {MAX_ROWS} rows: {long}"
    if size != (3840, 2160):
        wall_screenshot(page, f"wall-{width}x{height}-{lang}")
    assert_clean(watched, served.url)


# The tour's label and outline, and the card's name, read at one instant.
TOUR_MARK = """() => {
  const label = document.querySelector('.leaflet-tooltip.tour-label');
  const paths = [...document.querySelectorAll('.leaflet-overlay-pane path')]
    .filter(p => p.getAttribute('stroke') === '#ffd43b');
  const box = r => r && (({left, right, top, bottom}) => ({left, right, top, bottom}))(r);
  return {
    card: document.querySelector('#tour-name')?.textContent,
    label: label?.querySelector('.tour-label-name')?.textContent,
    figure: label?.querySelector('.tour-label-figure')?.textContent,
    labelBox: box(label?.getBoundingClientRect()),
    labels: document.querySelectorAll('.leaflet-tooltip.tour-label').length,
    outlines: paths.length,
    weight: paths.map(p => p.getAttribute('stroke-width')),
    outlineBox: box(paths[0]?.getBoundingClientRect()),
  };
}"""


def settled_mark(page: Page, drawn: bool = False) -> dict[str, Any]:
    """The tour's mark once it names the card's grid (the card and the label come in one
    answer, the label's text a frame later); drawn: and once its outline is on screen (the
    map flies there meanwhile, and Leaflet draws nothing of a polygon out of view)."""
    last = None
    for _ in range(40):
        mark: dict[str, Any] = page.evaluate(TOUR_MARK)
        named = mark["label"] == mark["card"] and mark["outlines"] == mark["labels"] == 1
        box = mark["outlineBox"]
        # Drawn and still: the same place twice running (the fly-to has ended).
        still = box and box["right"] - box["left"] > 10 and mark == last
        if named and (not drawn or still):
            return mark
        last = mark
        page.wait_for_timeout(50)
    raise AssertionError(f"the mark does not name the toured grid: {mark}")


def test_the_tour_outlines_and_labels_the_grid_of_each_step(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_screen(watched, served.url)
    names = []
    for _ in range(2):
        mark = settled_mark(page, drawn=True)
        assert mark["weight"] == ["7"], mark  # a heavy outline
        assert re.fullmatch(r"(超期事件|在办事件) \d+", mark["figure"]), mark
        # The label stands on the outline's north edge, centred on it.
        lb, ob = mark["labelBox"], mark["outlineBox"]
        assert abs((lb["left"] + lb["right"]) / 2 - (ob["left"] + ob["right"]) / 2) < 4, mark
        assert ob["top"] - 30 < lb["bottom"] <= ob["top"] + 2, mark
        names.append(mark["card"])
        # For its whole step the mark names the grid the card names (TWIN_TOUR_SECONDS=2).
        for _ in range(6):
            settled_mark(page)
            page.wait_for_timeout(250)
        expect(page.locator("#tour-name")).not_to_have_text(names[-1], timeout=8000)
    assert names[0] != names[1]  # the mark moved with the tour
    assert_clean(watched, served.url)


def test_the_wall_shows_a_clock_and_says_when_its_data_stops_coming(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_screen(watched, served.url)
    clock, dog = page.locator("#wall-clock"), page.locator("#watchdog")
    expect(clock).to_have_text(re.compile(r"\d{2}:\d{2}:\d{2}$"))
    before = clock.inner_text()
    expect(clock).not_to_have_text(before, timeout=3000)  # it ticks
    for _ in range(10):  # a fresh page with data coming (TWIN_REFRESH_SECONDS=2): no warning
        assert dog.is_hidden()
        page.wait_for_timeout(500)

    def fail(route: Route) -> None:
        route.abort()

    page.route(CALLBACKS, fail)  # server and network gone, for the page
    page.wait_for_timeout(2000)
    assert dog.is_hidden()  # one interval without data is not yet an interruption
    expect(dog).to_be_visible(timeout=6000)  # two intervals: said in large type
    expect(dog).to_have_text(re.compile(r"^数据中断 \d+ 秒$"))
    first = int(re.findall(r"\d+", dog.inner_text())[0])
    assert first >= 4
    size = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('#watchdog')).fontSize)"
    )
    assert size >= 0.03 * 1080
    expect(dog).not_to_have_text(f"数据中断 {first} 秒", timeout=3000)  # counting up
    assert int(re.findall(r"\d+", dog.inner_text())[0]) > first
    stopped = clock.inner_text()
    expect(clock).not_to_have_text(stopped, timeout=3000)  # the clock goes on meanwhile
    page.unroute(CALLBACKS, fail)
    expect(dog).to_be_hidden(timeout=8000)  # data again: the warning goes
    wall_screenshot(page, "wall-1920x1080-zh-CN-recovered")
    outside = [u for u in watched.requests if not u.startswith((served.url, "data:", "blob:"))]
    assert outside == []


def test_a_wall_whose_first_data_never_comes_waits_two_intervals_then_says_so(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.set_viewport_size({"width": 3840, "height": 1080})

    def no_data(route: Route) -> None:
        # Only the refresh that brings the city's figures fails: the page still becomes the
        # wall (its route and tour answer), but no data ever reaches it.
        if "fresh-state" in (route.request.post_data or ""):
            route.abort()
        else:
            route.continue_()

    page.route(CALLBACKS, no_data)
    page.goto(f"{served.url}/screen?lang=en")
    started = time.monotonic()
    expect(page.locator("#shell")).to_have_class("shell screen")
    dog = page.locator("#watchdog")
    while time.monotonic() - started < 3.0:  # under two intervals (TWIN_REFRESH_SECONDS=2)
        assert dog.is_hidden(), "the watchdog fired on a fresh page"
        page.wait_for_timeout(200)
    expect(dog).to_have_text(re.compile(r"^Data interrupted \d+ s$"), timeout=6000)
    expect(page.locator("#city-open")).to_have_count(0)  # indeed no data came
    wall_screenshot(page, "wall-3840x1080-en-interrupted")


def test_a_severity_1_case_stays_pinned_after_its_takeover_until_dispatched(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_screen(watched, served.url)
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        conn.execute("""
            INSERT INTO incident (code, category, severity, source, status, due_at, geom)
            SELECT 'E2E-PIN', 'fire_hazard', 1, 'hotline', 'reported', now() + interval '2 h',
                   ST_PointOnSurface(geom)
            FROM grid WHERE level = 'grid' ORDER BY code DESC LIMIT 1""")
    takeover = page.locator("#takeover")
    expect(takeover).to_contain_text("E2E-PIN", timeout=10000)
    expect(takeover).to_be_hidden(timeout=12000)  # TWIN_TAKEOVER_SECONDS=3
    pin = page.locator(".leaflet-tooltip.pin-label")
    expect(pin).to_have_count(1)
    expect(pin).to_have_text("待分派 · 消防隐患 · E2E-PIN")
    expect(page.locator("path.pin-marker")).to_have_count(1)
    drawn = pin.get_attribute("id")
    page.wait_for_timeout(3000)  # more refreshes and tour steps: it stays, drawn once
    expect(pin).to_have_count(1)
    assert pin.get_attribute("id") == drawn  # a re-sent layer would flicker its label
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE incident SET status = 'dispatched', dispatched_at = now()"
            " WHERE code = 'E2E-PIN'"
        )
    expect(pin).to_have_count(0, timeout=8000)  # the next refresh, TWIN_REFRESH_SECONDS=2
    expect(page.locator("path.pin-marker")).to_have_count(0)
    assert_clean(watched, served.url)
