"""The shared snapshot: today's figures always fresh, the slow 30-day ones carried over."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from tests import gridworld
from tests.gridworld import add_incident
from twin.activity import Clock
from twin.app.snapshot import WINDOW_TTL, Snapshots, read_snapshot
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.db.connect import open_pool
from twin.settings import Settings
from twin.spatial.status import Thresholds

TERMS = Terms.of(load_catalog(Settings().layers_dir))


@pytest.fixture
def pool(db_url: str, conn: psycopg.Connection) -> Iterator[ConnectionPool]:
    gridworld.build(conn)
    add_incident(conn, "E0", 0.5, 0.5)
    pool = open_pool(db_url, 2)
    yield pool
    pool.close()


def test_today_is_read_afresh_and_the_window_carried_over(
    pool: ConnectionPool, conn: psycopg.Connection
) -> None:
    clock = Clock.current()
    ticks = iter([5.0, 5.0 + WINDOW_TTL - 1, *[5.0 + WINDOW_TTL + 1] * 2])  # seconds since boot
    first = read_snapshot(pool, 1, clock, Thresholds(), monotonic=lambda: next(ticks), terms=TERMS)
    assert first.activity["new_today"] == 1 and int(first.trend.iloc[-1].sum()) == 1
    add_incident(conn, "TODAY", 0.5, 0.5)
    add_incident(conn, "PAST", 0.5, 0.5)
    past = clock.today - timedelta(days=3)
    conn.execute(
        "UPDATE incident SET reported_at = %s, due_at = %s WHERE code = 'PAST'", [past, past]
    )
    second = read_snapshot(pool, 2, clock, Thresholds(), first, lambda: next(ticks), terms=TERMS)
    assert second.activity["new_today"] == 2  # today's figures are always read
    assert second.activity["new_window"] == 2  # and move the window's count (PAST waits)
    assert int(second.trend.iloc[-1].sum()) == 2
    assert int(second.trend.to_numpy().sum()) == 2  # the past day is carried over as it was
    assert second.levels["grid"].set_index("code").loc["G1", "incidents_window"] == 3
    # WINDOW_TTL later (a machine booted five seconds before the first read): read again
    third = read_snapshot(pool, 3, clock, Thresholds(), second, lambda: next(ticks), terms=TERMS)
    assert int(third.trend.to_numpy().sum()) == 3
    assert third.activity["new_window"] == 3


def test_pages_get_the_last_snapshot_while_the_next_is_read(pool: ConnectionPool) -> None:
    snapshots = Snapshots(pool, Thresholds(), "Asia/Shanghai", max_age=0.2, terms=TERMS)
    first = snapshots.current()
    thread = snapshots.start()
    assert thread.daemon
    deadline = 50
    while snapshots.current().version == first.version and deadline:
        thread.join(0.1)
        deadline -= 1
    assert snapshots.current().version > first.version
    assert snapshots.get(first.version) is first  # kept for computing what changed


def test_a_first_page_read_while_the_reader_starts_is_not_read_again(
    pool: ConnectionPool,
) -> None:
    # A page's first read can take the reading lock before the reader's thread runs: the
    # reader must keep that snapshot, not read a second version at once (a page holding
    # version 1 would be sent version 2 of the same data).
    snapshots = Snapshots(pool, Thresholds(), "UTC", max_age=3600, terms=TERMS)
    kept: list[object] = []
    snapshots.on_new.append(kept.append)
    with snapshots._reading:  # what current() holds while the first page reads
        snapshots.start()
        page = snapshots._read_next()
    deadline = time.monotonic() + 10
    while not kept and time.monotonic() < deadline:
        time.sleep(0.01)
    assert kept == [page] and snapshots.version() == 1


def test_a_window_is_read_again_only_after_a_few_seconds_however_many_versions_come(
    pool: ConnectionPool,
) -> None:
    from dataclasses import replace

    from twin.app.windows import WindowCache
    from twin.window import TimeWindow

    cache = WindowCache(pool, TERMS.categories)
    first = read_snapshot(pool, 1, Clock.current(), Thresholds(), terms=TERMS)
    window = TimeWindow.parse("24h")
    figures = cache.of(first, window)
    # Live push: a new version a second; the other window's figures are not read per version.
    assert cache.of(replace(first, version=2), window) is figures
    assert cache.held(replace(first, version=2), window) is figures


def test_a_stream_of_changes_is_read_once_per_gap_not_back_to_back(pool: ConnectionPool) -> None:
    # 50 cases a second notify 50 times a second: the reader must leave the interpreter to
    # the requests between reads (one read here takes a few milliseconds).
    snapshots = Snapshots(pool, Thresholds(), "UTC", max_age=60, terms=TERMS, min_gap=0.5)
    snapshots.start()
    end = time.monotonic() + 2.0
    while time.monotonic() < end:
        snapshots.changed()
        time.sleep(0.005)
    time.sleep(0.6)  # the last notifications' read
    assert 3 <= snapshots.version() <= 6  # (2 s / 0.5 s) + the first, + one for slack
