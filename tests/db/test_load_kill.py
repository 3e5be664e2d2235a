"""Killing `twin load` (SIGKILL) at any moment leaves the store exactly as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pytest

from tests.gridworld import lonlat
from twin.catalog import load_catalog
from twin.db.verify import verify
from twin.ingest.bulk import insert_points
from twin.settings import Settings

LAYERS = load_catalog(Settings().layers_dir)
POINTS = 150_000  # a load of several seconds, so every kill below lands before its commit
GONE_WITHIN_S = 3.0  # from the kill until the server has rolled the load back
KEPT = 2_000  # cameras already there; the killed file updates them and adds the rest


def cameras(n: int, seed: int, status: str) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-0.5, 2.5, n), rng.uniform(-0.5, 2.5, n)  # some outside every grid
    return gpd.GeoDataFrame(
        {"code": [f"K{i:06d}" for i in range(n)], "name": "camera", "status": status},
        geometry=gpd.points_from_xy(*lonlat(x, y)),
        crs="EPSG:4326",
    )


def digest(conn: psycopg.Connection) -> tuple[object, ...]:
    """Everything a load may touch: the layer's rows, every count, the count columns."""
    rows = conn.execute(
        """SELECT (SELECT md5(coalesce(string_agg(c::text, '|' ORDER BY c.id), '')) FROM camera c),
                  (SELECT md5(string_agg(s::text, '|' ORDER BY s.grid_id)) FROM grid_stat s),
                  (SELECT count(*) FROM twin_stat_column),
                  (SELECT count(*) FROM twin_bulk_txn)"""
    ).fetchone()
    assert rows is not None
    return tuple(rows)


def other_backends(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchone()
    return int(row[0]) if row else -1


def wait_for_upsert(conn: psycopg.Connection, proc: subprocess.Popen[str]) -> None:
    """Until the load's final statement (the upsert into the layer) runs."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        found = conn.execute(
            "SELECT 1 FROM pg_stat_activity WHERE state = 'active'"
            " AND query LIKE '%%INSERT INTO \"camera\"%%'"  # (inside the counting WITH)
        ).fetchone()
        if found:
            return
        time.sleep(0.05)
    raise AssertionError("the load never reached its upsert")


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kill") / "cameras.gpkg"
    cameras(POINTS, 2, "fault").to_file(path)
    return path


# Killed during its upsert, the load's backend must notice at once (a PostgreSQL timer:
# client_connection_check_interval), so that case stays out of the shifted-clock runs.
@pytest.mark.parametrize(
    "moment", [0.2, 1.0, 2.0, pytest.param("upsert", marks=pytest.mark.pg_timers)]
)
def test_a_killed_load_leaves_the_store_as_it_was(
    conn: psycopg.Connection,
    world: dict[str, int],
    db_url: str,
    big_file: Path,
    moment: float | str,
) -> None:
    with conn.transaction():
        insert_points(conn, LAYERS["camera"], with_lonlat(cameras(KEPT, 1, "online")))
    before = digest(conn)
    proc = subprocess.Popen(
        [sys.executable, "-m", "twin.cli", "load", "camera", str(big_file)],
        env=os.environ | {"TWIN_DATABASE_URL": db_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        if moment == "upsert":
            wait_for_upsert(conn, proc)
        else:
            time.sleep(float(moment))
        assert proc.poll() is None, "the load ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(30)
    # Nothing of the load shows, and the server rolls its transaction back soon: the load
    # asked it to check on its client, so it does not run the upsert on to its end first
    # (which took 5 s here) holding the rows it wrote.
    killed = time.monotonic()
    assert digest(conn) == before
    while other_backends(conn) and time.monotonic() < killed + 30:
        time.sleep(0.1)
    assert other_backends(conn) == 0
    if moment == "upsert":
        assert time.monotonic() - killed < GONE_WITHIN_S
    assert digest(conn) == before
    assert verify(conn).problems == []


def with_lonlat(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """A frame as insert_points takes it: the layer's columns plus lon and lat."""
    return frame.drop(columns="geometry").assign(lon=frame.geometry.x, lat=frame.geometry.y)
