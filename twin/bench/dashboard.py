"""`twin bench --dashboard`: what the cockpit costs a browser, beside naive alternatives.

Serves the demo, drives Debian's Chromium (Playwright) and counts bytes on the wire (the
compressed, encoded length the network carried) and milliseconds to what a user sees.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
import shapely

from twin.app.launch import twin_serve
from twin.bench.table import Row, format_table
from twin.store import fetch_grid_geometries, fetch_grid_statuses
from twin.synth.load import load_demo

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEW = (1600, 900)


@dataclass
class Wire:
    """Bytes a page received, per URL, as the network carried them (compressed)."""

    encoded: dict[str, int] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    def total(self, part: str = "") -> int:
        """Bytes of the requests whose URL contains part."""
        return sum(v for k, v in self.encoded.items() if part in self.urls.get(k, ""))

    def reset(self) -> None:
        """Forget what was counted so far."""
        self.encoded.clear()


@contextmanager
def browser_page() -> Iterator[tuple[Any, Wire]]:
    """A headless Chromium page whose received bytes are counted through CDP."""
    from playwright.sync_api import sync_playwright  # a dev dependency: benchmarks only

    wire = Wire()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": VIEW[0], "height": VIEW[1]})
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: wire.urls.update({e["requestId"]: e["request"]["url"]}),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: wire.encoded.update({e["requestId"]: int(e["encodedDataLength"])}),
        )
        try:
            yield page, wire
        finally:
            browser.close()


# In-page clocks (performance.now): when the choice was clicked, when the unit's title showed.
STOPWATCH = """() => {
  window.__twin = {};
  document.addEventListener('click', () => { window.__twin.click ??= performance.now(); }, true);
  const seen = () => {
    if (!window.__twin.title && document.querySelector('#unit-title'))
      window.__twin.title = performance.now();
  };
  new MutationObserver(seen).observe(document, {subtree: true, childList: true});
}"""


def naive_map_bytes(conn: psycopg.Connection) -> tuple[int, int]:
    """The grid map as a typical dashboard sends it: GeoJSON with every status column in each
    feature's properties, full precision; raw and gzipped bytes."""
    grids = fetch_grid_geometries(conn, "grid")
    statuses = fetch_grid_statuses(conn, "grid").set_index("code")
    features = []
    for code, geom in zip(grids["code"], grids.geometry, strict=True):
        props = {k: _plain(v) for k, v in statuses.loc[code].items()}
        geometry = shapely.geometry.mapping(geom)
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    raw = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return len(raw), len(gzip.compress(raw, 6))


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return value if isinstance(value, str | int | float | list | type(None)) else str(value)


def wait_ready(page: Any) -> None:
    """Until the map shows its units and the city tiles carry numbers."""
    page.locator(".leaflet-overlay-pane path.leaflet-interactive").first.wait_for(state="attached")
    page.locator("#city-open .tile-value").filter(has_text=re.compile(r"\d")).wait_for()


def first_load(page: Any, wire: Wire, url: str) -> dict[str, float]:
    """Bytes and seconds of a cold first load of the cockpit."""
    start = time.perf_counter()
    page.goto(url)
    page.locator(".leaflet-overlay-pane path.leaflet-interactive").first.wait_for(state="attached")
    page.locator("#city-open .tile-value").wait_for()
    interactive = time.perf_counter() - start
    page.wait_for_load_state("networkidle")
    return {
        "seconds": interactive,
        "total": wire.total(),
        "map": wire.total("/twin/outlines/") + wire.total("_dash-update-component"),
        "outlines": wire.total("/twin/outlines/"),
    }


def activity(db_url: str, n: int) -> None:
    """What a busy minute looks like: n new cases and n cases moving on (they stay in the
    demo, as live activity would)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO incident (code, category, severity, source, status, due_at, geom)
               SELECT 'BENCH-' || g.code || '-' || extract(epoch FROM now())::bigint,
                      'sanitation', 3, 'patrol', 'reported', now() + interval '1 day',
                      ST_PointOnSurface(g.geom)
               FROM grid g WHERE g.level = 'grid' ORDER BY random() LIMIT %s""",
            [n],
        )
        conn.execute(
            """UPDATE incident SET status = 'dispatched' WHERE id IN (
                   SELECT id FROM incident WHERE status = 'reported' ORDER BY random() LIMIT %s)""",
            [n],
        )


