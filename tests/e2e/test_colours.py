"""Colours as people see them: text contrast from computed styles on every page in both
languages, status colours apart under simulated colour blindness, the wall's screenshots
in each simulated vision, alert marked by more than colour, and the trend chart's axes."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served, Watched
from tests.e2e.test_map import assert_clean
from tests.e2e.test_screen import open_screen

SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"

# Every visible element with text of its own: its colour over the background it really sits
# on (ancestors' backgrounds composed up to the first opaque one; the page is white below),
# its opacity, and whether it is large type (>= 24 px, or >= 18.66 px bold).
CONTRAST = """() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, below) => {
    const a = top[3] + below[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = (i) => (top[i] * top[3] + below[i] * below[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
    const own = [...el.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own.length) continue;
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    if (!r.width || !r.height || s.visibility === 'hidden' || el.closest('[hidden]')) continue;
    if (r.bottom < 0 || r.right < 0 || r.top > innerHeight || r.left > innerWidth) continue;
    const svg = el instanceof SVGElement;
    let ink = parse(svg ? s.fill : s.color);
    if (!ink) continue;
    ink = [ink[0], ink[1], ink[2], ink[3] * opacity(el) * (svg ? parseFloat(s.fillOpacity) : 1)];
    const bg = background(el);
    const seen = over(ink, bg);
    const [hi, lo] = [lum(seen), lum(bg)].sort((a, b) => b - a);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const cls = (el.getAttribute('class') || '').split(' ')[0];
    const name = `${el.tagName.toLowerCase()}#${el.id || ''}.${cls}`;
    out.push({
      name, text: own.map((n) => n.textContent.trim()).join(' ').slice(0, 30),
      ratio: (hi + 0.05) / (lo + 0.05), large: size >= 24 || (size >= 18.66 && bold),
    });
  }
  return out;
}"""

# Each status class as drawn: map fills (composed over the map's background with their
# opacity), badges and dots (their backgrounds).
STATUS_DRAWN = """() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const out = [];
  const mapBg = parse(getComputedStyle(document.querySelector('.map')).backgroundColor);
  for (const p of document.querySelectorAll('.leaflet-overlay-pane path.twin-unit')) {
    const fill = p.getAttribute('fill'), a = parseFloat(p.getAttribute('fill-opacity') || '1');
    const m = fill && fill.match(/^#([0-9a-f]{6})$/i);
    if (!m) continue;
    const rgb = [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
    const seen = rgb.map((v, i) => v * a + mapBg[i] * (1 - a));
    out.push({kind: 'map', status: p.getAttribute('data-status') || '', rgb: seen});
  }
  for (const el of document.querySelectorAll('[class*="badge-"], [class*="dot-"]')) {
    const m = (el.getAttribute('class') || '').match(/(badge|dot)-(green|yellow|red)/);
    if (!m) continue;
    out.push({kind: m[1], status: m[2], rgb: parse(getComputedStyle(el).backgroundColor)});
  }
  return out;
}"""


def low_contrast(page: Page) -> list[str]:
    """The text elements below 4.5:1 (3:1 for large type), each with its ratio."""
    found = page.evaluate(CONTRAST)
    assert len(found) > 20, "the walk found almost no text"
    return sorted(
        {
            f"{e['ratio']:.2f}:1 {e['name']} {e['text']!r}"
            for e in found
            if e["ratio"] < (3.0 if e["large"] else 4.5)
        }
    )


def lowest_contrast(page: Page) -> float:
    """The lowest text contrast ratio on the page."""
    return min(e["ratio"] for e in page.evaluate(CONTRAST))


def open_unit(watched: Watched, url: str, lang: str) -> None:
    page = watched.page
    page.goto(f"{url}/?lang={lang}")
    first = page.locator("#attention-list li a").first
    expect(first).to_be_visible(timeout=15000)
    first.click()
    expect(page.locator("#unit-composite")).to_be_visible(timeout=15000)
    expect(page.locator("#unit-trend .xtick").first).to_be_attached(timeout=15000)


def open_cockpit(watched: Watched, url: str, lang: str) -> None:
    page = watched.page
    page.goto(f"{url}/?lang={lang}")
    expect(page.locator("#attention-list li").first).to_be_visible(timeout=15000)
    expect(page.locator("#trend .xtick").first).to_be_attached(timeout=15000)
    expect(page.locator(".legend-item").first).to_be_visible()


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_text_meets_its_contrast_on_every_page(
    served: Served, watched: Watched, lang: str
) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    failures = {}
    open_cockpit(watched, served.url, lang)
    failures["cockpit"] = low_contrast(page)
    open_unit(watched, served.url, lang)
    page.wait_for_timeout(500)
    failures["unit"] = low_contrast(page)
    page.goto(f"{served.url}/screen?lang={lang}")
    open_screen(watched, f"{served.url}")  # the wall in the server's language, then in lang
    page.goto(f"{served.url}/screen?lang={lang}")
    expect(page.locator("#tour-name")).to_be_visible(timeout=15000)
    page.wait_for_timeout(500)
    failures["wall"] = low_contrast(page)
    bad = [f"{where}: {line}" for where, lines in failures.items() for line in lines]
    assert not bad, f"{len(bad)} texts below their contrast ({lang}):\n" + "\n".join(bad)
    assert_clean(watched, served.url)
