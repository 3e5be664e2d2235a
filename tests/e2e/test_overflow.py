"""Nothing spills or is cut off: the cockpit, a unit page and the wall at the four screen sizes
of a command hall, in both languages. An element may scroll, or end its text in an ellipsis
with a tooltip; it may not overflow its box or push out of its parent's."""

from __future__ import annotations

import psycopg
import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import Served, Watched
from tests.e2e.test_map import assert_clean

SIZES = [(1920, 1080), (1366, 768), (3840, 2160), (3840, 1080)]
LANGS = ["zh-CN", "en"]
FIRST_LOOK_MS = 600  # after a load or a resize, before the first look
STEP_MS = 300  # between two looks at an overflowing layout
SETTLE_MS = 6000  # the longest an overflow may take to go

# Every visible element wider than its box (scrolling sideways counts: none of these pages
# should), or poking out of a parent that does not scroll that way. A cut-off text with an
# ellipsis and a tooltip (a title attribute on it or just above it) is allowed. Inside the map,
# charts and AG Grid's own machinery, the libraries place things on purpose.
FIND_OVERFLOW = """() => {
  const SKIP = ['.leaflet-container', '.js-plotly-plot', '.ag-body-vertical-scroll',
    '.ag-body-horizontal-scroll', '.ag-sticky-top', '.ag-sticky-bottom', '.ag-overlay',
    '.ag-tab-guard', '.ag-aria-description-container', '.ag-hidden', '.ag-floating-top',
    '.ag-floating-bottom', '.ag-header-cell-resize', '.ag-menu', '.ag-tooltip'].join(', ');
  const scrolls = v => v === 'auto' || v === 'scroll';
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim()
       ? '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.') : '');
  const path = el => {
    const p = [];
    for (let e = el; e && e !== document.body && p.length < 4; e = e.parentElement) {
      p.unshift(name(e));
    }
    return p.join(' > ');
  };
  const tipped = el => {
    for (let e = el, i = 0; e && i < 3; e = e.parentElement, i++) if (e.title) return true;
    return false;
  };
  const cut = (el, s) => s.textOverflow === 'ellipsis' && tipped(el);
  const visible = (el, s) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.opacity !== '0';
  };
  const box = r => [r.left, r.top, r.right, r.bottom].map(Math.round).join(',');
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest(SKIP) || el.closest('[hidden]') || el.closest('svg')) continue;
    if (['SCRIPT', 'STYLE', 'BR'].includes(el.tagName)) continue;
    const s = getComputedStyle(el);
    if (!visible(el, s)) continue;
    const text = (el.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1 && !cut(el, s)) {
      out.push(`${path(el)} "${text}": ${el.scrollWidth}px of content in ${el.clientWidth}px`);
    }
    const p = el.parentElement;
    if (!p || p === document.body || s.position === 'fixed') continue;
    const ps = getComputedStyle(p);
    if (['inline', 'contents'].includes(ps.display)) continue;  // no box of its own
    const r = el.getBoundingClientRect(), pr = p.getBoundingClientRect();
    const outX = !scrolls(ps.overflowX) && (r.left < pr.left - 1 || r.right > pr.right + 1);
    const outY = !scrolls(ps.overflowY) && (r.top < pr.top - 1 || r.bottom > pr.bottom + 1);
    if ((outX || outY) && !cut(el, s)) {
      out.push(`${path(el)} "${text}": box ${box(r)} outside its parent's ${box(pr)}`);
    }
  }
  return out;
}"""


def busiest_unit(db_url: str) -> str:
    """The street with the most cases: its page has every part (ranking, cases, devices)."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute("""
            SELECT g.code FROM grid g
            JOIN grid_ancestor a ON a.ancestor_id = g.id JOIN incident i ON i.grid_id = a.grid_id
            WHERE g.level = 'street' GROUP BY g.code ORDER BY count(*) DESC, g.code
            LIMIT 1""").fetchone()
    assert row is not None
    return str(row[0])


def overflows(page: Page) -> list[str]:
    """What the page shows spilling or cut off once its layout has settled after a load or a
    resize (empty when nothing is). Tables and charts re-fit a moment later, longer on a
    loaded machine: an overflow is looked at again until it goes, for at most SETTLE_MS."""
    page.wait_for_timeout(FIRST_LOOK_MS)
    found: list[str] = list(page.evaluate(FIND_OVERFLOW))
    for _ in range(SETTLE_MS // STEP_MS):
        if not found:
            break
        page.wait_for_timeout(STEP_MS)
        found = list(page.evaluate(FIND_OVERFLOW))
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_overflows_at_four_sizes(served: Served, watched: Watched, lang: str) -> None:
    page = watched.page
    unit = busiest_unit(served.db_url)
    views = [
        ("cockpit", "/", "#attention li"),
        ("unit page", f"/grid/{unit}", "#incidents .ag-row[row-index='0']"),
        ("wall", "/screen", "#attention li"),
        ("hotspots", "/hotspots", "#hot-ranked li"),
    ]
    found: list[str] = []
    for view, path, ready in views:  # each page loaded once, then shown at every size
        page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
        page.goto(f"{served.url}{path}?lang={lang}")
        page.wait_for_selector(ready, timeout=20_000)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            found += [f"{view} {width}x{height} {lang}: {o}" for o in overflows(page)]
    assert found == [], "\n".join(found)
    assert_clean(watched, served.url)
