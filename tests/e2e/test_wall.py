"""The wall read from across the hall: type sizes, short lists, the tour's mark, the clock and
the freshness watchdog, and severity-1 cases pinned until dispatched."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from tests.e2e.conftest import Served, Watched
from tests.e2e.test_map import assert_clean
from tests.e2e.test_screen import open_screen

SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"
MIN_VH = 2.0  # no text on the wall smaller than this share of the screen's height
MAX_ROWS = 5

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
