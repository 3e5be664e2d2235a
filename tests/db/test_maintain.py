"""`twin db maintain`: grid_stat rewritten when a bulk recount bloated it, and only then;
not one count changes."""

from __future__ import annotations

import psycopg

from tests import gridworld
from tests.gridworld import add_incident
from twin.db.maintain import grid_stat_bytes, maintain


def counts(conn: psycopg.Connection) -> list[tuple[object, ...]]:
    return conn.execute("SELECT * FROM grid_stat ORDER BY grid_id").fetchall()


def test_a_bloated_grid_stat_is_rewritten_with_the_same_counts(conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    for i in range(3):
        add_incident(conn, f"E{i}", 0.5, 0.5)
    with conn.transaction():  # as a bulk load's recount: nothing pruned before it commits
        for _ in range(12):
            conn.execute("SELECT twin_stat_rebuild(layer) FROM twin_point_layer")
    held = counts(conn)
    size, needed = grid_stat_bytes(conn)
    assert size > 2 * needed  # the recount left dead pages behind
    done = maintain(conn)
    assert done.rewritten and done.after_bytes < size and done.after_bytes <= 2 * needed
    assert counts(conn) == held
    again = maintain(conn)
    assert not again.rewritten and again.after_bytes == done.after_bytes


def test_grid_stat_keeps_room_for_hot_updates_and_is_vacuumed_early(
    conn: psycopg.Connection,
) -> None:
    row = conn.execute("SELECT reloptions FROM pg_class WHERE relname = 'grid_stat'").fetchone()
    assert row is not None
    options = dict(o.split("=") for o in row[0])
    assert options["fillfactor"] == "70"
    assert float(options["autovacuum_vacuum_scale_factor"]) <= 0.02
