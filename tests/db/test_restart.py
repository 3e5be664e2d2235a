"""PostgreSQL restarts under a serving dashboard: the pool replaces the dropped connections
and pages work again within seconds, with no restart of `twin serve`."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests import gridworld
from twin.app.launch import twin_serve
from twin.db.cluster import Cluster
from twin.db.connect import open_pool
from twin.db.migrate import migrate
from twin.store import fetch_grid_statuses

BACK_WITHIN_S = 5.0


@pytest.fixture
def own_cluster(reachable_tmp: Path) -> Iterator[tuple[Cluster, str]]:
    """A cluster of this test's own (the session's is shared and must not stop), migrated,
    holding the grid world; with its URL."""
    cluster = Cluster(reachable_tmp / "pg")
    url = cluster.start().url
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
            gridworld.build(conn)
        yield cluster, url
    finally:
        cluster.stop()


def restart(cluster: Cluster) -> float:
    """Stop and start the server; the monotonic time it was back."""
    assert cluster.stop()
    cluster.start()
    return time.monotonic()


def test_the_embedded_cluster_keeps_its_port_across_stop_and_start(
    own_cluster: tuple[Cluster, str],
) -> None:
    cluster, url = own_cluster
    before = cluster.status()
    conn = psycopg.connect(url, autocommit=True)  # dropped by the server: TIME_WAIT on its port
    conn.execute("SELECT 1")
    restart(cluster)
    conn.close()
    after = cluster.status()
    assert before is not None and after is not None
    assert after.port == before.port and after.url == url


def test_the_pool_replaces_connections_a_restart_dropped(
    own_cluster: tuple[Cluster, str],
) -> None:
    cluster, url = own_cluster
    pool = open_pool(url, 4)
    try:
        with pool.connection() as a, pool.connection() as b:  # two connections to drop
            assert len(fetch_grid_statuses(a)) == len(fetch_grid_statuses(b)) == 4
        back = restart(cluster)
        # The very first reads after the restart succeed: no request gets a dead connection.
        for _ in range(3):
            with pool.connection(timeout=BACK_WITHIN_S) as conn:
                assert len(fetch_grid_statuses(conn)) == 4
        assert time.monotonic() - back < BACK_WITHIN_S
    finally:
        pool.close()


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_pages_work_again_soon_after_the_server_returns(
    own_cluster: tuple[Cluster, str], reachable_tmp: Path
) -> None:
    cluster, url = own_cluster
    log = reachable_tmp / "serve.log"
    with twin_serve(url, log) as base:
        page = base + "/twin/outlines/grid.pbf"
        for _ in range(3):
            assert get(page) == 200
        back = restart(cluster)
        answers = [get(page) for _ in range(5)]
        took = time.monotonic() - back
    assert answers == [200] * 5, log.read_text()[-2000:]
    assert took < BACK_WITHIN_S
    print(f"5 requests answered {took:.2f} s after the server returned")
