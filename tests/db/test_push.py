"""Live push: one notification per writing transaction, and a refresh that re-reads only the
units that moved holds what a full re-read finds (property over generated writes)."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta
from typing import Any

import pandas as pd
import psycopg
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from tests import gridworld
from tests.conftest import fresh_database
from tests.gridworld import add_incident, point
from twin.activity import Clock, fetch_recent_counts
from twin.app.listener import listen
from twin.app.snapshot import Snapshot, read_delta, read_snapshot
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.changes import fetch_change_clock, fetch_changed_units
from twin.db.connect import open_pool
from twin.settings import Settings
from twin.spatial.status import Thresholds

LAYERS = load_catalog(Settings().layers_dir)
TERMS = Terms.of(LAYERS)
STATUSES = LAYERS["incident"].field("status").allowed
CAMERA_STATUSES = LAYERS["camera"].field("status").allowed


def notices(conn: psycopg.Connection) -> list[str]:
    """The notifications waiting on a listening connection (none within half a second)."""
    return [n.payload for n in conn.notifies(timeout=0.5)]


def test_a_transaction_of_many_writes_notifies_once_with_its_version(
    db_url: str, conn: psycopg.Connection, world: dict[str, int]
) -> None:
    with psycopg.connect(db_url, autocommit=True) as listener:
        listener.execute("LISTEN twin_change")
        before = fetch_change_clock(conn).version
        with conn.transaction():
            add_incident(conn, "A", 0.5, 0.5)
            add_incident(conn, "B", 1.5, 0.5)
            conn.execute("UPDATE incident SET status = 'dispatched' WHERE code = 'A'")
        after = fetch_change_clock(conn).version
        assert after == before + 1
        assert notices(listener) == [str(after)]
        moved = fetch_changed_units(conn, before)
        assert moved == {world[c] for c in ("G1", "G2", "C", "S", "D")}
        assert fetch_changed_units(conn, after) == set()


def test_a_write_that_moves_no_counter_notifies_nothing(
    db_url: str, conn: psycopg.Connection, world: dict[str, int]
) -> None:
    add_incident(conn, "A", 0.5, 0.5)
    with psycopg.connect(db_url, autocommit=True) as listener:
        listener.execute("LISTEN twin_change")
        conn.execute("UPDATE incident SET description = 'seen again' WHERE code = 'A'")
        assert notices(listener) == []


def test_a_rolled_back_write_notifies_nothing(
    db_url: str, conn: psycopg.Connection, world: dict[str, int]
) -> None:
    with psycopg.connect(db_url, autocommit=True) as listener:
        listener.execute("LISTEN twin_change")
        before = fetch_change_clock(conn)
        with conn.transaction(force_rollback=True):
            add_incident(conn, "A", 0.5, 0.5)
        assert notices(listener) == []
        assert fetch_change_clock(conn) == before


def test_a_unit_renamed_moves_the_map_version(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    conn.execute("UPDATE grid SET name = 'renamed' WHERE code = 'G1'")
    clock = fetch_change_clock(conn)
    assert clock.map_version == clock.version > 0


def test_the_listener_wakes_the_reader_at_each_write(
    db_url: str, conn: psycopg.Connection, world: dict[str, int]
) -> None:
    woke = threading.Semaphore(0)
    stop = threading.Event()
    listen(db_url, woke.release, stop.is_set)
    try:
        assert woke.acquire(timeout=5)  # once on connecting: it may have missed a change
        add_incident(conn, "A", 0.5, 0.5)
        assert woke.acquire(timeout=2)
    finally:
        stop.set()


# -- property: the refreshes that follow the change hold what a full re-read holds ----------

SPOTS = [(0.5, 0.5), (1.5, 0.5), (0.5, 1.5), (1.5, 1.5), (1.0, 1.0), (3.0, 3.0)]
spot = st.sampled_from(SPOTS)
op = st.one_of(
    st.tuples(st.just("insert"), spot, st.integers(1, 4), st.integers(-90, 90)),
    st.tuples(st.just("pair"), spot, spot),  # two cases in one transaction
    st.tuples(st.just("status"), st.integers(0, 30), st.sampled_from(STATUSES)),
    st.tuples(st.just("move"), st.integers(0, 30), spot),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(st.just("camera"), spot, st.integers(0, 2)),
    st.tuples(st.just("later"), st.integers(1, 60)),  # minutes pass: cases fall due
    st.tuples(st.just("rename"), st.sampled_from(["G1", "G2", "C"])),
    st.tuples(st.just("refresh")),
)


def pick(conn: psycopg.Connection, i: int) -> int | None:
    ids = [r[0] for r in conn.execute("SELECT id FROM incident ORDER BY id")]
    return ids[i % len(ids)] if ids else None


def write(conn: psycopg.Connection, step: tuple[Any, ...], n: int, clock: Clock) -> None:
    """Apply one generated write (due times relative to the pinned clock)."""
    kind = step[0]
    if kind == "insert":
        (x, y), severity, due = step[1], step[2], step[3]
        due_at = max(clock.now + timedelta(minutes=due), clock.now + timedelta(seconds=1))
        add_incident(conn, f"E{n}", x, y, severity=severity, due_at=due_at)
    elif kind == "pair":
        with conn.transaction():
            add_incident(conn, f"P{n}a", *step[1], severity=1)
            add_incident(conn, f"P{n}b", *step[2])
    elif kind in ("status", "move", "delete"):
        target = pick(conn, step[1])
        if target is None:
            return
        if kind == "status":
            try:
                with conn.transaction():
                    conn.execute("UPDATE incident SET status = %s WHERE id = %s", [step[2], target])
            except psycopg.errors.CheckViolation:
                pass  # a move the lifecycle refuses: nothing changed
        elif kind == "move":
            conn.execute("UPDATE incident SET geom = %s WHERE id = %s", [point(*step[2]), target])
        else:
            conn.execute("DELETE FROM incident WHERE id = %s", [target])
    elif kind == "camera":
        status = CAMERA_STATUSES[step[2]]
        conn.execute(
            "INSERT INTO camera (code, name, status, geom) VALUES (%s, 'c', %s, %s)",
            [f"K{n}", status, point(*step[1])],
        )
    elif kind == "rename":
        conn.execute("UPDATE grid SET name = name || '+' WHERE code = %s", [step[1]])


def same_units(held: Snapshot, fresh: Snapshot) -> None:
    for level in TERMS.levels:
        pd.testing.assert_frame_equal(
            held.levels[level].reset_index(drop=True),
            fresh.levels[level].reset_index(drop=True),
            check_dtype=False,
            check_index_type=False,
        )
    assert held.city == fresh.city
    pd.testing.assert_frame_equal(held.feed, fresh.feed, check_dtype=False)
    for key in ("new_today", "closed_today", "new_window", "closed_window", "new_yesterday"):
        assert held.activity[key] == fresh.activity[key], key


@pytest.fixture
def server(server_url: str, template_url: str) -> str:
    return server_url


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking over databases: minutes
)
@given(steps=st.lists(op, min_size=1, max_size=12))
def test_refreshes_of_what_moved_equal_a_full_reread(server: str, steps: list[Any]) -> None:
    with fresh_database(server) as url, psycopg.connect(url, autocommit=True) as conn:
        gridworld.build(conn)
        pool = open_pool(url, 2)
        try:
            row = conn.execute("SELECT now()").fetchone()
            assert row is not None
            clock = Clock(row[0].astimezone(UTC) + timedelta(seconds=1))
            first_day = clock.today
            ticks = iter(float(i) for i in range(1000))  # well within WINDOW_TTL
            held = read_snapshot(
                pool, 1, clock, Thresholds(), monotonic=lambda: next(ticks), terms=TERMS
            )
            deltas = 0
            for n, step in enumerate(steps, start=2):
                if step[0] == "later":
                    clock = Clock(clock.now + timedelta(minutes=step[1]))
                else:
                    write(conn, step, n, clock)
                got = read_delta(
                    pool, n, clock, Thresholds(), held, lambda: next(ticks), terms=TERMS
                )
                deltas += got is not None
                held = got or read_snapshot(
                    pool, n, clock, Thresholds(), held, lambda: next(ticks), terms=TERMS
                )
            fresh = read_snapshot(
                pool, 0, clock, Thresholds(), held, lambda: next(ticks), terms=TERMS
            )
            note(f"steps: {steps}")
            same_units(held, fresh)
            # and the rolled-up window counts agree with the SQL roll-up of the dashboard
            with pool.connection() as c:
                by_sql = fetch_recent_counts(c, held.start)  # type: ignore[arg-type]
            for level, frame in held.levels.items():
                want = [by_sql.get(level, {}).get(code, 0) for code in frame["code"]]
                assert frame["incidents_window"].tolist() == want
            if all(s[0] != "rename" for s in steps) and clock.today == first_day:
                assert deltas == len(steps)  # no full read was needed
        finally:
            pool.close()
