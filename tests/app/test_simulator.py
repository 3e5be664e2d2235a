"""The living demo's simulator against a served app, over HTTP: cases come in with
idempotency keys and move along, devices go down and come back through the batch endpoints,
counters stay exact; a server that fails or is gone stops a step, never the simulator."""

from __future__ import annotations

import random
import threading

import psycopg
from dash import Dash

from tests import gridworld
from tests.app.live import served
from tests.db.test_ops_cases import assert_verified
from tests.opsworld import config
from twin.api.client import ApiClient
from twin.db.cluster import free_port
from twin.db.connect import open_pool
from twin.ops.simulate import Run, Tally, run, step


def devices(conn: psycopg.Connection) -> None:
    for i in range(8):
        p = gridworld.point(0.2 + 0.2 * i, 0.5)
        conn.execute("INSERT INTO sensor (code, kind, geom) VALUES (%s, 'smoke', %s)", [f"S{i}", p])
        conn.execute("INSERT INTO camera (code, name, geom) VALUES (%s, 'cam', %s)", [f"K{i}", p])


def down(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM sensor WHERE status = 'alarm')"
        " + (SELECT count(*) FROM camera WHERE status = 'offline')"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_simulated_seconds_write_through_the_api_and_keep_counts_exact(
    app: Dash, conn: psycopg.Connection
) -> None:
    devices(conn)
    before = conn.execute("SELECT count(*) FROM incident").fetchone()
    rng, tally = random.Random(7), Tally()
    with served(app) as url:
        sim = Run(ApiClient(url))
        for _ in range(60):
            step(conn, sim, rng, config(), 0.5, tally)
    assert tally.created > 15 and tally.moved > 15 and tally.devices > 5
    made = conn.execute("SELECT count(*) FROM incident").fetchone()
    assert before is not None and made == (before[0] + tally.created,)
    # every create carried its own idempotency key, recorded by the API's create
    keys = conn.execute(
        "SELECT count(*) FROM incident_key WHERE key LIKE %s", [f"{sim.prefix}-%"]
    ).fetchone()
    assert keys == (tally.created,)
    moved = conn.execute(
        "SELECT count(*) FROM incident_event WHERE actor = 'simulator'"
        " AND action IN ('dispatch', 'start', 'resolve', 'close')"
    ).fetchone()
    assert moved == (tally.moved,)
    statuses = dict(conn.execute("SELECT status, count(*) FROM incident GROUP BY 1").fetchall())
    assert statuses.get("closed", 0) > 0  # cases went all the way
    assert 0 < down(conn) < 16  # raised and cleared, never everything down
    assert conn.execute("SELECT count(*) FROM incident WHERE grid_id IS NULL").fetchone() == (0,)
    assert_verified(conn)


def test_a_retried_create_makes_no_second_case(app: Dash, conn: psycopg.Connection) -> None:
    with served(app) as url:
        api = ApiClient(url)
        case = {"category": "sanitation", "severity": 3, "source": "patrol"}
        case |= dict(zip(("lon", "lat"), gridworld.lonlat(0.5, 0.5), strict=True))
        first, again = api.create_case(case, "sim-x-1"), api.create_case(case, "sim-x-1")
    assert (first.status, again.status) == (201, 200)
    assert first.body["case"]["code"] == again.body["case"]["code"]
    assert conn.execute("SELECT count(*) FROM incident_key").fetchone() == (1,)


def test_without_a_server_each_step_fails_and_the_simulator_goes_on(
    db_url: str, conn: psycopg.Connection
) -> None:
    gridworld.build(conn)
    pool = open_pool(db_url, 1)
    stop, tally = threading.Event(), Tally()
    gone = ApiClient(f"http://127.0.0.1:{free_port()}", timeout=2)
    worker = threading.Thread(target=run, args=(pool, gone, 600, config(), stop, 1, tally))
    try:
        worker.start()
        worker.join(2.5)  # two steps, each failing to connect
        assert worker.is_alive()
    finally:
        stop.set()
        worker.join(10)
        pool.close()
    assert tally.created == 0
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (0,)
