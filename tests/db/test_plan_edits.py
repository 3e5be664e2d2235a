"""Edit operations on the hand-made world, with known areas, codes and counts."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import combinations

import psycopg
import pytest
import shapely
from shapely.geometry import LineString, Polygon, box

from tests import gridworld
from twin.activity import Clock
from twin.plans import edits, snap, store
from twin.plans.model import EditResult, UnitState
from twin.plans.store import PlanError

CLOCK = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
LAT_M = 1 / 110_860  # one metre in degrees of latitude near 30°N
LON_M = 1 / 96_490  # one metre in degrees of longitude near 30°N
CELL = gridworld.STEP


def cells(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """A box given in cell units."""
    (a, b), (c, d) = gridworld.lonlat(x0, y0), gridworld.lonlat(x1, y1)
    return box(a, b, c, d)


def poly(*xy: tuple[float, float]) -> Polygon:
    """A polygon from lon/lat offsets in degrees from the world's origin."""
    return Polygon([(gridworld.X0 + x, gridworld.Y0 + y) for x, y in xy])


def area(geom: shapely.Geometry) -> float:
    """Area in m² (one projection for all, so ratios are exact to rounding)."""
    return float(snap.to_metres(geom, snap.Projection(114.01, 30.01)).area)


CELL_M2 = area(cells(0, 0, 1, 1))


def grids(conn: psycopg.Connection, name: str = "p") -> dict[str, UnitState]:
    """The plan's proposed grids by code."""
    return {u.code: u for u in store.proposed_units(conn, store.get_plan(conn, name), "grid")}


def assert_tiled(units: dict[str, UnitState], outline: shapely.Geometry) -> None:
    """No two units overlap and together they cover exactly the outline (to 0.01 m²)."""
    for a, b in combinations(units.values(), 2):
        assert area(a.geom.intersection(b.geom)) < 0.01, (a.code, b.code)
    union = shapely.union_all([u.geom for u in units.values()])
    assert area(union.symmetric_difference(outline)) < 0.01


WORLD = cells(0, 0, 2, 2).difference(cells(1.3, 1.3, 1.7, 1.7))
HOLE = [("gap", ("C", "G4"))]  # the world's one problem: G4's hole, a gap inside C


def found(result: EditResult) -> list[tuple[str, tuple[str, ...]]]:
    """The kinds and units of an edit's problems."""
    return [(p.kind, p.codes) for p in result.problems]


@pytest.fixture
def plan(conn: psycopg.Connection, world: dict[str, int]) -> store.Plan:
    """A draft over community C."""
    return store.new_plan(conn, "p", "C", "alice", CLOCK)


