"""The dashboard in a real browser: click a grid, check its numbers against SQL, climb the
breadcrumbs, switch language, and see that nothing is fetched from outside the server."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import psycopg
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served, Watched, screenshot
from twin.app.metrics import STATUS_COLOURS
from twin.catalog import Layer, load_catalog
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


def zoom_to(page: Page, lat: float, lon: float, zoom: float) -> None:
    """Move the map as a user's zoom would."""
    page.evaluate(
        "([lat, lon, zoom]) => window.dash_clientside.set_props("
        "'map', {viewport: {center: [lat, lon], zoom: zoom}})",
        [lat, lon, zoom],
    )


def one_point_each(db_url: str) -> tuple[str, dict[str, tuple[Any, ...]]]:
    """A grid with an open case, a camera and a sensor, and one of each (its fields, lat, lon)."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute(f"""
            SELECT g.code FROM grid g WHERE g.level = 'grid'
              AND EXISTS (SELECT FROM incident i WHERE i.grid_id = g.id AND i.status IN {OPEN})
              AND EXISTS (SELECT FROM camera c WHERE c.grid_id = g.id)
              AND EXISTS (SELECT FROM sensor s WHERE s.grid_id = g.id)
            ORDER BY g.code LIMIT 1""").fetchone()
        assert row is not None
        code = row[0]
        queries = {
            "incident": f"SELECT code, category, severity::text, status, ST_Y(geom), ST_X(geom)"
            f" FROM incident WHERE status IN {OPEN}",
            "camera": "SELECT code, status, last_seen, ST_Y(geom), ST_X(geom) FROM camera",
            "sensor": "SELECT code, kind, status, last_value, unit, ST_Y(geom), ST_X(geom)"
            " FROM sensor",
        }
        out = {}
        for layer, q in queries.items():
            got = conn.execute(
                q
                + (" AND" if "WHERE" in q else " WHERE")
                + " grid_id = (SELECT id FROM grid WHERE code = %s) ORDER BY code LIMIT 1",
                [code],
            ).fetchone()
            assert got is not None
            out[layer] = got
    return code, out


def english(layer: Layer, title: str, value: Any) -> str:
    """How a tooltip shows a field's value in English (an enum by its catalog label)."""
    f = next(f for f in layer.fields if f.title.en == title)
    return next((v.label.en for v in f.values if v.value == value), str(value))


