"""Overdue is open and past due, judged when read: it flips as time passes with no write."""

from __future__ import annotations

import time
from datetime import timedelta

import psycopg

from tests import gridworld
from tests.gridworld import add_incident
from twin.store import fetch_grid_detail, fetch_grid_statuses


def overdue(conn: psycopg.Connection, level: str = "grid", **kw: object) -> dict[str, int]:
    frame = fetch_grid_statuses(conn, level, **kw)  # type: ignore[arg-type]
    return dict(zip(frame["code"], frame["overdue"], strict=True))


def test_overdue_flips_at_a_later_moment_without_a_write(conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    add_incident(conn, "E1", 0.5, 0.5)
    conn.execute("UPDATE incident SET due_at = now() + interval '1 hour'")
    now = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
    assert overdue(conn, at=now)["G1"] == 0
    later = now + timedelta(hours=2)
    assert overdue(conn, at=later)["G1"] == 1
    assert overdue(conn, "district", at=later) == {"D": 1}
    assert fetch_grid_detail(conn, "S", at=later).kpis["overdue"] == 1


def test_overdue_flips_on_the_real_clock(conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    add_incident(conn, "E1", 0.5, 0.5)
    conn.execute("UPDATE incident SET due_at = clock_timestamp() + interval '1.5 seconds'")
    assert overdue(conn)["G1"] == 0
    time.sleep(2.0)
    assert overdue(conn)["G1"] == 1


def test_closing_a_case_clears_its_overdue(conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    add_incident(conn, "E1", 0.5, 0.5)
    conn.execute(
        "UPDATE incident SET reported_at = now() - interval '3 days',"
        " due_at = now() - interval '1 day'"
    )
    assert overdue(conn)["G1"] == 1
    for status in ("dispatched", "in_progress", "resolved"):
        conn.execute("UPDATE incident SET status = %s", [status])
    assert overdue(conn)["G1"] == 0
