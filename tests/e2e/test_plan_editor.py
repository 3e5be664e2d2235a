"""The plan editor (/planner/<plan>) in Chromium over the small demo: split, merge, a dragged
shared vertex, the auto-fix, the name an edit is signed with and a second planner's conflict,
each checked against plain SQL.

Units are selected by clicking them on the map. The map's drawing layer is driven through the
page: the EditControl's geojson and action props are set as leaflet-draw sets them when a
shape is finished, so the edit goes through the page's real callbacks and the engine."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import psycopg
import pytest
import shapely
from playwright.sync_api import BrowserContext, Page, expect
from shapely.geometry.base import BaseGeometry

from tests.e2e.conftest import Served, Watched, screenshot
from tests.e2e.test_map import assert_clean
from twin.activity import Clock
from twin.plans import store

PLAN = "e2e-editor"


@pytest.fixture(scope="module")
def community(served: Served) -> dict[str, Any]:
    """A community of the demo with its grids (code -> lon/lat bounds), and a draft over it."""
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        code = conn.execute(
            "SELECT p.code FROM grid p JOIN grid g ON g.parent_id = p.id"
            " WHERE p.level = 'community' GROUP BY p.code HAVING count(*) >= 4"
            " ORDER BY p.code LIMIT 1"
        ).fetchone()[0]  # type: ignore[index]
        store.new_plan(conn, PLAN, code, "setup", Clock.current())
        grids = conn.execute(
            "SELECT g.code, ST_XMin(g.geom), ST_YMin(g.geom), ST_XMax(g.geom), ST_YMax(g.geom)"
            " FROM grid g JOIN grid p ON p.id = g.parent_id WHERE p.code = %s ORDER BY g.code",
            [code],
        ).fetchall()
    return {"code": code, "grids": {g[0]: g[1:] for g in grids}}


def open_editor(page: Page, served: Served, plan: str) -> None:
    """Load the editor of a plan, in English, and wait for its map."""
    page.goto(f"{served.url}/planner/{plan}?lang=en")
    page.locator("#ed-title").wait_for()
    page.locator("#ed-map .leaflet-interactive").first.wait_for()
    # The header and the problems line come by their own callback, after the map on a
    # loaded machine: the tests read them at once.
    page.locator("#ed-head").filter(has_text="revision").wait_for()


def sign_in(page: Page, name: str) -> None:
    """Type the planner's name into the page's one "your name" field."""
    page.locator("#actor-name").fill(name)
    page.locator("#actor-name").blur()


@pytest.fixture
def unsigned(served: Served, community: dict[str, Any], watched: Watched) -> Iterator[Watched]:
    """The editor of the plan, loaded, in English, with no name given yet."""
    open_editor(watched.page, served, PLAN)
    yield watched
    outside = [u for u in watched.requests if not u.startswith(served.url)]
    assert outside == []
    assert watched.errors == [], "\n".join(watched.errors)


@pytest.fixture
def editor(unsigned: Watched) -> Watched:
    """The editor of the plan, its planner named."""
    sign_in(unsigned.page, "Planner Li")
    return unsigned


def revision(page: Page) -> int:
    """The revision the page holds (from its header)."""
    return int(page.locator("#ed-head").inner_text().split("revision ")[1].split(" ")[0])


def draw(page: Page, geometry: dict[str, Any], kind: str, n: int = 1) -> None:
    """Finish a shape in the drawing layer as leaflet-draw does: its features, then the stop."""
    feature = {"type": "Feature", "properties": {"type": kind}, "geometry": geometry}
    stop = "draw:editstop" if kind == "edited" else "draw:drawstop"
    page.evaluate(
        """([f, stop, n]) => {
            const set = (props) => dash_clientside.set_props("plan-draw", props);
            set({geojson: {type: "FeatureCollection", features: [f]}});
            set({action: {layer_type: "polygon", type: stop, n_actions: n}});
        }""",
        [feature, stop, n],
    )


def wait_revision(page: Page, rev: int) -> None:
    page.locator("#ed-head").filter(has_text=f"revision {rev} ").wait_for()


def test_the_editor_shows_the_plan_over_the_map_in_force(
    editor: Watched, community: dict[str, Any]
) -> None:
    page = editor.page
    assert page.locator("#ed-head").inner_text().startswith("State draft · revision 0")
    assert page.locator("#plan-workflow").count() == 1
    expect(page.locator("#ed-problems")).to_have_text("No problems: no gaps, no overlaps")
    screenshot(page, "plan-editor")
    print(json.dumps(community)[:100])


def plan_units(db_url: str, plan: str = PLAN) -> dict[str, Any]:
    """The plan's rows by plain SQL: code -> (op, area m², households)."""
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT u.code, u.op, ST_Area(u.geom::geography), u.households"
            " FROM grid_plan_unit u JOIN grid_plan p ON p.id = u.plan_id WHERE p.name = %s",
            [plan],
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def cameras_in_plan_unit(db_url: str, code: str) -> int:
    """Cameras inside the plan's outline of a unit, by plain SQL."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM camera c JOIN grid_plan_unit u ON ST_Intersects(u.geom, c.geom)"
            " JOIN grid_plan p ON p.id = u.plan_id WHERE p.name = %s AND u.code = %s",
            [PLAN, code],
        ).fetchone()
    return int(row[0]) if row else 0


def test_a_line_across_a_grid_splits_it_and_the_panels_follow(
    editor: Watched, community: dict[str, Any], served: Served
) -> None:
    page = editor.page
    code, (w, s, e, n) = next(iter(community["grids"].items()))
    page.get_by_label("Split by a line").check()
    page.locator(".leaflet-draw-draw-polyline").wait_for()  # the tool's layer has arrived
    mid = (w + e) / 2
    rev = revision(page)
    line = {"type": "LineString", "coordinates": [[mid, s - 0.001], [mid, n + 0.001]]}
    draw(page, line, "polyline")
    wait_revision(page, rev + 1)
    rows = plan_units(served.db_url)
    assert code in rows and len(rows) >= 2
    row = page.locator(f"#ed-impact tr[data-code='{code}']")
    cells = row.locator("td").all_inner_texts()
    assert cells[0] == code
    assert cells[4].endswith(f"→ {cameras_in_plan_unit(served.db_url, code)}")
    screenshot(page, "plan-editor-impact")


def test_a_second_planner_editing_the_same_unit_gets_the_conflict_and_keeps_the_drawing(
    editor: Watched, community: dict[str, Any], served: Served, browser: BrowserContext
) -> None:
    first = editor.page
    second = browser.new_page()
    second.goto(f"{served.url}/planner/{PLAN}?lang=en")
    second.locator("#ed-map .leaflet-interactive").first.wait_for()
    code, (w, s, e, n) = list(community["grids"].items())[1]
    rev = revision(first)
    assert revision(second) == rev
    # The first planner's split lands first (the second page still holds the revision both
    # loaded); sending both at once would leave which one wins to the server's threads.
    for page, x in ((first, w + (e - w) / 3), (second, w + 2 * (e - w) / 3)):
        page.get_by_label("Split by a line").check()
        # The tool's drawing layer is made anew by the server: draw once it has arrived
        # (a shape sent to the old one is lost when the new one replaces it).
        page.locator(".leaflet-draw-draw-polyline").wait_for()
        draw(
            page,
            {"type": "LineString", "coordinates": [[x, s - 0.001], [x, n + 0.001]]},
            "polyline",
        )
        if page is first:
            wait_revision(first, rev + 1)
    message = second.locator("#ed-message")
    message.filter(has_text="Not saved").wait_for()
    assert code in message.inner_text()
    assert revision(second) == rev
    second.locator("#ed-reload").click()
    wait_revision(second, rev + 1)
    assert second.locator("#ed-pending-layer path, #ed-map path[stroke='#6b21a8']").count() >= 1


def fresh_plan(served: Served, community: dict[str, Any], name: str) -> None:
    """Another draft over the same community (each test below edits its own)."""
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        store.new_plan(conn, name, community["code"], "setup", Clock.current())


def shapes(db_url: str, sql: str, params: list[Any]) -> dict[str, BaseGeometry]:
    """code -> geometry of the rows (code, WKT) a query returns."""
    with psycopg.connect(db_url) as conn:
        return {c: shapely.from_wkt(w) for c, w in conn.execute(sql, params).fetchall()}


def neighbours(db_url: str, community: dict[str, Any]) -> tuple[str, str]:
    """The two grids of the community with the longest shared edge."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT a.code, b.code FROM grid a JOIN grid b ON b.parent_id = a.parent_id"
            " AND a.code < b.code JOIN grid p ON p.id = a.parent_id WHERE p.code = %s"
            " ORDER BY ST_Length(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 2))"
            " DESC, a.code LIMIT 1",
            [community["code"]],
        ).fetchone()
    assert row is not None
    return row[0], row[1]


