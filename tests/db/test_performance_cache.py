"""The performance page's cache: the same (period, grouping, data version) is answered from
memory; any write to the cases or the map, or a minute of the clock, reads it again; it stays
within its size."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from tests import gridworld
from tests.db.test_performance import AT, PERIOD, TERMS, do, new
from twin.activity import Clock
from twin.ops.sweep import sweep
from twin.performance.cache import EvaluationCache
from twin.performance.measures import Evaluation, Grouping
from twin.performance.period import Period


def get(
    cache: EvaluationCache,
    conn: psycopg.Connection,
    by: str = "grid",
    clock: Clock = AT,
    period: Period = PERIOD,
) -> Evaluation:
    return cache.get(conn, period, Grouping.parse(by, TERMS), clock, TERMS)


def test_the_same_evaluation_is_answered_from_memory_until_a_write(
    conn: psycopg.Connection,
) -> None:
    gridworld.build(conn)
    code = new(conn, 0, 0.5, 0.5, category="other")
    cache = EvaluationCache()
    first = get(cache, conn)
    assert get(cache, conn) is first and cache.computed == 1
    assert get(cache, conn, clock=Clock(AT.now + timedelta(seconds=59), AT.tz)) is first
    new(conn, 1, 1.5, 0.5, category="other")  # a new case
    second = get(cache, conn)
    assert cache.computed == 2 and second.total["cases"] == first.total["cases"] + 1
    do(conn, code, "dispatch", 2, department="roads")  # a stage, counters unmoved
    third = get(cache, conn)
    assert cache.computed == 3 and third.total["dispatch_on_time"] == 0.5
    assert second.total["dispatch_on_time"] == 0.0
    sweep(conn, AT)  # an escalation
    assert get(cache, conn).total["escalations"] > third.total["escalations"]
    assert cache.computed == 4
    conn.execute("UPDATE grid SET name = 'renamed' WHERE code = 'G1'")  # the map
    renamed = {r["unit"]: r["name"] for r in get(cache, conn).rows}
    assert renamed["G1"] == "renamed" and cache.computed == 5


def test_an_evaluation_older_than_a_minute_is_read_again(conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    new(conn, 0, 0.5, 0.5, category="other")
    cache = EvaluationCache()
    first = get(cache, conn)
    later = Clock(AT.now + timedelta(minutes=1), AT.tz)
    assert get(cache, conn, clock=later) is not first and cache.computed == 2


def test_each_period_and_grouping_is_its_own_entry_and_the_cache_stays_bounded(
    conn: psycopg.Connection,
) -> None:
    gridworld.build(conn)
    new(conn, 0, 0.5, 0.5, category="other")
    cache = EvaluationCache(size=2)
    by_grid, by_department = get(cache, conn), get(cache, conn, "department")
    assert by_grid.grouping.by == "grid" and by_department.grouping.by == "department"
    year, week_no, _ = AT.local.date().isocalendar()
    week = Period.parse(f"{year}-W{week_no:02d}")
    get(cache, conn, period=week)
    assert len(cache) == 2 and cache.computed == 3
    get(cache, conn, "department")  # still held
    assert cache.computed == 3
    get(cache, conn)  # the oldest, by grid, went
    assert cache.computed == 4 and len(cache) == 2