def test_point_layers_have_their_own_shapes_a_legend_and_tooltips(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    code, points = one_point_each(served.db_url)
    page.goto(f"{served.url}/grid/{code}?lang=en")
    for title in ("Incidents", "Cameras", "Sensors"):
        page.locator("#layers").get_by_text(title).click()
    for layer in points:
        expect(page.locator(f"#point-legend-{layer} .pl-shape").first).to_be_visible()
    expect(page.locator("#point-legend-clusters")).to_contain_text("worst")
    catalog = load_catalog(Settings().layers_dir)
    shapes = {}
    for layer, row in points.items():
        lat, lon = row[-2], row[-1]
        zoom_to(page, lat, lon, 19)  # past the clusters' last zoom: the point is itself
        marker = page.locator(f".leaflet-marker-pane .pt-{layer} svg[data-code='{row[0]}']")
        expect(marker).to_be_attached()
        shapes[layer] = marker.locator("path").first.get_attribute("d")
        marker.dispatch_event("mouseover")
        tip = page.locator(".point-tip").filter(has_text=f" · {row[0]}")
        expect(tip).to_be_visible()
        if layer == "incident":
            _, category, severity, status = row[:4]
            want = {"Category": category, "Severity": severity, "Status": status}
        elif layer == "camera":
            _, status, last_seen = row[:3]
            local = last_seen.astimezone(ZoneInfo(Settings().timezone))
            want = {"Status": status, "Last seen": f"{local:%b %d %H:%M}"}
        else:
            _, kind, status, value, unit = row[:5]
            reading = f"{round(value, 3):,.3f}".rstrip("0").rstrip(".")
            want = {"Kind": kind, "Status": status, "Last reading": f"{reading} {unit}"}
        for title, value in want.items():
            shown = english(catalog[layer], title, value)
            expect(tip).to_contain_text(f"{title}: {shown}")
        marker.dispatch_event("mouseout")
    assert len(set(shapes.values())) == 3, shapes  # each layer its own shape
    screenshot(page, "map-point-layers")
    assert_clean(watched, served.url)


def grid_with_cases(db_url: str, severe: bool) -> tuple[str, float, float]:
    """A grid with several open cases, one of them severity 1 or none; its code and the
    centre of its cases."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            f"""
            SELECT g.code, ST_Y(ST_Centroid(ST_Collect(i.geom))),
                   ST_X(ST_Centroid(ST_Collect(i.geom)))
            FROM grid g JOIN incident i ON i.grid_id = g.id AND i.closed_at IS NULL
            WHERE g.level = 'grid'
            GROUP BY g.code
            HAVING count(*) FILTER (WHERE i.status IN {OPEN}) >= 3
               AND bool_or(i.status IN {OPEN} AND i.severity = 1) = %s
            ORDER BY g.code LIMIT 1""",
            [severe],
        ).fetchone()
    assert row is not None
    return row


def test_a_cluster_takes_the_colour_of_the_worst_point_inside(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    for severe, worst in ((True, "red"), (False, "yellow")):
        code, lat, lon = grid_with_cases(served.db_url, severe)
        page.goto(f"{served.url}/grid/{code}?lang=en")
        page.locator("#layers").get_by_text("Incidents").click()
        zoom_to(page, lat, lon, 12)  # the grid is a few pixels wide: its cases are one cluster
        cluster = page.locator(".leaflet-marker-pane .pt-cluster.pt-incident svg")
        expect(cluster).to_have_count(1)
        expect(page.locator(".leaflet-marker-pane .pt-icon")).to_have_count(0)
        expect(cluster).to_have_attribute("data-worst", worst)
        expect(cluster.locator("path").first).to_have_attribute("fill", STATUS_COLOURS[worst])
        if severe:
            screenshot(page, "map-cluster-alert")
    assert_clean(watched, served.url)


def overlapping(boxes: list[dict[str, float]]) -> list[tuple[int, int]]:
    """Pairs of screen boxes that overlap."""
    return [
        (i, j)
        for i, a in enumerate(boxes)
        for j, b in enumerate(boxes[:i])
        if a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    ]


def test_unit_labels_where_they_fit_and_parent_boundaries_over_the_level(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.goto(served.url)
    page.locator("#level").get_by_text("网格", exact=True).click()
    with psycopg.connect(served.db_url) as conn:
        counts = dict(conn.execute("SELECT level, count(*) FROM grid GROUP BY level").fetchall())
        # The smallest grid: a dot at city zoom.
        code, name, lat, lon = conn.execute(
            "SELECT code, name, ST_Y(c), ST_X(c) FROM (SELECT code, name, geom,"
            " ST_PointOnSurface(geom) AS c FROM grid WHERE level = 'grid') g"
            " ORDER BY ST_Area(geom) LIMIT 1"
        ).fetchone() or ("", "", 0, 0)
    units = page.locator(".leaflet-overlay-pane path.leaflet-interactive")
    expect(units).to_have_count(counts["grid"])
    # The communities over their grids: a heavier line, no fill, not in the way of a click.
    parents = page.locator(".leaflet-parents-pane path")
    expect(parents).to_have_count(counts["community"])
    assert parents.first.get_attribute("fill") == "none"
    heavier = [float(x.get_attribute("stroke-width") or 0) for x in (parents.first, units.first)]
    assert heavier[0] > heavier[1]
    pane = page.locator(".leaflet-parents-pane")
    assert pane.evaluate("e => getComputedStyle(e).pointerEvents") == "none"
    # At city zoom only the few grids wide enough for their names are labelled, and no two
    # labels overlap; the smallest grid is not labelled until zoomed in.
    labels = page.locator(".unit-label")
    labels.first.wait_for(state="attached")
    page.wait_for_timeout(300)  # the labels are placed once the map settles
    shown = [b for b in (x.bounding_box() for x in labels.all()) if b]
    assert 0 < len(shown) < counts["grid"] / 10
    assert overlapping(shown) == []
    label = page.locator(f".unit-label[data-code='{code}']")
    expect(label).to_have_count(0)
    zoom_to(page, lat, lon, 17)
    expect(label).to_have_text(name)
    page.wait_for_timeout(300)
    assert overlapping([b for b in (x.bounding_box() for x in labels.all()) if b]) == []
    screenshot(page, "map-labels")
    assert_clean(watched, served.url)


def internal_links(page: Page, base: str) -> dict[str, str]:
    """Every link on the page that stays on the server: its text (or id) -> absolute href."""
    found = page.evaluate(
        "() => [...document.querySelectorAll('a[href]')]"
        ".map(a => [a.id || a.textContent.trim() || a.outerHTML.slice(0, 80), a.href])"
    )
    return {text: href for text, href in found if href.startswith(base)}


def test_every_link_keeps_the_language(served: Served, watched: Watched) -> None:
    page = watched.page
    base = served.url
    _, grid, _ = a_grid_to_click(served.db_url)
    with psycopg.connect(served.db_url) as conn:
        district = conn.execute(
            "SELECT g.code FROM grid_ancestor a JOIN grid g ON g.id = a.ancestor_id"
            " WHERE a.grid_id = (SELECT id FROM grid WHERE code = %s) AND g.level = 'district'",
            [grid],
        ).fetchone()
    assert district is not None
    pages = {
        "/": "#attention a",
        f"/grid/{grid}": "#crumb-district",
        f"/grid/{district[0]}": "#children .ag-row a",
        "/screen": "#feed a",
        "/hotspots": "#hot-ranked li a",
        "/planner": "#lang-link[href*='lang=zh-CN']",  # the route has set it (static: ?lang=en)
    }
    seen = 0
    for path, ready in pages.items():
        page.goto(f"{base}{path}?lang=en")
        page.locator(ready).first.wait_for(state="attached")
        links = internal_links(page, base)
        assert links, path
        for text, href in links.items():
            query = parse_qs(urlsplit(href).query)
            want = ["zh-CN"] if text == "lang-link" else ["en"]  # the switch goes to Chinese
            assert query.get("lang") == want, f"{path}: link {text!r} -> {href}"
        seen += len(links)
    assert seen > 30
    assert_clean(watched, served.url)