def test_split_by_a_line_keeps_the_code_on_the_largest_piece(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    line = LineString([gridworld.lonlat(0.4, -0.1), gridworld.lonlat(0.4, 1.1)])
    result = edits.split(conn, "p", "G1", line, "alice", 0, CLOCK)
    assert (result.revision, result.changed) == (1, ("G1", "G1-2"))
    assert found(result) == HOLE
    assert [r["code"] for r in result.impact["rows"]] == ["G1", "G1-2"]
    after = grids(conn)
    assert area(after["G1"].geom) == pytest.approx(0.6 * CELL_M2, rel=1e-6)
    assert area(after["G1-2"].geom) == pytest.approx(0.4 * CELL_M2, rel=1e-6)
    assert (after["G1"].households, after["G1-2"].households) == (240, 160)
    assert (after["G1"].population, after["G1-2"].population) == (600, 400)
    assert (after["G1-2"].name, after["G1-2"].parent) == ("grid G1 (2)", "C")
    assert_tiled(after, WORLD)


def test_a_line_a_little_short_of_the_edges_still_cuts_across(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    half_metre = 0.5 * LAT_M
    line = LineString(
        [
            (gridworld.X0 + 0.5 * CELL, gridworld.Y0 + half_metre),
            (gridworld.X0 + 0.5 * CELL, gridworld.Y0 + CELL - half_metre),
        ]
    )
    edits.split(conn, "p", "G1", line, "alice", 0, CLOCK, new_codes=["G9"])
    after = grids(conn)
    assert sorted(after) == ["G1", "G2", "G3", "G4", "G9"]
    assert area(after["G9"].geom) == pytest.approx(0.5 * CELL_M2, rel=1e-6)
    assert_tiled(after, WORLD)


def test_a_split_that_cannot_be_made_is_refused(conn: psycopg.Connection, plan: store.Plan) -> None:
    inside = LineString([gridworld.lonlat(0.2, 0.2), gridworld.lonlat(0.8, 0.8)])
    with pytest.raises(PlanError, match="the line does not cross the unit from edge to edge"):
        edits.split(conn, "p", "G1", inside, "alice", 0, CLOCK)
    across = LineString([gridworld.lonlat(0.4, -0.1), gridworld.lonlat(0.4, 1.1)])
    with pytest.raises(PlanError, match=r"code\(s\) already used: G2"):
        edits.split(conn, "p", "G1", across, "alice", 0, CLOCK, new_codes=["G2"])
    with pytest.raises(PlanError, match=r"1 new code\(s\) are needed, not 2"):
        edits.split(conn, "p", "G1", across, "alice", 0, CLOCK, new_codes=["A", "B"])
    with pytest.raises(PlanError, match="no unit 'G7' in the subtree of C"):
        edits.split(conn, "p", "G7", across, "alice", 0, CLOCK)
    assert store.get_plan(conn, "p").revision == 0


def test_merge_of_neighbours_sums_counts_and_removes_the_others(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    result = edits.merge(conn, "p", ["G2", "G1"], "alice", 0, CLOCK)
    assert result.changed == ("G1", "G2")
    assert found(result) == HOLE
    after = grids(conn)
    assert sorted(after) == ["G2", "G3", "G4"]
    assert area(after["G2"].geom) == pytest.approx(2 * CELL_M2, rel=1e-6)
    assert (after["G2"].households, after["G2"].officer) == (800, "officer G2")
    assert len(snap.polygons(after["G2"].geom)) == 1
    assert store.plan_changes(conn, store.get_plan(conn, "p"))[1] == ["G1"]
    assert_tiled(after, WORLD)


def test_merge_of_units_that_only_touch_at_a_corner_is_refused(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    with pytest.raises(PlanError, match=r"unit\(s\) G4 do not border G1"):
        edits.merge(conn, "p", ["G1", "G4"], "alice", 0, CLOCK)
    with pytest.raises(PlanError, match="different levels"):
        edits.merge(conn, "p", ["G1", "C"], "alice", 0, CLOCK)
    with pytest.raises(PlanError, match="two or more"):
        edits.merge(conn, "p", ["G1", "G1"], "alice", 0, CLOCK)


def test_move_boundary_transfers_the_area_and_its_share_of_households(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    strip = cells(0.8, -0.1, 1.2, 1.1)  # drawn across the shared edge: only G1's part moves
    result = edits.move_boundary(conn, "p", "G1", "G2", strip, "alice", 0, CLOCK)
    assert result.changed == ("G1", "G2")
    assert found(result) == HOLE
    after = grids(conn)
    assert area(after["G1"].geom) == pytest.approx(0.8 * CELL_M2, rel=1e-6)
    assert area(after["G2"].geom) == pytest.approx(1.2 * CELL_M2, rel=1e-6)
    assert (after["G1"].households, after["G2"].households) == (320, 480)
    assert_tiled(after, WORLD)


def test_an_area_drawn_half_a_metre_short_of_the_edges_is_snapped_onto_them(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    m = 0.5 * LAT_M
    drawn = poly((0.8 * CELL, m), (1.2 * CELL, m), (1.2 * CELL, CELL - m), (0.8 * CELL, CELL - m))
    edits.move_boundary(conn, "p", "G1", "G2", drawn, "alice", 0, CLOCK)
    after = grids(conn)
    assert area(after["G1"].geom) == pytest.approx(0.8 * CELL_M2, rel=1e-6)
    assert len(snap.polygons(after["G2"].geom)) == 1
    assert_tiled(after, WORLD)


def test_bad_moves_are_refused(conn: psycopg.Connection, plan: store.Plan) -> None:
    with pytest.raises(PlanError, match="G1 and G4 are not neighbours"):
        edits.move_boundary(conn, "p", "G1", "G4", cells(0.8, 0.8, 1.2, 1.2), "a", 0, CLOCK)
    with pytest.raises(PlanError, match="the area does not overlap G1"):
        edits.move_boundary(conn, "p", "G1", "G2", cells(1.2, 0.2, 1.5, 0.5), "a", 0, CLOCK)
    with pytest.raises(PlanError, match="does not border G2"):
        edits.move_boundary(conn, "p", "G1", "G2", cells(0.2, 0.2, 0.5, 0.5), "a", 0, CLOCK)
    with pytest.raises(PlanError, match="covers all of G1; merge it into G2"):
        edits.move_boundary(conn, "p", "G1", "G2", cells(-1, -1, 1.5, 1.5), "a", 0, CLOCK)


@pytest.mark.parametrize("offset_m", [0.93, -0.93, 0.4, -0.4])
def test_an_edge_drawn_within_a_metre_of_a_neighbour_leaves_no_sliver_or_overlap(
    conn: psycopg.Connection, plan: store.Plan, offset_m: float
) -> None:
    # The east edge of G1, redrawn a little into G2 or short of it, with a new vertex midway
    # (0.93 m of longitude is beyond the vertex snap, so the area rule must settle it).
    east = CELL + offset_m * LON_M
    drawn = poly((0, 0), (east, 0), (east, 0.5 * CELL), (east, CELL), (0, CELL))
    result = edits.replace_geometry(conn, "p", "G1", drawn, "alice", 0, CLOCK)
    assert found(result) == HOLE  # no sliver, no overlap
    after = grids(conn)
    assert area(after["G1"].geom) == pytest.approx(CELL_M2, abs=0.01)
    assert_tiled(after, WORLD)


def test_a_reshape_beyond_the_tolerance_is_kept_as_drawn(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    result = edits.replace_geometry(conn, "p", "G1", cells(0, 0, 0.8, 1), "alice", 0, CLOCK)
    assert result.changed == ("G1",)
    assert found(result) == [("gap", ("C", "G1", "G2", "G3", "G4")), *HOLE]
    assert result.problems[0].area_m2 == pytest.approx(0.2 * CELL_M2, rel=1e-3)
    assert area(grids(conn)["G1"].geom) == pytest.approx(0.8 * CELL_M2, rel=1e-6)
    with pytest.raises(PlanError, match="a LineString is not an outline"):
        edits.replace_geometry(conn, "p", "G1", LineString([(0, 0), (1, 1)]), "a", 1, CLOCK)


def test_add_a_unit_in_place_of_a_deleted_one_snapped_to_its_neighbours(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    edits.delete_unit(conn, "p", "G4", "alice", 0, CLOCK)
    m = 0.5 * LON_M
    drawn = poly((CELL + m, CELL), (2 * CELL, CELL), (2 * CELL, 2 * CELL), (CELL + m, 2 * CELL))
    result = edits.add_unit(
        conn, "p", "G5", "grid G5", "grid", "C", drawn, "alice", 1, CLOCK, households=10
    )
    assert (result.revision, result.changed) == (2, ("G5",))
    after = grids(conn)
    assert sorted(after) == ["G1", "G2", "G3", "G5"]
    assert (after["G5"].parent, after["G5"].households, after["G5"].officer) == ("C", 10, None)
    assert_tiled(after, cells(0, 0, 2, 2))


def test_bad_additions_and_deletions_are_refused(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    shape = cells(0.2, 0.2, 0.4, 0.4)
    with pytest.raises(PlanError, match=r"code\(s\) already used: G1"):
        edits.add_unit(conn, "p", "G1", "x", "grid", "C", shape, "a", 0, CLOCK)
    with pytest.raises(PlanError, match="unknown level 'block'"):
        edits.add_unit(conn, "p", "N", "x", "block", "C", shape, "a", 0, CLOCK)
    with pytest.raises(PlanError, match="a grid needs a coarser parent, not the grid G1"):
        edits.add_unit(conn, "p", "N", "x", "grid", "G1", shape, "a", 0, CLOCK)
    with pytest.raises(PlanError, match="households must be a whole number"):
        edits.add_unit(conn, "p", "N", "x", "grid", "C", shape, "a", 0, CLOCK, households=-1)
    store.new_plan(conn, "city", None, "alice", CLOCK)
    with pytest.raises(PlanError, match=r"C still has units under it \(G1, G2, G3, G4\)"):
        edits.delete_unit(conn, "city", "C", "alice", 0, CLOCK)


def test_set_attributes_changes_only_the_named_fields(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    edits.set_attributes(conn, "p", "G3", {"officer": "Li", "households": 7}, "alice", 0, CLOCK)
    g3 = grids(conn)["G3"]
    assert (g3.officer, g3.households, g3.population, g3.name) == ("Li", 7, 1000, "grid G3")
    with pytest.raises(PlanError, match="cannot set colour"):
        edits.set_attributes(conn, "p", "G3", {"colour": "red"}, "alice", 1, CLOCK)
    with pytest.raises(PlanError, match="a name is needed"):
        edits.set_attributes(conn, "p", "G3", {"name": " "}, "alice", 1, CLOCK)


def test_undo_and_redo_round_trip_a_split(conn: psycopg.Connection, plan: store.Plan) -> None:
    before = grids(conn)
    line = LineString([gridworld.lonlat(0.4, -0.1), gridworld.lonlat(0.4, 1.1)])
    edits.split(conn, "p", "G1", line, "alice", 0, CLOCK)
    split_map = grids(conn)
    undone = edits.undo(conn, "p", "alice", 1, CLOCK)
    assert (undone.revision, undone.changed) == (2, ("G1", "G1-2"))
    assert store.plan_changes(conn, store.get_plan(conn, "p")) == ([], [])
    assert grids(conn) == before
    redone = edits.redo(conn, "p", "alice", 2, CLOCK)
    assert redone.revision == 3
    assert grids(conn) == split_map
    with pytest.raises(PlanError, match="nothing to redo"):
        edits.redo(conn, "p", "alice", 3, CLOCK)
    edits.undo(conn, "p", "alice", 3, CLOCK)
    with pytest.raises(PlanError, match="nothing to undo"):
        edits.undo(conn, "p", "alice", 4, CLOCK)


def test_a_new_edit_after_undo_drops_the_redo(conn: psycopg.Connection, plan: store.Plan) -> None:
    edits.set_attributes(conn, "p", "G1", {"officer": "A"}, "alice", 0, CLOCK)
    edits.set_attributes(conn, "p", "G2", {"officer": "B"}, "alice", 1, CLOCK)
    edits.undo(conn, "p", "alice", 2, CLOCK)
    assert grids(conn)["G2"].officer == "officer G2"
    edits.set_attributes(conn, "p", "G3", {"officer": "C"}, "alice", 3, CLOCK)
    with pytest.raises(PlanError, match="nothing to redo"):
        edits.redo(conn, "p", "alice", 4, CLOCK)
    edits.undo(conn, "p", "alice", 4, CLOCK)
    edits.undo(conn, "p", "alice", 5, CLOCK)
    assert store.plan_changes(conn, store.get_plan(conn, "p")) == ([], [])


@pytest.mark.parametrize(
    ("offset_m", "problem"),
    [(0.4, ("overlap", ("G1", "G2"))), (-0.4, ("gap", ("C", "G1", "G2", "G3", "G4")))],
)
def test_without_snapping_the_same_edge_leaves_the_sliver(
    conn: psycopg.Connection,
    plan: store.Plan,
    offset_m: float,
    problem: tuple[str, tuple[str, ...]],
) -> None:
    east = CELL + offset_m * LON_M
    drawn = poly((0, 0), (east, 0), (east, 0.5 * CELL), (east, CELL), (0, CELL))
    result = edits.replace_geometry(conn, "p", "G1", drawn, "alice", 0, CLOCK, snap_m=0)
    assert problem in found(result)


def test_split_of_a_parent_gives_each_child_to_the_piece_covering_most_of_it(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    store.new_plan(conn, "city", None, "alice", CLOCK)
    line = LineString([gridworld.lonlat(0.8, -0.1), gridworld.lonlat(0.8, 2.1)])
    result = edits.split(conn, "city", "C", line, "alice", 0, CLOCK, new_codes=["CW"])
    assert result.changed == ("C", "CW", "G1", "G3")
    units = {u.code: u for u in store.proposed_units(conn, store.get_plan(conn, "city"))}
    assert {c: units[c].parent for c in ("G1", "G2", "G3", "G4")} == {
        "G1": "CW",
        "G2": "C",
        "G3": "CW",
        "G4": "C",
    }
    assert (units["CW"].level, units["CW"].parent) == ("community", "S")
    assert area(units["CW"].geom) == pytest.approx(area(cells(0, 0, 0.8, 2)), rel=1e-6)
