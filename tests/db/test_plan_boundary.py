"""Moving a shared boundary by redrawing one unit: the neighbours change with it, in one step."""

from __future__ import annotations

import psycopg
import pytest

from tests.db.test_plan_edits import CELL_M2, CLOCK, LAT_M, WORLD, area, assert_tiled, cells, grids
from twin.plans import boundary, edits, store
from twin.plans.store import PlanConflict, PlanError


@pytest.fixture
def plan(conn: psycopg.Connection, world: dict[str, int]) -> store.Plan:
    """A draft over community C."""
    return store.new_plan(conn, "p", "C", "alice", CLOCK)


def test_an_outline_pushed_into_a_neighbour_takes_that_area_from_it(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    # G1 pushed 0.3 cells east, its corners drawn half a metre off G2's edges (snapped onto them).
    result = boundary.move_edge(
        conn, "p", "G1", cells(0, 0, 1.3, 1 + 0.5 * LAT_M / 0.01), "alice", 0, CLOCK
    )
    units = grids(conn)
    assert result.revision == 1
    assert result.changed == ("G1", "G2")
    assert area(units["G1"].geom) == pytest.approx(1.3 * CELL_M2, rel=1e-6)
    assert area(units["G2"].geom) == pytest.approx(0.7 * CELL_M2, rel=1e-6)
    assert (units["G1"].households, units["G2"].households) == (520, 280)
    assert (units["G1"].population, units["G2"].population) == (1300, 700)
    assert_tiled(units, WORLD)


def test_an_outline_pulled_back_gives_the_area_to_the_neighbour_with_the_longest_edge(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    # The strip 0.7..1 borders G2 along a whole cell and G3 along 0.3 of one: G2 takes it.
    boundary.move_edge(conn, "p", "G1", cells(0, 0, 0.7, 1), "a", 0, CLOCK)
    units = grids(conn)
    assert area(units["G1"].geom) == pytest.approx(0.7 * CELL_M2, rel=1e-6)
    assert area(units["G2"].geom) == pytest.approx(1.3 * CELL_M2, rel=1e-6)
    assert units["G3"].geom.equals(store.base_units(conn, plan, "grid")[2].geom)
    assert_tiled(units, WORLD)


def test_the_move_is_one_undo_step_for_both_units(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    base = grids(conn)
    boundary.move_edge(conn, "p", "G1", cells(0, 0, 1.3, 1), "alice", 0, CLOCK)
    undone = edits.undo(conn, "p", "alice", 1, CLOCK)
    assert undone.changed == ("G1", "G2")
    assert {c: u.geom.equals(base[c].geom) for c, u in grids(conn).items()} == dict.fromkeys(
        base, True
    )


def test_an_outline_that_touches_no_neighbour_is_refused(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    with pytest.raises(PlanError, match="neither takes from nor gives to a neighbour"):
        boundary.move_edge(conn, "p", "G1", cells(0, 0, 1, 1), "alice", 0, CLOCK)


def test_an_outline_swallowing_a_neighbour_is_refused(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    with pytest.raises(PlanError, match="covers all of G2; merge them instead"):
        boundary.move_edge(conn, "p", "G1", cells(0, 0, 2, 1), "alice", 0, CLOCK)


def test_a_move_against_a_stale_revision_names_the_neighbour_changed_since(
    conn: psycopg.Connection, plan: store.Plan
) -> None:
    edits.set_attributes(conn, "p", "G2", {"officer": "B"}, "bob", 0, CLOCK)
    with pytest.raises(PlanConflict, match=r"G2 by bob \(set, revision 1\)"):
        boundary.move_edge(conn, "p", "G1", cells(0, 0, 1.3, 1), "carol", 0, CLOCK)
