"""A grid load, and the server after a plan publish, leave the unit index built and in its
file: the next bulk assignment, in a new process, reads it instead of building it, and still
places every point as PostGIS does."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import psycopg
from psycopg_pool import ConnectionPool

from tests import files, gridworld
from tests.db.test_assign_memory import assert_same_as_postgis, stage
from tests.db.test_plan_publish import approved_plan
from tests.db.test_unit_index_cache import POINTS, builds  # noqa: F401 (a fixture)
from twin.activity import Clock
from twin.catalog import Layer
from twin.ingest.load import load_file
from twin.plans.publish import publish
from twin.plans.versions import record_version
from twin.spatial import assign_memory
from twin.spatial.index_ready import ready_in_background


def assert_read_not_built(conn: psycopg.Connection, built: list[str]) -> None:
    """A new process's assignment places the points as PostGIS does, building nothing."""
    before = list(built)
    assign_memory.forget_unit_indexes()  # as a new process starts
    with conn.transaction(force_rollback=True):
        stage(conn, POINTS)
        assert_same_as_postgis(conn)
    assert built == before


def test_a_grid_load_leaves_the_index_ready_for_the_next_process(
    conn: psycopg.Connection,
    builds: list[str],  # noqa: F811 (the fixture)
    layers: dict[str, Layer],
    tmp_path: Path,
) -> None:
    gridworld.build(conn)
    conn.execute("DELETE FROM grid WHERE level = 'grid'")
    assert builds == []
    load_file(
        conn,
        layers["grid"],
        files.write(files.grid_frame().drop(columns="parent_code"), tmp_path / "g.geojson"),
    )
    assert builds == ["grid"] and len(list(tmp_path.glob("units-*.npz"))) == 1
    assert_read_not_built(conn, builds)


def test_a_plan_publish_leaves_the_index_ready_for_the_next_process(
    conn: psycopg.Connection,
    db_url: str,
    builds: list[str],  # noqa: F811
) -> None:
    gridworld.build(conn)
    record_version(conn, "load", effective_at=None)
    row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    clock = Clock(row[0].astimezone(UTC), "Asia/Shanghai")
    approved_plan(conn, clock)
    assert builds == []
    publish(conn, "strip", clock.local.date(), "carol", clock)
    assert builds == []  # the publish answers without building it
    with ConnectionPool(db_url, min_size=1, max_size=1) as pool:
        ready_in_background(pool).join(timeout=60)  # as the server's routes do after it
    assert builds == ["grid"]
    assert_read_not_built(conn, builds)
