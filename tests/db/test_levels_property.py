"""Property: whichever levels a city has, in whatever order they arrive (and go), every point
belongs to the finest unit covering it and grid_stat equals a recount from scratch."""

from __future__ import annotations

from typing import Any

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.db.test_status_property import apply, from_scratch, op, stored_counts
from tests.gridworld import GRIDS, square_wkt
from twin.ingest.grids import adopt_children

# A district over the whole world, a community over its west half only (the east has none),
# and the four grids; each level arrives whole, or not at all.
UNITS = {
    "district": [("D", square_wkt(0, 0, 2, 2))],
    "community": [("CW", square_wkt(0, 0, 1, 2))],
    "grid": [(code, square_wkt(*GRIDS[code])) for code in sorted(GRIDS)],
}
level_op = st.one_of(
    st.tuples(st.just("add_level"), st.sampled_from(sorted(UNITS))),
    st.tuples(st.just("drop_level"), st.sampled_from(sorted(UNITS))),
)


def add_level(conn: psycopg.Connection, level: str) -> None:
    """Insert a level under the finest unit above that covers each of its units (as the
    loader derives them), then let it adopt the finer units that stood above it."""
    if conn.execute("SELECT 1 FROM grid WHERE level = %s", [level]).fetchone():
        return
    for code, wkt in UNITS[level]:
        conn.execute(
            "INSERT INTO grid (code, name, level, parent_id, geom) SELECT %(code)s, %(code)s,"
            " %(level)s, (SELECT g.id FROM grid g JOIN grid_level l ON l.level = g.level"
            "  WHERE l.depth < (SELECT depth FROM grid_level WHERE level = %(level)s)"
            "    AND ST_Covers(g.geom, %(wkt)s::geometry) ORDER BY l.depth DESC LIMIT 1),"
            " %(wkt)s::geometry",
            {"code": code, "level": level, "wkt": wkt},
        )
    adopt_children(conn, level)


def drop_level(conn: psycopg.Connection, level: str) -> None:
    """Delete a level, its children moved up to its parent first."""
    conn.execute(
        "UPDATE grid c SET parent_id = p.parent_id FROM grid p"
        " WHERE c.parent_id = p.id AND p.level = %s",
        [level],
    )
    conn.execute("DELETE FROM grid WHERE level = %s", [level])


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.one_of(level_op, level_op, op), min_size=1, max_size=25))
def test_counts_hold_whatever_levels_the_city_has_and_in_any_order(
    conn: psycopg.Connection, steps: list[Any]
) -> None:
    with conn.transaction(force_rollback=True):
        for n, step in enumerate(steps):
            if step[0] == "add_level":
                add_level(conn, step[1])
            elif step[0] == "drop_level":
                drop_level(conn, step[1])
            else:
                apply(conn, step, n)
        expected, assigned = from_scratch(conn)
        for key, (stored, joined) in assigned.items():
            assert stored == joined, f"{key}: grid_id {stored}, spatial join says {joined}"
        assert stored_counts(conn) == expected
