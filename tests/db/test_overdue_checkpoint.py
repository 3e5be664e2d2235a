"""Overdue from grid_stat and a moving checkpoint: equal to a plain recount at any moment,
as the checkpoint moves and cases are written, and read without walking the overdue cases."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import psycopg
import pytest

from tests import gridworld
from twin.activity import Clock
from twin.db.queries import query
from twin.ops.sweep import sweep
from twin.spatial.overdue import advance_overdue_checkpoint, fetch_overdue_checkpoint
from twin.store import fetch_grid_statuses, fetch_one_status, fetch_unassigned

LEVELS = ("grid", "community", "district")
# The plain recount: open and due before the moment, per unit through the closure.
RECOUNT = """
SELECT g.code, count(i.id) FILTER (WHERE i.status IN ('reported', 'dispatched', 'in_progress',
                                   'escalated') AND i.due_at < %(at)s)
FROM grid g
LEFT JOIN grid_ancestor a ON a.ancestor_id = g.id
LEFT JOIN incident i ON i.grid_id = a.grid_id
WHERE g.level = %(level)s
GROUP BY g.code
"""
UNASSIGNED = """
SELECT count(*) FROM incident WHERE grid_id IS NULL AND due_at < %(at)s
  AND status IN ('reported', 'dispatched', 'in_progress', 'escalated')
