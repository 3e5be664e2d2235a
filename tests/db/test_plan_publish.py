"""Publishing a plan: at once when its date has come, else at local midnight of that date by
activate; all or nothing; counts exact; rollback restores an earlier version."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from shapely.geometry import box

from tests import gridworld
from tests.gridworld import add_incident, lonlat
from twin.activity import Clock
from twin.db.connect import open_pool
from twin.db.verify import verify
from twin.plans import store
from twin.plans.model import UnitState
from twin.plans.publish import activate, publish, rollback, start_of
from twin.plans.scheduler import activate_due, start_scheduler
from twin.plans.store import PlanError
from twin.plans.versions import current_version, record_version, units_of_version, version_at

TZ = "Asia/Shanghai"


def cell_box(x0: float, y0: float, x1: float, y1: float):  # type: ignore[no-untyped-def]
    (a, b), (c, d) = lonlat(x0, y0), lonlat(x1, y1)
    return box(a, b, c, d)


@pytest.fixture
def clock(conn: psycopg.Connection) -> Clock:
    """A clock pinned at the database's now (versions so far took effect by then)."""
    row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    return Clock(row[0].astimezone(UTC), TZ)


@pytest.fixture
def city(conn: psycopg.Connection) -> None:
    """The grid world, recorded as version 2, with an incident in G2's west strip."""
    gridworld.build(conn)
    add_incident(conn, "E1", 1.2, 0.5)
    add_incident(conn, "E2", 1.7, 0.5)
    record_version(conn, "load", effective_at=None)


def approved_plan(conn: psycopg.Connection, clock: Clock, name: str = "strip") -> store.Plan:
    """A plan moving G2's west strip into G1, submitted and approved."""
    plan = store.new_plan(conn, name, "C", "alice", clock)
    units = {u.code: u for u in store.base_units(conn, plan)}
    strip = cell_box(1.0, 0.0, 1.5, 1.0)
    g1, g2 = units["G1"], units["G2"]
    store.write_changes(
        conn,
        plan,
        [
            UnitState("G1", g1.name, "grid", "C", g1.geom.union(strip), g1.officer, 1000, 400),
            UnitState("G2", g2.name, "grid", "C", g2.geom.difference(strip), g2.officer, 1000, 400),
        ],
        [],
        "alice",
        plan.revision,
        clock=clock,
    )
    plan = store.set_state(conn, store.get_plan(conn, name), "submitted", "alice", "", clock)
    return store.set_state(conn, plan, "approved", "bob", "ok", clock)


def unit_of(conn: psycopg.Connection, code: str) -> str | None:
    row = conn.execute(
        "SELECT g.code FROM incident i LEFT JOIN grid g ON g.id = i.grid_id WHERE i.code = %s",
        [code],
    ).fetchone()
    assert row is not None
    return row[0]


