"""`twin bench --push`: what a refresh costs when it follows the change, and how soon a case
posted through the API shows on open cockpits in Chromium.

The refresh cost only reads (100 grids re-read as if their counters moved), so it runs on any
store, the metro demo included. The browser run posts cases through the API, so it runs in a
scratch database holding the demo of that size, at city size (or smaller) only.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import psycopg

from twin.activity import Clock
from twin.app.delta import parents_of, with_ancestors
from twin.app.launch import twin_serve
from twin.app.snapshot import Snapshot, read_delta, read_snapshot
from twin.bench.dashboard import ARGS, CHROMIUM
from twin.bench.scratch import scratch_database
from twin.bench.table import Row, format_table
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.db.connect import open_pool
from twin.settings import Settings
from twin.spatial.status import Thresholds
from twin.synth.load import load_demo

CHANGED = 100  # grids whose counters moved, per refresh measured
PAGES = 20  # open cockpits in the browser run
WRITES = 8  # cases posted in the browser run, one at a time
SCRATCH = "twin_bench_push"  # the browser run's database (its posts never reach the store)


def refresh_rows(url: str, settings: Settings, repeat: int) -> tuple[list[Row], str]:
    """A full re-read beside a refresh of CHANGED grids (and their ancestors)."""
    terms = Terms.of(load_catalog(settings.layers_dir))
    pool = open_pool(url, 2)
    try:
        clock = Clock.current(settings.timezone)
        mono = iter(float(i) for i in range(10_000))  # every read within WINDOW_TTL

        def full(previous: Snapshot | None) -> Snapshot:
            return read_snapshot(
                pool, 1, clock, Thresholds(), previous, lambda: next(mono), terms=terms
            )

        held = full(None)
        fulls = [full(held).took_ms for _ in range(max(1, min(repeat, 3)))]
        leaves = held.leaves["id"].astype(int).tolist()
        deltas, units = [], 0
        for seed in range(repeat):
            picked = random.Random(seed).sample(leaves, min(CHANGED, len(leaves)))
            moved = frozenset(with_ancestors(picked, parents_of(held.levels)))
            got = read_delta(
                pool, 2, clock, Thresholds(), held, lambda: next(mono), terms=terms, also=moved
            )
            assert got is not None, "a refresh of what moved fell back to a full read"
            deltas.append(got.took_ms)
            units = len(moved)
    finally:
        pool.close()
    grids = len(leaves)
    row = Row(
        measure=f"refresh after {CHANGED} grids changed ({units} units with their ancestors)",
        twin=statistics.median(deltas) / 1000,
        naive=statistics.median(fulls) / 1000,
        naive_name=f"re-read the whole city ({grids:,} grids, every level)",
        unit="ms",
    )
    return [row], f"full re-read median {statistics.median(fulls):,.0f} ms"


def browser_rows(db_url: str) -> tuple[list[Row], list[str]]:
    """Post cases through the API while PAGES cockpits are open; how long until each shows
    the new open count (browser time, same machine's clock), and where that time went."""
    from playwright.sync_api import sync_playwright  # a dev dependency: benchmarks only

    env = {"TWIN_REFRESH_SECONDS": "600", "TWIN_SWEEP_SECONDS": "0"}
    latencies: list[float] = []
    traces: list[dict[str, float]] = []
    handle, name = tempfile.mkstemp(prefix="twin-bench-push-", suffix=".log")
    os.close(handle)  # the server writes it; the report counts its warnings (kept after)
    log = Path(name)
    with twin_serve(db_url, log, **env) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pages = [browser.new_page(viewport={"width": 1280, "height": 800}) for _ in range(PAGES)]
        for page in pages:
            page.add_init_script(TRACE)
            page.goto(url)
        for page in pages:
            page.locator(TILE).wait_for()
        spot = _spot(db_url)
        version_ms = _version_cost(url)
        time.sleep(3)  # every page has heard the current version
        for n in range(WRITES):
            before = [pg.locator(TILE).inner_text() for pg in pages]
            for pg in pages:  # each page stamps the moment its tile changes
                pg.evaluate(WATCH)
            sent = time.time() * 1000
            _post(url, spot, n)
            posted = time.time() * 1000
            for pg, old in zip(pages, before, strict=True):
                pg.wait_for_function(
                    f"old => document.querySelector('{TILE}').innerText !== old && window.__seen",
                    arg=old,
                    timeout=20_000,
                )
                latencies.append(float(pg.evaluate("window.__seen")) - sent)
                traces.append({"sent": sent, "posted": posted} | pg.evaluate("window.__trace"))
            time.sleep(1)
        browser.close()
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    median = statistics.median(latencies)
    rows = [
        Row(
            measure=f"API write to the new value on {PAGES} open cockpits (median)",
            twin=median / 1000,
            naive=15.0,
            naive_name="the 30 s poll's average wait",
            unit="ms",
        ),
        Row(
            measure=f"API write to the new value on {PAGES} open cockpits (p95)",
            twin=p95 / 1000,
            naive=30.0,
            naive_name="the 30 s poll's worst wait",
            unit="ms",
        ),
    ]
    notes = [
        f"{len(latencies)} observations ({WRITES} writes x {PAGES} pages); "
        f"min {latencies[0]:.0f} ms, max {latencies[-1]:.0f} ms",
        f"version check: one costs {version_ms:.2f} ms served",
        f"server log {log}: {log.read_text().count('connection limit')} connection-limit lines",
        *breakdown(traces),
    ]
    return rows, notes


TILE = "#city-open .tile-value"
STEPS = (  # (what, from, to): the consecutive parts of one write's way onto one page
    ("API write answered", "sent", "posted"),
    ("answer to the new version read (NOTIFY, wake, delta read)", "posted", "read"),
    ("version read to the page hearing of it", "read", "heard"),
    (
        "heard to the value on screen (its callbacks' round trips, the browser's drawing)",
        "heard",
        "seen",
    ),
)


def breakdown(traces: list[dict[str, float]]) -> list[str]:
    """Median and p95 of each step of the way from a write to the screen, in ms."""
    lines = ["where the time goes (median / p95 over every write and page):"]
    for what, a, b in STEPS:
        spans = sorted(t[b] - t[a] for t in traces if t.get(a) and t.get(b))
        if spans:
            p95 = spans[int(0.95 * (len(spans) - 1))]
            lines.append(f"  {what}: {statistics.median(spans):,.0f} / {p95:,.0f} ms")
    calls = [t["calls"] for t in traces if "calls" in t]
    if calls:
        lines.append(f"  callback requests per page per write: {statistics.median(calls):.0f}")
    return lines


# Before any page script: note when the page hears of a new version (and when the server
# says it was read), and count the callback requests it sends after.
TRACE = """(() => {
  const plain = window.fetch.bind(window);
  window.__trace = {};
  let known = null;
  window.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input.url;
    const asked = plain(input, init);
    if (url.includes('/twin/version')) {
      asked.then(r => r.clone().json()).then(b => {
        if (b.version !== known && known !== null && !window.__trace.heard) {
          window.__trace.heard = Date.now(); window.__trace.read = b.read;
        }
        known = b.version;
      }).catch(() => {});
    } else if (url.includes('/_dash-update-component') && window.__trace.heard) {
      window.__trace.calls = (window.__trace.calls || 0) + 1;
    }
    return asked;
  };
})()"""

# The moment the open-cases tile next changes, in the page's epoch milliseconds.
WATCH = """() => {
  window.__seen = 0;
  window.__trace = {};
  const text = () => (document.querySelector('#city-open .tile-value') || {}).innerText;
  const was = text();
  const obs = new MutationObserver(() => {
    if (!window.__seen && text() !== was) {
      window.__seen = Date.now(); window.__trace.seen = window.__seen; obs.disconnect();
    }
  });  // the whole page: a refresh replaces the tiles, not just their text
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def _spot(db_url: str) -> tuple[float, float]:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p FROM grid"
            " WHERE level = 'grid' ORDER BY code LIMIT 1) g"
        ).fetchone()
    assert row is not None
    return float(row[0]), float(row[1])


CATEGORIES = ("sanitation", "dispute", "fire_hazard", "city_management")


def _post(url: str, spot: tuple[float, float], n: int) -> None:
    # Categories and places vary: the same case twice would be merged as a duplicate.
    body: dict[str, Any] = {"category": CATEGORIES[n % 4], "severity": 3, "source": "hotline"}
    body |= {"lon": spot[0] + 1e-6 * n, "lat": spot[1], "description": f"bench push {n}"}
    request = urllib.request.Request(
        url + "/api/cases", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request).close()


def _version_cost(url: str, n: int = 500) -> float:
    """Milliseconds per GET /twin/version, asked back to back."""
    start = time.perf_counter()
    for _ in range(n):
        urllib.request.urlopen(url + "/twin/version").close()
    return (time.perf_counter() - start) * 1000 / n


def run_push_bench(conn: psycopg.Connection, url: str, size: str, seed: int, repeat: int) -> str:
    """Load the demo of that size if needed; the refresh cost, then (city size and smaller)
    the browser run."""
    load_demo(conn, size, seed, progress=True)
    rows, note = refresh_rows(url, Settings.from_env(), repeat)
    notes = [note]
    if size == "metro":
        notes.append("browser run skipped at metro size (it posts cases): run --size city")
    else:
        scratch = scratch_database(url, SCRATCH)  # it posts cases: never into the store
        with psycopg.connect(scratch, autocommit=True) as demo:
            load_demo(demo, size, seed, progress=True)
        more, said = browser_rows(scratch)
        rows, notes = rows + more, notes + said
    header = f"twin bench --push — size {size}, seed {seed}"
    return format_table(rows, header) + "\n\n" + "\n".join(f"- {n}" for n in notes)