"""


def base_time(conn: psycopg.Connection) -> datetime:
    row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    return row[0]


def add_case(
    conn: psycopg.Connection, code: str, x: float, y: float, due: datetime, status: str = "reported"
) -> None:
    closed = status == "closed"
    conn.execute(
        "INSERT INTO incident (code, category, severity, source, status, reported_at, due_at,"
        " resolved_at, closed_at, geom) VALUES (%s, 'sanitation', 3, 'patrol', %s, %s, %s,"
        " %s, %s, %s)",
        [
            code,
            status,
            due - timedelta(days=10),
            due,
            due if closed else None,
            due if closed else None,
            gridworld.point(x, y),
        ],
    )


def assert_status_is_the_recount(conn: psycopg.Connection, at: datetime) -> None:
    for level in LEVELS:
        frame = fetch_grid_statuses(conn, level, at=at)
        got = dict(zip(frame["code"], frame["overdue"].tolist(), strict=True))
        want = dict(conn.execute(RECOUNT, {"at": at, "level": level}).fetchall())
        assert got == want, (level, at)
    row = conn.execute(UNASSIGNED, {"at": at}).fetchone()
    assert fetch_unassigned(conn, at)["overdue"] == (row[0] if row else None), at


@pytest.fixture
def city(conn: psycopg.Connection) -> tuple[dict[str, int], datetime]:
    ids = gridworld.build(conn)
    t0 = base_time(conn)
    spots = [(0.5, 0.5), (1.5, 0.5), (0.5, 1.5), (1.2, 1.2), (1.0, 0.5), (1.5, 1.5), (5.0, 5.0)]
    for n, hours in enumerate((-30, -5, -1, 0.5, 2, 6, 30)):
        for k, (x, y) in enumerate(spots):
            add_case(conn, f"K{n}-{k}", x, y, t0 + timedelta(hours=hours + k / 10))
    add_case(conn, "SHUT", 0.5, 0.5, t0 - timedelta(hours=3), status="closed")
    return ids, t0


def moments(t0: datetime) -> list[datetime]:
    return [t0 + timedelta(hours=h) for h in (-48, -3, 0, 1, 2.05, 4, 12, 72)]


def test_status_is_the_recount_at_every_moment_as_the_checkpoint_moves(
    conn: psycopg.Connection, city: tuple[dict[str, int], datetime]
) -> None:
    _, t0 = city
    for step in (None, 0.25, 1.0, 5.5, 48.0):  # from the migration's moment, before t0
        if step is not None:
            assert advance_overdue_checkpoint(conn, t0 + timedelta(hours=step))
            assert fetch_overdue_checkpoint(conn) == t0 + timedelta(hours=step)
        for at in moments(t0):
            assert_status_is_the_recount(conn, at)


def test_writes_after_the_checkpoint_moved_keep_status_the_recount(
    conn: psycopg.Connection, city: tuple[dict[str, int], datetime]
) -> None:
    ids, t0 = city
    assert advance_overdue_checkpoint(conn, t0 + timedelta(hours=3))
    add_case(conn, "NEW-EARLY", 0.5, 0.5, t0 - timedelta(hours=7))  # due before it
    add_case(conn, "NEW-LATE", 1.5, 0.5, t0 + timedelta(hours=7))  # due after it
    for status in ("dispatched", "in_progress", "resolved"):  # closed: no longer overdue
        conn.execute("UPDATE incident SET status = %s WHERE code = 'K0-0'", [status])
    conn.execute("UPDATE incident SET due_at = due_at + interval '9 hours' WHERE code = 'K2-1'")
    conn.execute("UPDATE incident SET geom = %s WHERE code = 'K1-2'", [gridworld.point(9, 9)])
    conn.execute("DELETE FROM incident WHERE code = 'K3-3'")
    conn.execute("DELETE FROM grid WHERE code = 'G3'")  # its cases go to the community
    for at in moments(t0):
        assert_status_is_the_recount(conn, at)
    assert advance_overdue_checkpoint(conn, t0 + timedelta(hours=20))
    for at in moments(t0):
        assert_status_is_the_recount(conn, at)
    assert (
        fetch_one_status(conn, ids["D"], t0)["overdue"]
        == fetch_grid_statuses(conn, "district", at=t0)["overdue"].tolist()[0]
    )


def test_a_truncate_and_a_reload_keep_status_the_recount(
    conn: psycopg.Connection, city: tuple[dict[str, int], datetime]
) -> None:
    _, t0 = city
    assert advance_overdue_checkpoint(conn, t0 + timedelta(hours=3))
    conn.execute("TRUNCATE incident")
    assert_status_is_the_recount(conn, t0 + timedelta(hours=4))
    add_case(conn, "AGAIN", 0.5, 0.5, t0 - timedelta(hours=2))
    for at in moments(t0):
        assert_status_is_the_recount(conn, at)


def test_the_checkpoint_only_moves_forward(
    conn: psycopg.Connection, city: tuple[dict[str, int], datetime]
) -> None:
    _, t0 = city
    assert advance_overdue_checkpoint(conn, t0 + timedelta(hours=1))
    assert not advance_overdue_checkpoint(conn, t0)
    assert fetch_overdue_checkpoint(conn) == t0 + timedelta(hours=1)
    assert_status_is_the_recount(conn, t0)


def test_the_sweep_moves_the_checkpoint_to_its_clock(
    conn: psycopg.Connection, city: tuple[dict[str, int], datetime]
) -> None:
    _, t0 = city
    later = t0 + timedelta(hours=8)
    sweep(conn, Clock(later))
    assert fetch_overdue_checkpoint(conn) == later
    for at in moments(t0):
        assert_status_is_the_recount(conn, at)


def test_a_writer_holding_the_checkpoint_makes_the_advance_wait_for_the_next_call(
    conn: psycopg.Connection, db_url: str, city: tuple[dict[str, int], datetime]
) -> None:
    _, t0 = city
    with psycopg.connect(db_url) as writer:
        add_case(writer, "OPEN-TXN", 0.5, 0.5, t0 - timedelta(hours=1))  # not committed yet
        assert not advance_overdue_checkpoint(conn, t0 + timedelta(hours=2))
        writer.commit()
    assert advance_overdue_checkpoint(conn, t0 + timedelta(hours=2))
    for at in moments(t0):
        assert_status_is_the_recount(conn, at)


def test_the_status_read_walks_only_the_cases_due_since_the_checkpoint(
    conn: psycopg.Connection, city: tuple[dict[str, int], datetime]
) -> None:
    _, t0 = city
    assert advance_overdue_checkpoint(conn, t0 + timedelta(hours=1))
    params = {"level": "grid", "parent_id": None, "at": t0 + timedelta(hours=1)}
    explain = "EXPLAIN (ANALYZE, FORMAT JSON) " + query("level_counts")
    plan = conn.execute(explain, params).fetchone()
    assert plan is not None
    read = _incident_rows(plan[0] if isinstance(plan[0], list) else json.loads(plan[0]))
    assert read == 0  # 27 cases are overdue then; none is due between checkpoint and moment


def _incident_rows(plan: list[dict[str, object]]) -> int:
    """Rows the plan's scans of incident returned, summed over their loops."""

    def walk(node: dict[str, object]) -> int:
        own = 0
        if node.get("Relation Name") == "incident":
            own = int(node["Actual Rows"]) * int(node["Actual Loops"])  # type: ignore[call-overload]
        return own + sum(walk(c) for c in node.get("Plans", []))  # type: ignore[attr-defined]

    return walk(plan[0]["Plan"])  # type: ignore[arg-type]
