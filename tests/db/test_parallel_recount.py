"""A layer's recount (migration 030): its per-unit sums made by a parallel query, and the
counts the same as the trigger's."""

from __future__ import annotations

import psycopg

from tests.gridworld import add_incident
from twin.db.verify import verify

COUNTS = "SELECT grid_id, counts FROM grid_stat ORDER BY grid_id"


def test_a_recount_gives_every_unit_the_counts_the_trigger_kept(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    for n, (x, y) in enumerate([(0.5, 0.5), (1.5, 0.5), (0.5, 1.5), (9.0, 9.0), (1.5, 1.5)]):
        add_incident(conn, f"R{n}", x, y, status=("reported", "dispatched")[n % 2])
    kept = conn.execute(COUNTS).fetchall()
    with conn.transaction():  # twice in one transaction: the sums' table is made anew
        conn.execute("SELECT twin_stat_rebuild('incident')")
        conn.execute("SELECT twin_stat_rebuild('incident')")
    assert conn.execute(COUNTS).fetchall() == kept
    assert verify(conn).problems == []


def test_the_sums_of_a_recount_can_be_made_by_parallel_workers(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    # Parallel plans made free, so even the grid world's table gets one where it is allowed:
    # a count predicate that is not parallel safe would leave the recount to one process.
    with conn.transaction(force_rollback=True):
        for setting in (
            "parallel_setup_cost",
            "parallel_tuple_cost",
            "min_parallel_table_scan_size",
        ):
            conn.execute(f"SET LOCAL {setting} = 0")
        sums = conn.execute(
            "SELECT twin_stat_unit_sums('incident', 'SELECT 1 AS sign, * FROM incident')"
        ).fetchone()
        assert sums is not None
        plan = conn.execute("EXPLAIN CREATE TEMP TABLE probe AS " + sums[0]).fetchall()
    assert any("Gather" in line for (line,) in plan)
