"""A load never freezes the dashboard: store reads stay fast while a file loads, and keep
working once a new layer has added its columns to grid_stat."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import psycopg
import pytest

from tests.db.test_new_layer import HYDRANT
from tests.gridworld import lonlat
from twin.catalog import load_catalog
from twin.db.connect import DatabaseError
from twin.ingest.schema import create_point_table, table_exists
from twin.settings import Settings
from twin.store import fetch_grid_statuses, fetch_one_status

pytestmark = pytest.mark.wall_latency  # real-time bounds: make test runs them

POINTS = 50_000
READ_LIMIT_S = 1.0  # the bound on a dashboard read while any load runs


class Reader(threading.Thread):
    """Store reads in a loop on one connection, as a dashboard page makes them."""

    def __init__(self, db_url: str, grid_id: int) -> None:
        super().__init__(daemon=True)
        self.conn = psycopg.connect(db_url, autocommit=True)
        self.grid_id = grid_id
        self.stop = threading.Event()
        self.latencies: list[tuple[float, float]] = []  # (when it started, seconds)
        self.errors: list[BaseException] = []
        self.last: dict[str, int] = {}

    def read(self) -> None:
        started = time.monotonic()
        grids = fetch_grid_statuses(self.conn)
        one = fetch_one_status(self.conn, self.grid_id)
        self.latencies.append((started, time.monotonic() - started))
        self.last = {"columns": len(grids.columns), "hydrants": int(one.get("hydrants", -1))}

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.read()
            except BaseException as exc:  # recorded: the test fails on it
                self.errors.append(exc)
                return
            time.sleep(0.02)


@pytest.fixture
def hydrant_file(tmp_path: Path) -> Path:
    rng = np.random.default_rng(8)
    x, y = rng.uniform(0.05, 1.95, POINTS), rng.uniform(0.05, 1.95, POINTS)
    frame = gpd.GeoDataFrame(
        {
            "code": [f"H{i:06d}" for i in range(POINTS)],
            "status": np.where(rng.random(POINTS) < 0.1, "low_pressure", "ok"),
            "pressure_mpa": rng.uniform(0.05, 0.4, POINTS),
        },
        geometry=gpd.points_from_xy(*lonlat(x, y)),
        crs="EPSG:4326",
    )
    path = tmp_path / "hydrants.gpkg"
    frame.to_file(path)
    return path


def test_reads_stay_fast_while_a_new_layer_loads_and_work_after(
    conn: psycopg.Connection,
    world: dict[str, int],
    db_url: str,
    hydrant_file: Path,
    tmp_path: Path,
) -> None:
    layers_dir = tmp_path / "layers"
    shutil.copytree(Settings().layers_dir, layers_dir)
    (layers_dir / "hydrant.toml").write_text(HYDRANT, "utf-8")
    reader = Reader(db_url, world["G1"])
    for _ in range(6):  # enough runs for psycopg to prepare the statements server-side
        reader.read()
    columns_before = reader.last["columns"]
    reader.start()
    try:
        # `twin load` as a user runs it: its own process, as `twin serve` has its own.
        began = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "twin.cli", "load", "hydrant", str(hydrant_file)],
            env=os.environ | {"TWIN_DATABASE_URL": db_url, "TWIN_LAYERS_DIR": str(layers_dir)},
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        ended = time.monotonic()
        time.sleep(0.3)  # reads after the load, with the new columns in place
    finally:
        reader.stop.set()
        reader.join(10)
        reader.conn.close()
    assert done.returncode == 0, done.stderr
    assert f"({POINTS:,} new, 0 updated)" in done.stdout and "table created" in done.stdout
    assert reader.errors == []
    during = [s for t, s in reader.latencies if began <= t <= ended]
    print(
        f"`twin load` of {POINTS:,} points took {ended - began:.1f} s; "
        f"{len(during)} reads meanwhile, slowest {max(during):.3f} s"
    )
    assert len(during) >= 5
    assert max(s for _, s in reader.latencies) < READ_LIMIT_S
    after = [t for t, _ in reader.latencies if t > ended]
    assert after, "no read ran after the load"
    assert reader.last["columns"] == columns_before + 3  # hydrants, _status_ok, _low_pressure
    g1 = conn.execute("SELECT count(*) FROM hydrant WHERE grid_id = %s", [world["G1"]]).fetchone()
    assert g1 is not None and reader.last["hydrants"] == g1[0] > 0


def test_a_new_layer_waits_its_turn_without_stalling_reads(
    conn: psycopg.Connection, world: dict[str, int], db_url: str, tmp_path: Path
) -> None:
    # Another load's transaction holds grid_stat (its counts are written, not yet committed):
    # the new layer's ALTER may not queue every reader behind it while it waits.
    layers_dir = tmp_path / "layers"
    shutil.copytree(Settings().layers_dir, layers_dir)
    (layers_dir / "hydrant.toml").write_text(HYDRANT, "utf-8")
    hydrant = load_catalog(layers_dir)["hydrant"]
    reader = Reader(db_url, world["G1"])
    for _ in range(6):  # warm, as the dashboard's connections are: the bound is on reads
        reader.read()  # while the layer waits, not on a new connection's first catalog reads
    reader.latencies.clear()
    with psycopg.connect(db_url) as other:
        other.execute("UPDATE grid_stat SET incidents = incidents WHERE grid_id = 0")
        reader.start()
        try:
            began = time.monotonic()
            with pytest.raises(DatabaseError, match="stayed busy for 2 s"):
                create_point_table(conn, hydrant, patience=2.0)
            waited = time.monotonic() - began
        finally:
            reader.stop.set()
            reader.join(10)
            reader.conn.close()
        other.rollback()
    assert reader.errors == []
    assert waited >= 2.0
    assert len(reader.latencies) >= 10
    slowest = max(reader.latencies, key=lambda r: r[1])
    assert slowest[1] < READ_LIMIT_S, (
        f"a read took {slowest[1]:.3f} s, {slowest[0] - began:+.3f} s after the layer's first try"
    )
    assert not table_exists(conn, "hydrant")
    assert create_point_table(conn, hydrant)  # free again: created at the first try
