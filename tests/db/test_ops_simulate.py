"""The living demo's simulator: cases come in and move along (some late), devices go down and
come back, counters stay exact; it refuses any store but the demo city's."""

from __future__ import annotations

import random

import psycopg

from tests import gridworld
from tests.db.test_cli import twin
from tests.db.test_ops_cases import assert_verified
from tests.opsworld import H, clock_at, config
from twin.ops.simulate import Tally, is_demo, step


def devices(conn: psycopg.Connection) -> None:
    for i in range(8):
        p = gridworld.point(0.2 + 0.2 * i, 0.5)
        conn.execute("INSERT INTO sensor (code, kind, geom) VALUES (%s, 'smoke', %s)", [f"S{i}", p])
        conn.execute("INSERT INTO camera (code, name, geom) VALUES (%s, 'cam', %s)", [f"K{i}", p])


def test_a_simulated_hour_brings_cases_moves_them_and_keeps_counts_exact(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    devices(conn)
    rng, tally = random.Random(7), Tally()
    for second in range(90):
        step(conn, rng, clock_at(second * 40 * H / 3600), config(), 0.5, tally)
    assert tally.created > 20 and tally.moved > 20 and tally.devices > 5
    statuses = dict(conn.execute("SELECT status, count(*) FROM incident GROUP BY 1").fetchall())
    assert sum(statuses.values()) == tally.created
    assert statuses.get("closed", 0) > 0  # cases went all the way
    assert conn.execute("SELECT count(*) FROM incident WHERE grid_id IS NULL").fetchone() == (0,)
    down = conn.execute(
        "SELECT (SELECT count(*) FROM sensor WHERE status = 'alarm')"
        " + (SELECT count(*) FROM camera WHERE status = 'offline')"
    ).fetchone()
    assert down is not None and down[0] < 16  # raised and cleared, never everything down
    assert_verified(conn)


def test_the_simulator_refuses_a_store_that_is_not_the_demo(
    db_url: str, conn: psycopg.Connection, world: dict[str, int]
) -> None:
    assert not is_demo(conn)
    refused = twin("simulate", "--rate", "60", env={"TWIN_DATABASE_URL": db_url})
    assert refused.returncode == 2
    assert "the simulator runs only over `twin demo`'s" in refused.stderr
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (0,)