def measure(db_url: str, refresh_s: int) -> tuple[list[Row], list[str]]:
    """Serve, load the cockpit, refresh after activity, drill down: rows and notes."""
    rows: list[Row] = []
    notes: list[str] = []
    env = {"TWIN_REFRESH_SECONDS": str(refresh_s)}
    with twin_serve(db_url, None, **env) as url, browser_page() as (page, wire):
        # A warm-up visit so the server has encoded its outlines (as it does at start-up).
        page.goto(url)
        wait_ready(page)
        page.context.clear_cookies()
        page.goto("about:blank")
        wire.reset()
        page.context.set_extra_http_headers({"Cache-Control": "no-cache"})
        cold = first_load(page, wire, url + "/?cold=1")
        with psycopg.connect(db_url) as conn:
            naive_raw, naive_gz = naive_map_bytes(conn)
        rows.append(
            Row(
                measure="first load: map data (outlines + values)",
                twin=cold["map"],
                naive=naive_gz,
                naive_name="GeoJSON with status in properties, gzipped",
                unit="B",
            )
        )
        rows.append(
            Row(
                measure="first load: everything transferred",
                twin=cold["total"],
                naive=cold["total"] - cold["map"] + naive_gz,
                naive_name="same page, map as naive GeoJSON (gzipped)",
                unit="B",
            )
        )
        notes.append(
            f"cockpit interactive after {cold['seconds']:.2f} s (map drawn, city tiles filled);"
            f" outlines {cold['outlines']:,} B; naive GeoJSON uncompressed {naive_raw:,} B"
        )

        activity(db_url, 200)
        wire.reset()
        page.wait_for_timeout(refresh_s * 1000 * 1.6)
        refresh = wire.total("_dash-update-component")
        rows.append(
            Row(
                measure="one refresh after 200 new + 200 moved cases",
                twin=refresh,
                naive=naive_gz,
                naive_name="resend the map data (naive GeoJSON, gzipped)",
                unit="B",
            )
        )

        with psycopg.connect(db_url) as conn:
            code, name = conn.execute(
                "SELECT code, name FROM grid WHERE level = 'grid' ORDER BY code LIMIT 1 OFFSET 77"
            ).fetchone() or ("", "")
        times = []
        for _ in range(3):
            page.goto(url)
            wait_ready(page)
            page.locator("#search").click()
            page.locator("input.dash-dropdown-search").fill(code)
            option = page.get_by_role("option").filter(has_text=code).first
            option.wait_for()
            page.evaluate(STOPWATCH)
            option.click()
            page.locator("#unit-title").filter(has_text=name).wait_for()
            times.append(page.evaluate("window.__twin.title - window.__twin.click") / 1000)
        page.goto("about:blank")
        page.add_init_script(f"({STOPWATCH})()")  # watching from the new page's first moment
        page.goto(f"{url}/grid/{code}")
        page.locator("#unit-title").filter(has_text=name).wait_for()
        reload_s = page.evaluate("window.__twin.title") / 1000  # since navigation start
        best = sorted(times)[len(times) // 2]
        rows.append(
            Row(
                measure="drill-down visible after the choice (median of 3)",
                twin=best,
                naive=reload_s,
                naive_name="a full page load of /grid/<code>",
                unit="ms",
            )
        )
    return rows, notes


def run_dashboard_bench(conn: psycopg.Connection, url: str, size: str, seed: int) -> str:
    """Load the demo of that size if needed, then measure the dashboard in Chromium."""
    load_demo(conn, size, seed, progress=True)
    grids = conn.execute("SELECT count(*) FROM grid WHERE level = 'grid'").fetchone()
    rows, notes = measure(url, refresh_s=5)
    count = grids[0] if grids else 0
    header = f"twin bench --dashboard — size {size}, seed {seed}: {count:,} grids"
    return format_table(rows, header) + "\n\n" + "\n".join(f"- {n}" for n in notes)
