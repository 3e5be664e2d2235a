"""The dashboard in a real browser: click a grid, check its numbers against SQL, climb the
breadcrumbs, switch language, and see that nothing is fetched from outside the server."""

from __future__ import annotations

import re

import psycopg
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served, Watched, screenshot
from twin.catalog import load_catalog
from twin.settings import Settings

OPEN = str(load_catalog(Settings().layers_dir)["incident"].field("status").open_values)


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


def sql_tiles(db_url: str, code: str) -> dict[str, str]:
    """The unit's tile values by plain SQL over the store (no grid_stat, no app code)."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            f"""
            WITH u AS (SELECT a.grid_id FROM grid_ancestor a JOIN grid g ON g.id = a.ancestor_id
                       WHERE g.code = %(code)s),
                 day AS (SELECT date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai')
                                AT TIME ZONE 'Asia/Shanghai' AS start),
                 closed AS (SELECT * FROM incident WHERE grid_id IN (SELECT * FROM u)
                              AND closed_at >= (SELECT start FROM day) - interval '29 days'),
                 cams AS (SELECT * FROM camera WHERE grid_id IN (SELECT * FROM u))
            SELECT
              (SELECT count(*) FROM incident WHERE grid_id IN (SELECT * FROM u)
                 AND status IN {OPEN}),
              (SELECT count(*) FROM incident WHERE grid_id IN (SELECT * FROM u)
                 AND status IN {OPEN} AND due_at < now()),
              (SELECT count(*) FROM incident WHERE grid_id IN (SELECT * FROM u)
                 AND reported_at >= (SELECT start FROM day)),
              (SELECT count(*) FROM incident WHERE grid_id IN (SELECT * FROM u)
                 AND closed_at >= (SELECT start FROM day)),
              (SELECT count(*) FROM sensor WHERE grid_id IN (SELECT * FROM u)
                 AND status = 'alarm'),
              (SELECT count(*) FILTER (WHERE status = 'online')::float8 / nullif(count(*), 0)
                 FROM cams),
              (SELECT count(*) FILTER (WHERE closed_at <= due_at)::float8
                      / nullif(count(*), 0) FROM closed),
              (SELECT percentile_cont(0.5) WITHIN GROUP (
                      ORDER BY extract(epoch FROM closed_at - reported_at)) / 3600.0
                 FROM closed)""",
            {"code": code},
        ).fetchone()
    assert row is not None
    keys = (
        "open",
        "overdue",
        "new_today",
        "closed_today",
        "sensor_status_alarm",
        "camera_online_rate",
        "on_time_rate",
        "median_handling",
    )
    return {k: "" if v is None else str(v) for k, v in zip(keys, row, strict=True)}


def tile_values(page: Page, keys: list[str]) -> dict[str, str]:
    """The raw values the page's KPI tiles carry."""
    return {k: page.locator(f"#kpi-{k}").get_attribute("data-value") or "" for k in keys}


def assert_clean(watched: Watched, base: str) -> None:
    """No request left the server and the console stayed free of errors."""
    outside = [u for u in watched.requests if not u.startswith((base, "data:", "blob:"))]
    assert outside == []
    assert watched.errors == []


