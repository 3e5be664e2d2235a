"""Colours as people see them: text contrast from computed styles on every page in both
languages, status colours apart under simulated colour blindness, the wall's screenshots
in each simulated vision, alert marked by more than colour, and the trend chart's axes."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest
from playwright.sync_api import Page, expect

from tests.colour_vision import (
    DICHROMACIES,
    SIMULATIONS,
    rgb,
    simulate_image,
    smallest_distance,
)
from tests.e2e.conftest import Served, Watched
from tests.e2e.test_map import assert_clean
from tests.e2e.test_screen import open_screen
from twin.app.palette import ALERT_OUTLINE, ALERT_RAMP, STATUS_COLOURS, STATUS_GLYPH

SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"
STATUS_BY_COLOUR = {c.lower(): s for s, c in STATUS_COLOURS.items()}

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
    // WCAG 1.4.3: text of an inactive control has no contrast requirement.
    if (el.closest(':disabled, [aria-disabled="true"]')) continue;
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

# Each unit as the map draws it (fill, its opacity, outline) over the map's background, and
# every status badge and dot (background, text).
DRAWN = """() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
  const map = document.querySelector('.map');
  const units = [...document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive')]
    .map((p) => ({
      fill: p.getAttribute('fill'), opacity: parseFloat(p.getAttribute('fill-opacity') || '1'),
      stroke: p.getAttribute('stroke'), width: parseFloat(p.getAttribute('stroke-width') || '1'),
    }));
  const marks = [...document.querySelectorAll('[class*="badge-"], [class*="dot-"]')].map((el) => ({
    cls: el.getAttribute('class'), rgb: parse(getComputedStyle(el).backgroundColor),
    text: el.textContent,
  }));
  return {background: parse(getComputedStyle(map).backgroundColor), units, marks};
}"""


def drawn_statuses(page: Page) -> tuple[dict[str, np.ndarray], list[dict[str, Any]]]:
    """Each status's map fill as seen (composed over the map's background), and the marks."""
    got = page.evaluate(DRAWN)
    background = rgb(got["background"])
    fills: dict[str, np.ndarray] = {}
    for unit in got["units"]:
        status = STATUS_BY_COLOUR.get(str(unit["fill"]).lower())
        if status:
            a = float(unit["opacity"])
            fills[status] = a * rgb(str(unit["fill"])) + (1 - a) * background
    return fills, got["units"] + got["marks"]


def assert_apart(colours: dict[str, np.ndarray], where: str) -> dict[str, float]:
    """ΔE2000 >= 20 between every two status colours in each simulated vision."""
    assert len(colours) >= 2, f"{where}: only {list(colours)} drawn"
    found = {}
    for vision in DICHROMACIES:
        distance, pair = smallest_distance(colours, vision)
        assert distance >= 20, f"{where}, {vision}: {pair} only ΔE2000 {distance:.1f}"
        found[vision] = distance
    return found


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


def lowest_contrast(page: Page) -> str:
    """The lowest text contrast on the page, and where (for the record in artifacts)."""
    e = min(page.evaluate(CONTRAST), key=lambda e: e["ratio"])
    return f"{e['ratio']:.2f}:1 {e['name']} {e['text']!r}"


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
    failures, lowest = {}, {}
    open_cockpit(watched, served.url, lang)
    failures["cockpit"], lowest["cockpit"] = low_contrast(page), lowest_contrast(page)
    open_unit(watched, served.url, lang)
    page.wait_for_timeout(500)
    failures["unit"], lowest["unit"] = low_contrast(page), lowest_contrast(page)
    page.locator("#crumb-community").click()  # a unit with children: the ranking's statuses
    expect(page.locator("#children .ag-row").first).to_be_visible(timeout=15000)
    failures["community"], lowest["community"] = low_contrast(page), lowest_contrast(page)
    page.goto(f"{served.url}/screen?lang={lang}")
    expect(page.locator("#tour-name")).to_be_visible(timeout=15000)
    expect(page.locator("#feed-list li").first).to_be_visible()
    page.wait_for_timeout(500)
    failures["wall"], lowest["wall"] = low_contrast(page), lowest_contrast(page)
    page.goto(f"{served.url}/hotspots?lang={lang}")
    expect(page.locator("#hot-ranked li").first).to_be_visible(timeout=15000)
    failures["hotspots"], lowest["hotspots"] = low_contrast(page), lowest_contrast(page)
    SCREENS.mkdir(parents=True, exist_ok=True)
    (SCREENS / f"contrast-{lang}.json").write_text(json.dumps(lowest, ensure_ascii=False, indent=1))
    bad = [f"{where}: {line}" for where, lines in failures.items() for line in lines]
    assert not bad, f"{len(bad)} texts below their contrast ({lang}):\n" + "\n".join(bad)
    assert_clean(watched, served.url)


def test_status_colours_stay_apart_as_drawn_and_alert_has_a_second_channel(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(served.url)
    page.locator("#level").get_by_text("网格", exact=True).click()
    red_units = page.locator(f".leaflet-overlay-pane path[fill='{STATUS_COLOURS['red']}']")
    expect(red_units.first).to_be_attached(timeout=15000)
    expect(page.locator("#attention-list .dot").first).to_be_visible()
    fills, drawn = drawn_statuses(page)
    assert_apart(fills, "cockpit map")
    units = [d for d in drawn if "fill" in d and str(d["fill"]).lower() in STATUS_BY_COLOUR]
    for unit in units:  # alert: a heavy dark outline; the others a thin white one
        alert = STATUS_BY_COLOUR[str(unit["fill"]).lower()] == "red"
        want = (ALERT_OUTLINE["light"], 3.0) if alert else ("#ffffff", 0.8)
        assert (unit["stroke"], unit["width"]) == want
    marks = [(str(m["cls"]).split()[-1], rgb(m["rgb"])) for m in drawn if "cls" in m]
    assert marks, "no status dots"
    for mark, shown in marks:  # dots in the palette's colours, tested apart in test_palette
        assert np.allclose(shown, rgb(STATUS_COLOURS[mark.split("-")[-1]])), mark
    open_unit(watched, served.url, "zh-CN")
    badge = page.locator("#unit-composite")
    status = (badge.get_attribute("class") or "").split("badge-")[-1]
    expect(badge.locator(".status-glyph")).to_have_text(STATUS_GLYPH[status])
    colour = page.evaluate(
        "getComputedStyle(document.querySelector('#unit-composite')).backgroundColor"
    )
    assert np.allclose(
        rgb([float(v) for v in colour[4:-1].split(",")]), rgb(STATUS_COLOURS[status])
    )
    page.goto(f"{served.url}/screen")
    expect(page.locator("#tour-name")).to_be_visible(timeout=15000)
    expect(red_units.first).to_be_attached(timeout=15000)
    page.wait_for_timeout(800)
    fills, drawn = drawn_statuses(page)
    assert_apart(fills, "wall map")
    walls = [d for d in drawn if str(d.get("fill", "")).lower() == STATUS_COLOURS["red"]]
    assert {(d["stroke"], d["width"]) for d in walls} == {(ALERT_OUTLINE["dark"], 3.0)}
    tour_badge = page.locator(".tour-card .badge .status-glyph")
    expect(tour_badge).to_have_text(re.compile("[✓!▲]"))
    assert_clean(watched, served.url)


def test_the_wall_in_each_simulated_vision(served: Served, watched: Watched) -> None:
    """Screenshots of the wall as seen normally and with each deficiency, for people to look
    at (artifacts/screens/, not committed)."""
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_screen(watched, served.url)
    page.wait_for_timeout(1500)
    SCREENS.mkdir(parents=True, exist_ok=True)
    normal = SCREENS / "wall-normal.png"
    page.screenshot(path=str(normal))
    for vision in SIMULATIONS:
        copy = simulate_image(normal, vision, SCREENS / f"wall-{vision}.png")
        assert copy.stat().st_size > 10_000
    assert_clean(watched, served.url)


# The trend's legend items and axis tick labels, as boxes on the page.
CHART_BOXES = """(id) => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom];
  };
  const root = document.getElementById(id);
  return {
    legend: [...root.querySelectorAll('.legend .traces')].map(box),
    ticks: [...root.querySelectorAll('.xtick text, .ytick text')].map(box),
    yticks: [...root.querySelectorAll('.ytick text')].map((t) => t.textContent),
  };
}"""


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_trend_legend_clears_the_axes_and_counts_tick_whole(
    served: Served, watched: Watched, lang: str
) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1366, "height": 768})
    open_unit(watched, served.url, lang)  # a unit's few cases: small counts
    found = page.evaluate(CHART_BOXES, "unit-trend")
    assert found["legend"] and found["ticks"]
    overlaps = [
        (leg, tick)
        for leg, tick in itertools.product(found["legend"], found["ticks"])
        if leg[0] < tick[2] and tick[0] < leg[2] and leg[1] < tick[3] and tick[1] < leg[3]
    ]
    assert overlaps == []
    ticks = [t.replace(",", "") for t in found["yticks"]]
    assert len(ticks) == len(set(ticks)), ticks  # never "0 1 1 2 2"
    expect(page.locator("#unit-trend .annotation-text")).to_have_text(
        "Today so far" if lang == "en" else "今日（截至目前）"
    )
    assert_clean(watched, served.url)


def test_grids_with_every_camera_online_are_painted_calm(served: Served, watched: Watched) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(served.url)
    page.locator("#level").get_by_text("网格", exact=True).click()
    units = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
    expect(units.first).to_be_attached(timeout=15000)
    page.locator("#metric").click()
    expect(page.locator(".metric-group").filter(has_text="摄像头")).to_be_visible()
    page.get_by_role("option").filter(has_text="摄像头在线率").first.click()
    expect(page.locator("#legend .legend-item").first).to_contain_text("%")
    with psycopg.connect(served.db_url) as conn:
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE s.camera_status_online = s.cameras),"
            " count(*) FILTER (WHERE s.camera_status_online < s.cameras)"
            " FROM grid g JOIN grid_stat s ON s.grid_id = g.id"
            " WHERE g.level = 'grid' AND s.cameras > 0"
        ).fetchone()
    assert row is not None and row[0] > 0 and row[1] > 0
    calm = page.locator(f".leaflet-overlay-pane path[fill='{ALERT_RAMP[0]}']")
    expect(calm).to_have_count(row[0])
    labels = page.locator("#legend .legend-item").all_inner_texts()
    assert "100.0%" in [label.strip() for label in labels]  # all online: a class of its own
    assert_clean(watched, served.url)
