"""A unit page left open stays live: it refreshes by itself at the cockpit's interval, says
when its data was read, and a case written meanwhile shows up without a reload."""

from __future__ import annotations

import re
import time

import psycopg
from playwright.sync_api import expect

from tests.e2e.conftest import Served, Watched, screenshot
from tests.e2e.test_map import assert_clean

REFRESH_MS = 2000  # TWIN_REFRESH_SECONDS=2 in the served app (tests/e2e/conftest.py)
# The tick's round trip for the table's page (and the head's), on top of the interval: a
# case written just after a tick waits for the next one.
ROUND_TRIPS_MS = 1500


def quiet_grid(db_url: str) -> tuple[str, int]:
    """A grid whose open cases fit on the table's first page, and how many it has."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute("""
            SELECT g.code, count(i.id) FILTER (WHERE i.status NOT IN ('resolved', 'closed'))
            FROM grid g LEFT JOIN incident i ON i.grid_id = g.id
            WHERE g.level = 'grid' GROUP BY g.code
            HAVING count(i.id) FILTER (WHERE i.status NOT IN ('resolved', 'closed')) < 10
            ORDER BY 2 DESC, g.code LIMIT 1""").fetchone()
    assert row is not None
    return row[0], row[1]


def test_a_new_case_appears_on_an_open_unit_page_within_one_refresh(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    code, open_cases = quiet_grid(served.db_url)
    page.goto(f"{served.url}/grid/{code}")
    expect(page.locator("#case-count")).to_have_text(f"共 {open_cases} 件")
    updated = page.locator("#updated")
    expect(updated).to_have_text(re.compile(r"^更新于 \d+月\d+日 \d\d:\d\d$"))
    kpi = page.locator("#kpi-open")
    expect(kpi).to_have_attribute("data-value", str(open_cases))

    with psycopg.connect(served.db_url, autocommit=True) as conn:
        conn.execute(
            """INSERT INTO incident (code, category, severity, source, status, reported_at,
                                     due_at, geom)
               SELECT 'E2E-LIVE', 'dispute', 2, 'patrol', 'reported', now() - interval '3 h',
                      now() - interval '1 h', ST_PointOnSurface(geom)
               FROM grid WHERE code = %s""",
            [code],
        )
    written = time.monotonic()
    within = REFRESH_MS + ROUND_TRIPS_MS
    # All the grid's open cases fit on the first page: the new one is among them.
    new = page.locator("#incidents .ag-row [col-id='code']", has_text="E2E-LIVE")
    expect(new).to_be_visible(timeout=within)
    took = time.monotonic() - written
    # Drawn by the same tick's other callbacks: their own waits, the timed figure is the row's.
    expect(page.locator("#case-count")).to_have_text(f"共 {open_cases + 1} 件")
    expect(kpi).to_have_attribute("data-value", str(open_cases + 1))
    print(f"new case shown {took:.2f} s after it was written")  # the figure, for the report
    screenshot(page, "unit-page-live")

    documents = [u for u in watched.requests if "/grid/" in u and "/twin/" not in u]
    assert documents == [f"{served.url}/grid/{code}"]  # no reload: one page load
    assert_clean(watched, served.url)
