"""Boundaries that follow road and river centre lines: drawn 3 m off a bent road, an edit's
boundary ends on the road along its whole length; drawn 30 m off, it stays as drawn; the map
still tiles (issue 16)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import numpy as np
import psycopg
import pytest
import shapely
from shapely.geometry import LineString, box

from tests import gridworld
from tests.db.test_plan_edits import HOLE, LON_M, WORLD, assert_tiled, found, grids
from twin.activity import Clock
from twin.plans import boundary, edits, snap, store
from twin.reference.store import ReferenceFeature, replace_layer
from twin.synth.load import load_demo

CLOCK = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
NOW = CLOCK.now
PROJ = snap.Projection(114.01, 30.01)


def bent_road(x: float, wobble_m: float = 1.5) -> LineString:
    """A north-south road at cell x, bent ±wobble_m east-west, through at cells y = 0, 1, 2."""
    y = np.linspace(-0.5, 2.5, 241)
    lon = gridworld.X0 + x * gridworld.STEP + wobble_m * LON_M * np.sin(2 * np.pi * y)
    return LineString(np.column_stack([lon, gridworld.Y0 + y * gridworld.STEP]))


def lay(conn: psycopg.Connection, layer: str, cls: str, line: LineString) -> None:
    """One reference line, the whole layer."""
    replace_layer(conn, layer, [ReferenceFeature(f"{layer}1", cls, "和平路", line)], NOW)


def stretch(geom: shapely.Geometry, x: float) -> shapely.Geometry:
    """The part of a shape within 20 m of cell x, between cells y 0.01 and 0.99."""
    west = gridworld.X0 + x * gridworld.STEP - 20 * LON_M
    east = gridworld.X0 + x * gridworld.STEP + 20 * LON_M
    return geom.intersection(box(west, gridworld.Y0 + 0.0001, east, gridworld.Y0 + 0.0099))


def metres_apart(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """The Hausdorff distance of two shapes, in metres."""
    return float(snap.to_metres(a, PROJ).hausdorff_distance(snap.to_metres(b, PROJ)))


@pytest.fixture
def plan(conn: psycopg.Connection, world: dict[str, int]) -> store.Plan:
    """A draft over community C."""
    return store.new_plan(conn, "p", "C", "alice", CLOCK)


def test_an_outline_drawn_3_m_off_a_road_ends_on_it(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    road = LineString([gridworld.lonlat(1, -0.5), gridworld.lonlat(1, 2.5)])  # G1 | G2
    lay(conn, "road", "primary", road)
    drawn = box(*gridworld.lonlat(0, 0), gridworld.X0 + gridworld.STEP - 3 * LON_M, 30.01)
    result = edits.replace_geometry(conn, "p", "G1", drawn, "alice", 0, CLOCK)
    after = grids(conn)
    assert metres_apart(stretch(after["G1"].geom.boundary, 1), stretch(road, 1)) < 1e-6
    assert found(result) == HOLE
    assert_tiled(after, WORLD)


def test_an_outline_drawn_30_m_off_a_road_stays_as_drawn(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    lay(conn, "road", "primary", LineString([gridworld.lonlat(1, -0.5), gridworld.lonlat(1, 2.5)]))
    drawn = box(*gridworld.lonlat(0, 0), gridworld.X0 + gridworld.STEP - 30 * LON_M, 30.01)
    result = edits.replace_geometry(conn, "p", "G1", drawn, "alice", 0, CLOCK)
    assert grids(conn)["G1"].geom.equals(drawn)
    assert [k for k, _ in found(result)] == ["gap", "gap"]  # the 30 m strip, and G4's hole


def test_a_moved_edge_follows_a_bent_road_along_its_length(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    road = bent_road(1)
    lay(conn, "road", "secondary", road)
    # the planner drags G1's east edge 3 m into G2: four vertices, a straight edge
    drawn = box(*gridworld.lonlat(0, 0), gridworld.X0 + gridworld.STEP + 3 * LON_M, 30.01)
    result = boundary.move_edge(conn, "p", "G1", drawn, "alice", 0, CLOCK)
    after = grids(conn)
    assert metres_apart(stretch(after["G1"].geom.boundary, 1), stretch(road, 1)) < 1e-6
    assert metres_apart(stretch(after["G2"].geom.boundary, 1), stretch(road, 1)) < 1e-6
    assert found(result) == HOLE
    assert_tiled(after, WORLD)


def test_without_the_road_the_same_move_keeps_its_straight_edge(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    drawn = box(*gridworld.lonlat(0, 0), gridworld.X0 + gridworld.STEP + 3 * LON_M, 30.01)
    boundary.move_edge(conn, "p", "G1", drawn, "alice", 0, CLOCK)
    assert grids(conn)["G1"].geom.equals(drawn)


def test_a_split_line_drawn_3_m_off_a_river_splits_along_it(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    river = bent_road(0.5)
    lay(conn, "water", "river", river)
    x = gridworld.X0 + 0.5 * gridworld.STEP - 3 * LON_M
    line = LineString([(x, gridworld.Y0 - 0.001), (x, gridworld.Y0 + 0.011)])
    result = edits.split(conn, "p", "G1", line, "alice", 0, CLOCK, new_codes=["G9"])
    after = grids(conn)
    assert metres_apart(stretch(after["G1"].geom.boundary, 0.5), stretch(river, 0.5)) < 1e-6
    assert metres_apart(stretch(after["G9"].geom.boundary, 0.5), stretch(river, 0.5)) < 1e-6
    assert found(result) == HOLE
    assert_tiled(after, WORLD)


def test_a_boundary_crossing_a_road_is_not_pulled_along_it(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    # an east-west road across G1: G1's moved east edge crosses it, it does not follow it
    lay(conn, "road", "primary", LineString([gridworld.lonlat(-1, 0.5), gridworld.lonlat(3, 0.5)]))
    drawn = box(*gridworld.lonlat(0, 0), gridworld.X0 + gridworld.STEP + 30 * LON_M, 30.01)
    boundary.move_edge(conn, "p", "G1", drawn, "alice", 0, CLOCK)
    assert grids(conn)["G1"].geom.equals(drawn)


def test_a_zero_tolerance_turns_reference_snapping_off(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    lay(conn, "road", "primary", LineString([gridworld.lonlat(1, -0.5), gridworld.lonlat(1, 2.5)]))
    drawn = box(*gridworld.lonlat(0, 0), gridworld.X0 + gridworld.STEP - 3 * LON_M, 30.01)
    edits.replace_geometry(conn, "p", "G1", drawn, "alice", 0, CLOCK, reference_m=0)
    assert grids(conn)["G1"].geom.equals(drawn)


def test_an_edit_whose_boundary_cuts_a_building_reports_it(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    west = gridworld.X0 + gridworld.STEP - 30 * LON_M  # 30 m to 10 m west of the G1 | G2 edge
    shop = box(west, 30.005, west + 20 * LON_M, 30.005 + 20 / 110_860)
    replace_layer(conn, "building", [ReferenceFeature("B17", "building", "商店", shop)], NOW)
    drawn = box(*gridworld.lonlat(0, 0), west + 10 * LON_M, 30.01)  # G2 takes half the shop
    result = boundary.move_edge(conn, "p", "G1", drawn, "alice", 0, CLOCK)
    (crossed,) = [p for p in result.problems if p.kind == "crosses_building"]
    assert (crossed.codes, crossed.detail) == (("G1", "G2"), "B17")
    assert crossed.area_m2 == pytest.approx(400, rel=0.01)
    assert shop.contains(shapely.Point(crossed.lon, crossed.lat))
    again = boundary.move_edge(conn, "p", "G1", cells_box(1), "alice", result.revision, CLOCK)
    assert found(again) == HOLE


def cells_box(east: float) -> shapely.Geometry:
    """G1's outline with its east edge at cell x = east."""
    return box(*gridworld.lonlat(0, 0), *gridworld.lonlat(east, 1))