def test_a_plan_dated_today_is_in_force_at_once(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    approved_plan(conn, clock)
    done = publish(conn, "strip", clock.local.date(), "carol", clock)
    assert (done["state"], done["version"], done["updated"]) == ("published", 3, ["G1", "G2"])
    assert unit_of(conn, "E1") == "G1"
    assert verify(conn).problems == []
    assert store.get_plan(conn, "strip").state == "published"
    kind, plan_name = conn.execute(
        "SELECT kind, plan_name FROM grid_version WHERE version = 3"
    ).fetchone()
    assert (kind, plan_name) == ("plan", "strip")
    events = [
        (e["action"], e["actor"]) for e in store.plan_events(conn, store.get_plan(conn, "strip"))
    ]
    assert events[-1] == ("publish", "carol")


def test_only_an_approved_plan_is_published(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    store.new_plan(conn, "draft", None, "alice", clock)
    with pytest.raises(PlanError, match="plan 'draft' is draft: only an approved plan"):
        publish(conn, "draft", clock.local.date(), "carol", clock)
    with pytest.raises(PlanError, match="no plan named 'nope'"):
        publish(conn, "nope", clock.local.date(), "carol", clock)
    assert current_version(conn) == 2


def test_a_plan_dated_before_the_map_in_force_is_refused(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    approved_plan(conn, clock)
    yesterday = clock.local.date() - timedelta(days=1)
    with pytest.raises(PlanError, match=r"cannot take effect on .*: version 2, in force now"):
        publish(conn, "strip", yesterday, "carol", clock)
    assert store.get_plan(conn, "strip").state == "approved"
    assert unit_of(conn, "E1") == "G2"


def test_a_future_plan_waits_for_local_midnight_of_its_date(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    approved_plan(conn, clock)
    day = clock.local.date() + timedelta(days=3)
    midnight = start_of(day, TZ)
    done = publish(conn, "strip", day, "carol", clock)
    assert (done["state"], done["version"], done["effective_at"]) == ("scheduled", None, midnight)
    assert store.get_plan(conn, "strip").state == "scheduled"
    assert unit_of(conn, "E1") == "G2"
    assert activate(conn, clock) == []
    assert activate(conn, Clock(midnight - timedelta(microseconds=1), TZ)) == []
    assert current_version(conn) == 2
    assert activate(conn, Clock(midnight, TZ)) == ["strip"]
    assert activate(conn, Clock(midnight + timedelta(hours=1), TZ)) == []  # idempotent
    assert current_version(conn) == 3
    assert unit_of(conn, "E1") == "G1"
    assert verify(conn).problems == []
    assert version_at(conn, midnight - timedelta(microseconds=1)) == 2
    assert version_at(conn, midnight) == 3
    assert store.get_plan(conn, "strip").effective_date == day


def test_rollback_restores_an_earlier_version_whole(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    approved_plan(conn, clock)
    publish(conn, "strip", clock.local.date(), "carol", clock)
    g1 = next(u for u in units_of_version(conn, 3) if u.code == "G1")
    merge = store.new_plan(conn, "merge", "C", "alice", clock)
    g2 = next(u for u in units_of_version(conn, 3) if u.code == "G2")
    merged = UnitState("G1", g1.name, "grid", "C", g1.geom.union(g2.geom), g1.officer, 2000, 800)
    store.write_changes(conn, merge, [merged], ["G2"], "alice", merge.revision, clock=clock)
    merge = store.set_state(conn, store.get_plan(conn, "merge"), "submitted", "alice", "", clock)
    store.set_state(conn, merge, "approved", "bob", "", clock)
    publish(conn, "merge", clock.local.date(), "carol", clock)
    assert current_version(conn) == 4
    assert unit_of(conn, "E2") == "G1"
    done = rollback(conn, 2, "dave", clock)
    assert (done["plan"], done["version"]) == ("rollback-to-2", 5)
    assert sorted(done["inserted"] + done["updated"]) == ["G1", "G2"]
    restored = {u.code: u for u in units_of_version(conn, 5)}
    for unit in units_of_version(conn, 2):
        assert store.same_unit(restored.pop(unit.code), unit)
    assert restored == {}
    assert (unit_of(conn, "E1"), unit_of(conn, "E2")) == ("G2", "G2")
    assert verify(conn).problems == []
    kind = conn.execute("SELECT kind FROM grid_version WHERE version = 5").fetchone()
    assert kind == ("rollback",)
    assert store.get_plan(conn, "rollback-to-2").state == "published"
    again = rollback(conn, 4, "dave", clock)
    assert again["plan"] == "rollback-to-4"
    with pytest.raises(PlanError, match="version 6 is the map in force: nothing to roll back"):
        rollback(conn, 6, "dave", clock)


def test_a_stale_plan_is_rebased_when_the_map_moved_on_elsewhere(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    approved_plan(conn, clock)
    conn.execute("UPDATE grid SET officer = 'new' WHERE code = 'G4'")
    record_version(conn, "load", effective_at=None)
    done = publish(conn, "strip", clock.local.date(), "carol", clock)
    assert done["version"] == 4
    assert store.get_plan(conn, "strip").base_version == 3


def test_a_publish_that_fails_writes_nothing(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    approved_plan(conn, clock)
    # the map in force changed a unit the plan changes too: rebase is refused
    conn.execute("UPDATE grid SET name = 'renamed' WHERE code = 'G1'")
    record_version(conn, "load", effective_at=None)
    with pytest.raises(PlanError, match=r"cannot be rebased onto version 3.*G1"):
        publish(conn, "strip", clock.local.date(), "carol", clock)
    assert store.get_plan(conn, "strip").state == "approved"
    assert current_version(conn) == 3
    assert unit_of(conn, "E1") == "G2"


def test_midnight_is_local(conn: psycopg.Connection, clock: Clock) -> None:
    day = clock.local.date()
    assert start_of(day, TZ).astimezone(UTC) == datetime.combine(
        day, datetime.min.time(), UTC
    ) - timedelta(hours=8)


def test_the_scheduler_thread_puts_a_plan_in_force_after_its_midnight(
    conn: psycopg.Connection, db_url: str, city: None, clock: Clock
) -> None:
    approved_plan(conn, clock)
    day = clock.local.date() + timedelta(days=2)
    publish(conn, "strip", day, "carol", clock)
    midnight = start_of(day, TZ)
    pool = open_pool(db_url, 2)
    try:
        assert activate_due(pool, lambda: Clock(midnight - timedelta(seconds=1), TZ)) == []
        assert store.get_plan(conn, "strip").state == "scheduled"
        stop = threading.Event()
        thread = start_scheduler(pool, lambda: Clock(midnight + timedelta(seconds=5), TZ), stop)
        for _ in range(100):
            if store.get_plan(conn, "strip").state == "published":
                break
            stop.wait(0.1)
        stop.set()
        thread.join(5)
        assert not thread.is_alive()
    finally:
        pool.close()
    assert store.get_plan(conn, "strip").state == "published"
    events = store.plan_events(conn, store.get_plan(conn, "strip"))
    assert (events[-1]["action"], events[-1]["actor"]) == ("publish", "scheduler")
