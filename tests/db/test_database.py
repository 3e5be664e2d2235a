"""Migrations, the embedded cluster and connection errors."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from twin.db.cluster import Cluster, ClusterError, check_postgis
from twin.db.connect import DatabaseError, connect
from twin.db.migrate import migrate, migrations


def test_two_processes_migrating_at_once_take_turns(server_url: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS twin_race")
        conn.execute("CREATE DATABASE twin_race")
    url = psycopg.conninfo.make_conninfo(server_url, dbname="twin_race")

    def run() -> list[str]:
        with psycopg.connect(url) as conn:
            return migrate(conn)

    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda _: run(), range(2)))
        assert sorted(len(r) for r in results) == [0, len(migrations())]
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE twin_race WITH (FORCE)")


def test_the_database_clock_agrees_with_ours(conn: psycopg.Connection) -> None:
    """Under `make test-clocks` the embedded server must run on the same shifted clock."""
    (db_now,) = conn.execute("SELECT now()").fetchone() or (None,)
    assert abs((db_now - datetime.now(UTC)).total_seconds()) < 30


def test_migrations_are_recorded_in_order(conn: psycopg.Connection) -> None:
    recorded = [r[0] for r in conn.execute("SELECT version FROM twin_migration ORDER BY 1")]
    assert recorded == [m.version for m in migrations()]
    assert recorded == sorted(set(recorded))


def test_a_fresh_database_migrates_from_nothing(server_url: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS twin_fresh")
        conn.execute("CREATE DATABASE twin_fresh")
    url = psycopg.conninfo.make_conninfo(server_url, dbname="twin_fresh")
    try:
        with psycopg.connect(url) as conn:
            assert len(migrate(conn)) == len(migrations())
        with psycopg.connect(url) as conn:
            assert migrate(conn) == []
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE twin_fresh WITH (FORCE)")


def test_embedded_cluster_starts_is_found_by_a_second_process_and_stops(
    reachable_tmp: Path,
) -> None:
    pgdata = reachable_tmp / "pg"
    cluster = Cluster(pgdata)
    assert cluster.status() is None
    running = cluster.start()
    try:
        env = os.environ | {"TWIN_PGDATA": str(pgdata)}
        env.pop("TWIN_DATABASE_URL", None)
        other = subprocess.run(
            [sys.executable, "-m", "twin.cli", "db", "status"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert other.returncode == 0, other.stderr
        assert f"running on 127.0.0.1:{running.port}, pid {running.pid}" in other.stdout
        # A second start finds the running server rather than starting another.
        again = subprocess.run(
            [sys.executable, "-m", "twin.cli", "db", "start"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert f"127.0.0.1:{running.port}" in again.stdout
        with connect(running.url) as conn:
            postgis = "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'"
            assert conn.execute(postgis).fetchone() == (1,)
    finally:
        assert cluster.stop() is True
    assert cluster.status() is None
    assert cluster.stop() is False


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the cluster as another user")
def test_unreachable_data_directory_is_a_clear_error(tmp_path: Path) -> None:
    os.chmod(tmp_path, 0o700)
    with pytest.raises(ClusterError, match="postgres user cannot reach"):
        Cluster(tmp_path / "pg").start()


def test_missing_postgis_names_the_package(tmp_path: Path) -> None:
    fake = tmp_path / "lib" / "postgresql" / "99" / "bin"
    fake.mkdir(parents=True)
    with pytest.raises(ClusterError, match=r"apt-get install postgresql-99-postgis-3"):
        check_postgis(fake)


def test_unreachable_url_is_a_clear_error() -> None:
    with pytest.raises(DatabaseError, match=r"cannot reach the database at .*password=\*\*\*"):
        connect("postgresql://u:secret@127.0.0.1:1/nothing", connect_timeout=2)
