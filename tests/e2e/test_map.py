"""The grid map in a real browser: it draws, a click shows that grid's status, and nothing
is fetched from outside the server."""

from __future__ import annotations

import psycopg

from tests.e2e.conftest import Served, Watched, screenshot


def a_grid_to_click(db_url: str) -> tuple[int, str, str]:
    """The grid (index in code order, code, name) whose bounding-box centre lies deepest
    inside it: a click at its drawn centre certainly lands on it."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute("""
            SELECT n - 1, code, name FROM (
                SELECT row_number() OVER (ORDER BY code) AS n, code, name,
                       ST_Centroid(ST_Envelope(geom)) AS c, geom
                FROM grid WHERE level = 'grid') g
            WHERE ST_Contains(geom, c)
            ORDER BY ST_Distance(c, ST_Boundary(geom)) DESC LIMIT 1""").fetchone()
    assert row is not None
    return row


def open_count(db_url: str, code: str) -> int:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM incident i JOIN grid g ON g.id = i.grid_id WHERE g.code = %s"
            " AND i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')",
            [code],
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_clicking_a_grid_shows_its_status_and_nothing_leaves_the_server(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.goto(served.url)
    paths = page.locator("path.leaflet-interactive")
    paths.first.wait_for()
    with psycopg.connect(served.db_url) as conn:
        grids = conn.execute("SELECT count(*) FROM grid WHERE level = 'grid'").fetchone()
    assert grids is not None and paths.count() == grids[0]
    index, code, name = a_grid_to_click(served.db_url)
    paths.nth(index).click()
    page.locator("#panel-title").filter(has_text=name).wait_for()
    assert page.locator("#kpi-open").inner_text() == str(open_count(served.db_url, code))
    assert page.locator(".crumbs").inner_text().endswith(name)
    screenshot(page, "map-click")
    outside = [u for u in watched.requests if not u.startswith((served.url, "data:", "blob:"))]
    assert outside == []
    assert watched.errors == []
