"""The map-data cache and the snapshot reader under concurrent requests."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from tests import gridworld
from tests.gridworld import add_incident
from twin.app.mapdata import MapData
from twin.app.snapshot import Snapshots
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.db.connect import open_pool
from twin.settings import Settings
from twin.spatial.status import Thresholds

THREADS = 8
ASKS = 200  # viewports per thread: the cache bound is passed several times over


@pytest.fixture
def pool(db_url: str, conn: psycopg.Connection) -> Iterator[ConnectionPool]:
    gridworld.build(conn)
    add_incident(conn, "E0", 0.5, 0.5)
    pool = open_pool(db_url, THREADS)
    yield pool
    pool.close()


@pytest.fixture
def often() -> Iterator[None]:
    """Threads switch far more often than the default 5 ms, so races show."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def together(work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """work(i) in THREADS threads released at once; their results and errors."""
    start = threading.Barrier(THREADS)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        start.wait()
        try:
            results.append(work(i))
        except BaseException as exc:  # collected: the test fails on it
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results, errors


def test_concurrent_first_callers_wait_for_one_snapshot_read(pool: ConnectionPool) -> None:
    layers = load_catalog(Settings().layers_dir)
    snapshots = Snapshots(pool, Thresholds(), "Asia/Shanghai", max_age=60, terms=Terms.of(layers))
    results, errors = together(lambda _: snapshots.current())
    assert errors == []
    assert {s.version for s in results} == {1}
    assert len({id(s) for s in results}) == 1  # one read, shared
    assert snapshots.get(2) is None


def test_the_map_cache_serves_while_other_requests_clear_it(
    pool: ConnectionPool, often: None
) -> None:
    data = MapData(pool, load_catalog(Settings().layers_dir))
    whole = data.outlines("grid", None)
    codes = frozenset(gridworld.GRIDS)

    def work(i: int) -> int:
        # Every thread asks for viewports nobody asked before (each stored, the cache
        # starting over past its bound) and for the cached whole level between them. (On a
        # plain dict, a clear between one thread's store and its read raised KeyError.)
        for n in range(ASKS):
            box = (113.0 - 0.001 * (i * ASKS + n), 29.0, 115.0, 31.0)  # all hold the world
            assert data.codes_in("grid", box) == codes
            assert data.outlines("grid", None).etag == whole.etag
        return i

    results, errors = together(work)
    assert errors == []
    assert sorted(results) == list(range(THREADS))