def grid_geoms(db_url: str, codes: list[str]) -> dict[str, BaseGeometry]:
    """The grids in force, by plain SQL."""
    sql = "SELECT code, ST_AsText(geom) FROM grid WHERE code = ANY(%s)"
    return shapes(db_url, sql, [codes])


def click_unit(page: Page, geom: BaseGeometry) -> None:
    """Click a unit on the map where a planner would: a point inside it."""
    inside = geom.representative_point()
    x, y = page.evaluate(
        "([lat, lon]) => { const p = window.twinPlan.map.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [inside.y, inside.x],
    )
    box = page.locator("#ed-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


SELECTED = "#ed-map path[stroke='#1d5fa8'][stroke-width='4']"  # twinPlan.selStyle


def test_two_neighbours_clicked_on_the_map_merge_into_one(
    served: Served, community: dict[str, Any], watched: Watched
) -> None:
    page = watched.page
    fresh_plan(served, community, "e2e-merge")
    open_editor(page, served, "e2e-merge")
    sign_in(page, "Planner Li")
    a, b = neighbours(served.db_url, community)
    geoms = grid_geoms(served.db_url, [a, b])
    click_unit(page, geoms[a])
    page.locator("#ed-f-code").and_(page.locator(f"[value='{a}']")).wait_for()
    click_unit(page, geoms[b])
    page.locator(SELECTED).nth(1).wait_for()
    rev = revision(page)
    page.locator("#ed-merge").click()
    wait_revision(page, rev + 1)
    rows = plan_units(served.db_url, "e2e-merge")
    with psycopg.connect(served.db_url) as conn:
        households, area = conn.execute(
            "SELECT sum(households), ST_Area(ST_Union(geom)::geography) FROM grid"
            " WHERE code = ANY(%s)",
            [[a, b]],
        ).fetchone()  # type: ignore[misc]
    assert sorted(rows) == [a, b]
    assert rows[b][0] == "remove"
    assert rows[a][0] == "upsert" and rows[a][2] == households
    assert math.isclose(rows[a][1], area, rel_tol=1e-3)
    cells = page.locator(f"#ed-impact tr[data-code='{a}'] td").all_inner_texts()
    assert cells[2].endswith(f"→ {households:,}")  # households: the two grids' sum
    gone = page.locator(f"#ed-impact tr[data-code='{b}'] td").all_inner_texts()
    assert gone[2].endswith("→ –")
    expect_no_problems(page)
    assert page.locator("#ed-message").inner_text() == f"Merge selected: updated {a}, {b}"
    assert_clean(watched, served.url)


def expect_no_problems(page: Page) -> None:
    assert page.locator("#ed-problems").inner_text() == "No problems: no gaps, no overlaps"
    assert page.locator("#ed-head").inner_text().endswith("· 0 problem(s)")


def shared_vertex(a: BaseGeometry, b: BaseGeometry, frame: BaseGeometry) -> tuple[float, float]:
    """A vertex of a's outline that lies on b's and not on the community's outline."""
    for x, y in a.exterior.coords if a.geom_type == "Polygon" else a.geoms[0].exterior.coords:
        point = shapely.Point(x, y)
        if b.boundary.distance(point) < 1e-9 and frame.boundary.distance(point) > 1e-5:
            return x, y
    raise AssertionError("the neighbours share no inner vertex")


def test_a_shared_vertex_dragged_moves_the_boundary_of_both_neighbours(
    served: Served, community: dict[str, Any], watched: Watched
) -> None:
    page = watched.page
    fresh_plan(served, community, "e2e-boundary")
    open_editor(page, served, "e2e-boundary")
    sign_in(page, "Planner Li")
    a, b = neighbours(served.db_url, community)
    geoms = grid_geoms(served.db_url, [a, b, community["code"]])
    click_unit(page, geoms[a])
    page.locator("#ed-f-code").and_(page.locator(f"[value='{a}']")).wait_for()
    page.get_by_label("Move a boundary").check()
    page.locator(".leaflet-draw-edit-edit").wait_for()  # the unit is in the drawing layer
    x, y = shared_vertex(geoms[a], geoms[b], geoms[community["code"]])
    towards = geoms[b].centroid
    dx, dy = towards.x - x, towards.y - y
    step = 0.00025 / math.hypot(dx, dy)  # about 25 m into b
    moved = (x + dx * step, y + dy * step)
    ring = [moved if (cx, cy) == (x, y) else (cx, cy) for cx, cy in exterior(geoms[a])]
    outline = {"type": "Polygon", "coordinates": [[list(c) for c in ring]]}
    rev = revision(page)
    draw(page, outline, "edited")
    wait_revision(page, rev + 1)
    rows = plan_units(served.db_url, "e2e-boundary")
    with psycopg.connect(served.db_url) as conn:
        before = dict(
            conn.execute(
                "SELECT code, ST_Area(geom::geography) FROM grid WHERE code = ANY(%s)", [[a, b]]
            ).fetchall()
        )
    assert sorted(rows) == [a, b]  # both neighbours change, in one step
    gained, lost = rows[a][1] - before[a], before[b] - rows[b][1]
    assert gained > 50  # a triangle of some hundred m² changed hands
    assert math.isclose(gained, lost, rel_tol=0.01)
    for code in (a, b):
        page.locator(f"#ed-impact tr[data-code='{code}']").wait_for()
    households = page.locator(f"#ed-impact tr[data-code='{b}'] td").all_inner_texts()[2]
    assert households.endswith(f"→ {rows[b][2]:,}")
    expect_no_problems(page)
    assert_clean(watched, served.url)


def exterior(geom: BaseGeometry) -> list[tuple[float, float]]:
    poly = geom if geom.geom_type == "Polygon" else geom.geoms[0]
    return [(float(x), float(y)) for x, y in poly.exterior.coords]


def notched_plan(served: Served, community: dict[str, Any], name: str) -> tuple[str, float]:
    """A plan in which one grid loses a small notch at its edge with its neighbour (a gap of
    some 100 m² inside the community): the grid and the notch's area in m²."""
    a, b = neighbours(served.db_url, community)
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        plan = store.new_plan(conn, name, community["code"], "setup", Clock.current())
        units = {u.code: u for u in store.base_units(conn, plan)}
        edge = shapely.intersection(units[a].geom.boundary, units[b].geom.boundary)
        middle = edge.interpolate(0.5, normalized=True)
        notch = units[a].geom.intersection(middle.buffer(0.00012))
        cut = replace(units[a], geom=shapely.difference(units[a].geom, notch))
        store.write_changes(conn, plan, [cut], [], "setup", plan.revision, clock=Clock.current())
        area = conn.execute(
            "SELECT ST_Area(ST_GeomFromText(%s, 4326)::geography)", [notch.wkt]
        ).fetchone()[0]  # type: ignore[index]
    return a, float(area)


def test_the_auto_fix_closes_a_gap_in_one_click_and_says_what_it_changed(
    served: Served, community: dict[str, Any], watched: Watched
) -> None:
    page = watched.page
    a, notch_m2 = notched_plan(served, community, "e2e-fix")
    assert 50 < notch_m2 < 500  # a gap the auto-fix closes (Rules.fix_gap_m2)
    open_editor(page, served, "e2e-fix")
    sign_in(page, "Planner Li")
    problems = page.locator("#ed-problems .ed-problem")
    assert problems.count() == 1
    assert problems.locator(".ed-kind").inner_text() == "Gap"
    assert a in problems.locator(".ed-codes").inner_text()
    drawn = page.locator("#ed-map path[stroke='#c81e1e']")  # twinPlan.problemStyle
    assert drawn.count() == 1
    problems.first.click()  # zooms the map to it
    page.wait_for_timeout(800)
    screenshot(page, "plan-editor-problems")
    rev = revision(page)
    page.locator("#ed-fix").click()
    wait_revision(page, rev + 1)
    assert page.locator("#ed-message").inner_text() == "Auto-fix made 1 repair(s)"
    repairs = page.locator("#ed-repairs li").all_inner_texts()
    assert len(repairs) == 1 and repairs[0].startswith("Gap of ")
    expect_no_problems(page)
    assert drawn.count() == 0
    with psycopg.connect(served.db_url) as conn:
        hole = conn.execute(
            "SELECT ST_Area(ST_Difference(c.geom, ST_Union(m.geom))::geography)"
            " FROM grid c, (SELECT coalesce(u.geom, g.geom) AS geom FROM grid g"
            " JOIN grid c ON c.id = g.parent_id AND c.code = %s"
            " LEFT JOIN (grid_plan_unit u JOIN grid_plan p ON p.id = u.plan_id AND p.name = %s)"
            " ON u.code = g.code) m WHERE c.code = %s GROUP BY c.geom",
            [community["code"], "e2e-fix", community["code"]],
        ).fetchone()[0]  # type: ignore[index]
    assert hole < 1.0  # the plan's grids cover the community again
    assert_clean(watched, served.url)


def test_an_edit_without_a_name_is_refused_and_sent_once_the_planner_names_themself(
    unsigned: Watched, community: dict[str, Any], served: Served
) -> None:
    page = unsigned.page
    code, (w, s, e, n) = list(community["grids"].items())[2]
    page.get_by_label("Split by a line").check()
    page.locator(".leaflet-draw-draw-polyline").wait_for()
    rev = revision(page)
    mid = (w + e) / 2
    draw(
        page,
        {"type": "LineString", "coordinates": [[mid, s - 0.001], [mid, n + 0.001]]},
        "polyline",
    )
    message = page.locator("#ed-message")
    message.filter(has_text="Enter your name").wait_for()
    assert message.inner_text().startswith("Enter your name in “Your name” before editing")
    assert code not in plan_units(served.db_url)
    assert revision(page) == rev
    sign_in(page, "Planner Wang")
    page.locator("#ed-retry").click()
    wait_revision(page, rev + 1)
    with psycopg.connect(served.db_url) as conn:
        actor = conn.execute(
            "SELECT r.actor FROM grid_plan_revision r JOIN grid_plan p ON p.id = r.plan_id"
            " WHERE p.name = %s ORDER BY r.revision DESC LIMIT 1",
            [PLAN],
        ).fetchone()[0]  # type: ignore[index]
    assert actor == "Planner Wang"
    assert code in plan_units(served.db_url)