def test_click_a_grid_then_climb_the_breadcrumbs(served: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(served.url)
    page.locator("#level").get_by_text("网格", exact=True).click()  # draw the grid level
    paths = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
    with psycopg.connect(served.db_url) as conn:
        grids = conn.execute("SELECT count(*) FROM grid WHERE level = 'grid'").fetchone()
    assert grids is not None
    expect(paths).to_have_count(grids[0])
    index, code, name = a_grid_to_click(served.db_url)
    paths.nth(index).click()
    expect(page).to_have_url(re.compile(f"/grid/{code}\\?lang=zh-CN$"))  # links keep the language
    expect(page.locator("#unit-title")).to_contain_text(name)
    expected = sql_tiles(served.db_url, code)
    assert tile_values(page, list(expected)) == expected
    expect(page.locator("#incidents .ag-row[row-index='0'] [col-id='code']")).not_to_be_empty()
    screenshot(page, "grid-drilldown")

    with psycopg.connect(served.db_url) as conn:
        lineage = conn.execute(
            """SELECT g.code, g.name, g.level
               FROM grid_ancestor a JOIN grid g ON g.id = a.ancestor_id
               WHERE a.grid_id = (SELECT id FROM grid WHERE code = %s) AND a.depth > 0
               ORDER BY a.depth""",
            [code],
        ).fetchall()
    for up_code, up_name, level in lineage:  # community, street, district
        page.locator(f"#crumb-{level}").click()
        expect(page).to_have_url(re.compile(f"/grid/{up_code}\\?lang=zh-CN$"))
        expect(page.locator("#unit-title")).to_contain_text(up_name)
        expected = sql_tiles(served.db_url, up_code)
        expect(page.locator("#kpi-open")).to_have_attribute("data-value", expected["open"])
        assert tile_values(page, list(expected)) == expected
    expect(page.locator("#children .ag-row").first).to_be_visible()  # the district's streets
    screenshot(page, "district-drilldown")
    page.locator("#crumb-city").click()
    expect(page.locator("#city-open")).to_be_visible()
    assert_clean(watched, served.url)


def test_switch_to_english_and_back(served: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(served.url)
    expect(page.locator("#title")).to_have_text("网格化治理数字孪生")
    expect(page.locator("#city-open .tile-label")).to_have_text("在办事件")
    page.locator("#lang-link").click()
    expect(page).to_have_url(re.compile(r"\?lang=en$"))
    expect(page.locator("#title")).to_have_text("Grid governance digital twin")
    expect(page.locator("#city-open .tile-label")).to_have_text("Open cases")
    expect(page.locator("#metric-label")).to_have_text("Colour by")
    expect(page.locator("#legend")).to_contain_text("Alert")
    expect(page.locator("#layers")).to_contain_text("Cameras")  # from camera.toml
    page.locator("#trend .main-svg").first.wait_for()
    chart, below = page.locator("#trend").bounding_box(), page.locator("#title-feed").bounding_box()
    assert chart and below and chart["height"] > 100
    assert chart["y"] + chart["height"] <= below["y"]  # the chart keeps to its own space
    widths = page.evaluate(
        "[...['.controls']].map(s => document.querySelector(s))"
        ".map(c => [c.scrollWidth, c.clientWidth])[0]"
    )
    assert widths[0] <= widths[1]  # the longer English words still fit the control bar
    screenshot(page, "cockpit-en")
    page.locator("#lang-link").click()
    expect(page.locator("#title")).to_have_text("网格化治理数字孪生")
    expect(page.locator("#legend")).to_contain_text("告警")
    screenshot(page, "cockpit-zh")
    assert_clean(watched, served.url)


def test_search_finds_a_grid_by_name(served: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(served.url)
    _, code, name = a_grid_to_click(served.db_url)
    page.locator("#search").click()
    box = page.locator("input.dash-dropdown-search")
    expect(box).to_have_attribute("placeholder", "搜索")  # Dash's own words, translated
    box.fill(name)
    page.get_by_role("option").filter(has_text=name).first.click()
    expect(page).to_have_url(re.compile(f"/grid/{code}\\?lang=zh-CN$"))  # links keep the language
    expect(page.locator("#unit-title")).to_contain_text(name)
    assert_clean(watched, served.url)


def test_layers_draw_points_coloured_by_the_catalog(served: Served, watched: Watched) -> None:
    page = watched.page
    _, code, _ = a_grid_to_click(served.db_url)
    page.goto(f"{served.url}/grid/{code}")
    page.locator("#layers").get_by_text("摄像头").click()
    with psycopg.connect(served.db_url) as conn:
        row = conn.execute(
            "SELECT status, ST_Y(geom), ST_X(geom) FROM camera"
            " WHERE grid_id = (SELECT id FROM grid WHERE code = %s) ORDER BY code LIMIT 1",
            [code],
        ).fetchone()
    assert row is not None
    status, lat, lon = row
    colour = load_catalog(Settings().layers_dir)["camera"].field("status")
    want = next(v.color for v in colour.values if v.value == status)
    expect(page.locator(".leaflet-overlay-pane path.leaflet-interactive").first).to_be_attached()
    # So close that nothing clusters (clusters end at zoom 16): the camera is its own marker,
    # in its status's colour from camera.toml.
    page.evaluate(
        "([lat, lon]) => window.dash_clientside.set_props("
        "'map', {viewport: {center: [lat, lon], zoom: 18}})",
        [lat, lon],
    )
    marker = page.locator(f".leaflet-marker-pane .pt-camera path[fill='{want}']")
    expect(marker.first).to_be_attached()
    assert_clean(watched, served.url)


def test_metric_level_and_tooltip(served: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(served.url)
    units = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
    expect(units.first).to_be_attached()  # the first map is drawn before the level changes
    page.locator("#level").get_by_text("区", exact=True).click()
    with psycopg.connect(served.db_url) as conn:
        districts = conn.execute("SELECT count(*) FROM grid WHERE level = 'district'").fetchone()
    assert districts is not None
    expect(units).to_have_count(districts[0])
    page.locator("#level").get_by_text("网格", exact=True).click()
    index, code, name = a_grid_to_click(served.db_url)
    expect(units.nth(index)).to_be_attached()
    page.locator("#metric").click()
    page.get_by_role("option").filter(has_text="在办事件").first.click()
    legend = page.locator("#legend .legend-item")
    expect(legend.first).to_contain_text(re.compile(r"\d"))  # classes of counts, not statuses
    units.nth(index).hover()
    tip = page.locator(".unit-tip")
    expect(tip).to_contain_text(name)
    expect(tip).to_contain_text(f"在办事件: {sql_tiles(served.db_url, code)['open']}")
    screenshot(page, "map-open-cases")
    assert_clean(watched, served.url)
