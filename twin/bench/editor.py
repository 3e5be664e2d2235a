"""`twin bench --editor`: the plan editor (/planner/<plan>) in Chromium at city size, scoped to
a district and to a street: page load, and the time from an edit sent to the impact panel
updated, measured in the page, beside the engine's own time for the same edit.

Each edit is a split of another grid by a line across it, sent as leaflet-draw sends a
finished line; the page's clock runs from the moment the line is handed to the page to the
frame after the impact panel changed. The engine's time is what the edit callback spent in
`twin.plans` (the answer's `server_ms`: the edit, the checks, the impact and the map read
back). Each run adds two draft plans (`bench-editor-…`), in a copy of the store dropped after.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg

from twin.activity import Clock
from twin.app.launch import twin_serve
from twin.bench.dashboard import ARGS, CHROMIUM, VIEW
from twin.bench.scratch import drop_database, scratch_copy
from twin.plans import store
from twin.synth.load import load_demo

SCRATCH = "twin_bench_editor"  # the copy of the store the run writes its plans to
TARGET_MS = 500.0  # the target from an edit to the updated impact panel
PAUSE_MS = 600  # between edits: the page's follow-up callbacks settle (not timed)

# Stamps, in the page's clock, the moment the editor's map first draws a unit.
LOADED = """(() => {
  const obs = new MutationObserver(() => {
    if (!window.__mapAt && document.querySelector('#ed-map path.leaflet-interactive')) {
      window.__mapAt = performance.now(); obs.disconnect();
    }
  });
  document.addEventListener('DOMContentLoaded', () =>
    obs.observe(document.body, {subtree: true, childList: true}));
})()"""

# Hands a finished line to the page and stamps the frame after the impact panel (or, for a
# refused edit, the message) next changes.
SEND = """([line, n]) => {
  window.__impactAt = 0; window.__said = 0;
  const impact = document.querySelector('#ed-impact');
  const message = document.querySelector('#ed-message');
  const stamp = (key) => () => requestAnimationFrame(() => {
    if (!window[key]) { window[key] = performance.now(); }
  });
  new MutationObserver(stamp('__impactAt')).observe(impact,
    {subtree: true, childList: true, characterData: true});
  new MutationObserver(stamp('__said')).observe(message,
    {subtree: true, childList: true, characterData: true});
  const feature = {type: 'Feature', properties: {type: 'polyline'}, geometry: line};
  window.__sentAt = performance.now();
  dash_clientside.set_props('plan-draw', {geojson: {type: 'FeatureCollection',
    features: [feature]}});
  dash_clientside.set_props('plan-draw',
    {action: {layer_type: 'polyline', type: 'draw:drawstop', n_actions: n}});
}"""


@dataclass
class Scope:
    """One scope measured: its unit, what the page showed and the times taken."""

    level: str
    code: str
    grids: int
    load_ms: float = 0.0
    page_ms: list[float] = field(default_factory=list)
    engine_ms: list[float] = field(default_factory=list)
    refused: int = 0


def scopes(conn: psycopg.Connection) -> list[tuple[str, str, int]]:
    """The district with the most grids and its street with the most: (level, code, grids)."""
    rows = conn.execute(
        "SELECT d.code, s.code, count(*) FROM grid g JOIN grid c ON c.id = g.parent_id"
        " JOIN grid s ON s.id = c.parent_id JOIN grid d ON d.id = s.parent_id"
        " WHERE g.level = 'grid' GROUP BY d.code, s.code"
    ).fetchall()
    districts: dict[str, int] = {}
    for d, _, n in rows:
        districts[d] = districts.get(d, 0) + n
    district = min(districts, key=lambda d: (-districts[d], d))
    street, grids = min(((s, n) for d, s, n in rows if d == district), key=lambda r: (-r[1], r[0]))
    return [("district", district, districts[district]), ("street", street, grids)]


def lines_across(conn: psycopg.Connection, plan: store.Plan, n: int) -> list[dict[str, Any]]:
    """n vertical lines, each across one grid of the plan's scope (spread over its codes)."""
    grids = store.base_units(conn, plan, level="grid")
    step = max(1, len(grids) // n)
    out = []
    for unit in grids[::step][:n]:
        x = unit.geom.representative_point().x
        _, south, _, north = unit.geom.bounds
        out.append({"type": "LineString", "coordinates": [[x, south - 2e-4], [x, north + 2e-4]]})
    return out


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's, through Playwright)."""
    from playwright.sync_api import sync_playwright  # a dev dependency: benchmarks only

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def measure(browser: Any, url: str, plan: str, lines: list[dict[str, Any]], got: Scope) -> None:
    """Load the editor of the plan, then send each line and time it to the impact panel."""
    page = browser.new_page(viewport={"width": VIEW[0], "height": VIEW[1]})
    page.add_init_script(LOADED)
    page.goto(f"{url}/planner/{plan}?lang=en")
    page.wait_for_function("window.__mapAt", timeout=120_000)
    got.load_ms = float(page.evaluate("window.__mapAt"))
    page.locator("#actor-name").fill("bench")
    page.locator("#actor-name").blur()
    page.get_by_label("Split by a line").check()
    page.locator(".leaflet-draw-draw-polyline").wait_for()
    page.wait_for_timeout(PAUSE_MS)
    for n, line in enumerate(lines, start=1):
        with page.expect_response(is_edit, timeout=60_000) as edit:
            page.evaluate(SEND, [line, n])
        answer = (edit.value.json().get("response") or {}).get("ed-answer", {}).get("data")
        page.wait_for_function("window.__impactAt || window.__said", timeout=60_000)
        impact_at, sent = page.evaluate("[window.__impactAt, window.__sentAt]")
        if impact_at and isinstance(answer, dict) and "view" in answer:
            got.page_ms.append(float(impact_at) - float(sent))
            got.engine_ms.append(float(answer["server_ms"]))
        else:
            got.refused += 1
        page.wait_for_timeout(PAUSE_MS)
    page.close()


def is_edit(response: Any) -> bool:
    """The edit callback's answer (the one whose outputs are the answer store's)."""
    sent = response.request.post_data or ""
    return "/_dash-update-component" in response.url and '"output":"..ed-answer.data' in sent


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def report(measured: list[Scope], size: str, seed: int) -> str:
    """The figures as a Markdown table, with the target."""
    lines = [
        f"twin bench --editor — size {size}, seed {seed} (target < {TARGET_MS:.0f} ms"
        " from an edit to the updated impact panel)",
        "",
        "| scope | grids shown | page load | edits | edit → impact median | p95"
        " | engine alone median | p95 | page / engine |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in measured:
        if not s.page_ms:
            lines.append(f"| {s.level} {s.code} | {s.grids:,} | {s.load_ms:,.0f} ms | 0 |||||")
            continue
        pm, em = statistics.median(s.page_ms), statistics.median(s.engine_ms)
        lines.append(
            f"| {s.level} {s.code} | {s.grids:,} | {s.load_ms:,.0f} ms | {len(s.page_ms)}"
            f" | {pm:,.0f} ms | {p95(s.page_ms):,.0f} ms | {em:,.0f} ms"
            f" | {p95(s.engine_ms):,.0f} ms | {pm / em:.2f}× |"
        )
    refused = sum(s.refused for s in measured)
    if refused:
        lines += ["", f"- {refused} edit(s) refused by the engine (not timed)"]
    return "\n".join(lines)


def run_editor_bench(conn: psycopg.Connection, url: str, size: str, seed: int, repeat: int) -> str:
    """Load the demo of that size if needed, then time the editor over a district and a
    street: 4 × repeat edits each."""
    load_demo(conn, size, seed, progress=True)
    stamp = int(time.time())
    plans = []
    for level, code, grids in scopes(conn):
        name = f"bench-editor-{level}-{stamp}"
        plan = store.new_plan(conn, name, code, "bench", Clock.current())
        plans.append((name, lines_across(conn, plan, 4 * repeat), Scope(level, code, grids)))
    env = {"TWIN_REFRESH_SECONDS": "600", "TWIN_SWEEP_SECONDS": "0"}
    with twin_serve(url, None, **env) as served, chromium() as browser:
        for name, lines, got in plans:
            measure(browser, served, name, lines, got)
    return report([got for _, _, got in plans], size, seed)


def run_editor_bench_copy(url: str, size: str, seed: int, repeat: int) -> str:
    """run_editor_bench in a copy of url's database (its plans never reach the store)."""
    copy = scratch_copy(url, SCRATCH)
    try:
        with psycopg.connect(copy, autocommit=True) as conn:
            return run_editor_bench(conn, copy, size, seed, repeat)
    finally:
        drop_database(url, SCRATCH)