@pytest.mark.parametrize(("layer", "cls"), [("road", "path"), ("water", "stream")])
def test_a_class_the_catalog_does_not_snap_to_is_not_followed(
    conn: psycopg.Connection, plan: store.Plan, layer: str, cls: str
) -> None:
    lay(conn, layer, cls, bent_road(1))
    drawn = box(*gridworld.lonlat(0, 0), gridworld.X0 + gridworld.STEP + 3 * LON_M, 30.01)
    boundary.move_edge(conn, "p", "G1", drawn, "alice", 0, CLOCK)
    assert grids(conn)["G1"].geom.equals(drawn)


def test_a_demo_grid_redrawn_roughly_inside_its_streets_lands_back_on_them(
    conn: psycopg.Connection,
) -> None:
    load_demo(conn, "small", seed=7, now=NOW)
    code, community = conn.execute(
        "SELECT g.code, p.code FROM grid g JOIN grid p ON p.id = g.parent_id"
        " WHERE g.level = 'grid' ORDER BY g.code LIMIT 1 OFFSET 40"
    ).fetchone()  # type: ignore[misc]
    store.new_plan(conn, "demo", community, "alice", CLOCK)
    before = {u.code: u for u in store.proposed_units(conn, store.get_plan(conn, "demo"), "grid")}
    grid = before[code].geom
    proj = snap.projection_for(grid)
    # 3 m inside its streets, drawn with a vertex every 20 m or so: the planner's few clicks
    rough = snap.to_metres(grid, proj).buffer(-3, join_style="mitre").simplify(1.5)
    drawn = proj.geoms_to_lonlat(np.array([rough]))[0]
    assert len(shapely.get_coordinates(drawn)) < len(shapely.get_coordinates(grid))
    started = time.perf_counter()
    result = edits.replace_geometry(conn, "demo", code, drawn, "alice", 0, CLOCK)
    print(f"reshape with reference snapping: {time.perf_counter() - started:.3f} s")
    after = store.proposed_units(conn, store.get_plan(conn, "demo"), "grid")
    new = next(u.geom for u in after if u.code == code)
    assert snap.area_m2(new.symmetric_difference(grid), proj) < 1.0
    assert [p for p in result.problems if p.kind in ("gap", "overlap", "sliver")] == []
