"""The incident lifecycle: moves only along DOMAIN.md's edges, each stamping its stage time."""

from __future__ import annotations

import psycopg
import pytest

from tests import gridworld
from tests.gridworld import add_incident


@pytest.fixture(autouse=True)
def world(conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    add_incident(conn, "E1", 0.5, 0.5)


def row(conn: psycopg.Connection) -> dict[str, object]:
    cur = conn.execute(
        "SELECT status, dispatched_at, started_at, escalated_at, resolved_at, closed_at "
        "FROM incident WHERE code = 'E1'"
    )
    names = [d.name for d in cur.description or []]
    values = cur.fetchone()
    assert values is not None
    return dict(zip(names, values, strict=True))


def move(conn: psycopg.Connection, status: str) -> None:
    conn.execute("UPDATE incident SET status = %s WHERE code = 'E1'", [status])


def test_the_full_path_stamps_every_stage(conn: psycopg.Connection) -> None:
    for status in ("dispatched", "in_progress", "escalated", "resolved", "closed"):
        move(conn, status)
    r = row(conn)
    assert r["status"] == "closed"
    assert all(
        r[k] is not None
        for k in ("dispatched_at", "started_at", "escalated_at", "resolved_at", "closed_at")
    )


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), "closed"),  # reported cannot jump to closed
        ((), "in_progress"),  # nor skip dispatch
        (("dispatched",), "reported"),  # no way back to reported
        (("dispatched", "in_progress", "resolved", "closed"), "in_progress"),  # closed is final
        (("dispatched", "in_progress", "resolved"), "escalated"),  # a resolved case is not overdue
    ],
)
def test_illegal_transition_is_refused_and_changes_nothing(
    conn: psycopg.Connection, path: tuple[str, ...], illegal: str
) -> None:
    for status in path:
        move(conn, status)
    before = row(conn)
    with pytest.raises(psycopg.errors.CheckViolation) as err:
        move(conn, illegal)
    current = path[-1] if path else "reported"
    assert f"incident E1: status cannot move from {current} to {illegal}" in str(err.value)
    assert err.value.diag.message_hint and err.value.diag.message_hint.startswith(f"from {current}")
    assert row(conn) == before


def test_rework_reopens_a_resolved_case(conn: psycopg.Connection) -> None:
    for status in ("dispatched", "in_progress", "resolved", "in_progress"):
        move(conn, status)
    r = row(conn)
    assert r["status"] == "in_progress" and r["resolved_at"] is None


def test_a_refused_move_in_a_batch_refuses_the_whole_statement(conn: psycopg.Connection) -> None:
    add_incident(conn, "E2", 0.5, 0.5)
    conn.execute("UPDATE incident SET status = 'dispatched' WHERE code = 'E2'")
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE incident SET status = 'in_progress'")  # legal for E2, not for E1
    statuses = conn.execute("SELECT code, status FROM incident ORDER BY code").fetchall()
    assert statuses == [("E1", "reported"), ("E2", "dispatched")]
