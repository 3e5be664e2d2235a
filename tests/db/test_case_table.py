"""The unit page's case table as the store answers it: open cases, the most urgent deadline
first (overdue first, then the nearest due), archived ones one scope away."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg

from tests.gridworld import point
from twin.app.tables import case_filter
from twin.catalog import Layer
from twin.store import fetch_incidents

FIRST_PAGE = {"startRow": 0, "endRow": 15, "sortModel": []}  # as the table first asks


def add_case(conn: psycopg.Connection, code: str, status: str, due: datetime, x: float) -> None:
    """A case in grid G1 (D's first grid) reported 100 h ago, due then, in that status."""
    now = datetime.now(UTC)
    done = now - timedelta(hours=2) if status in ("resolved", "closed") else None
    conn.execute(
        "INSERT INTO incident (code, category, severity, source, status, reported_at,"
        " due_at, resolved_at, closed_at, geom)"
        " VALUES (%s, 'sanitation', 3, 'patrol', %s, %s, %s, %s, %s, %s)",
        [
            code,
            status,
            now - timedelta(hours=100),
            due,
            done,
            done if status == "closed" else None,
            point(x, 0.5),
        ],
    )


def cases_of(
    conn: psycopg.Connection,
    unit: int,
    layers: dict[str, Layer],
    scope: str,
    status: tuple[str, ...] = (),
) -> tuple[list[str], int]:
    """The codes of the unit's first page under a scope (and statuses), and the total."""
    flt = case_filter(FIRST_PAGE, [list(status), [], []], layers["incident"], scope)
    if flt is None:
        return [], 0
    frame, total = fetch_incidents(conn, unit, flt)
    return list(frame["code"]), total


def test_the_table_opens_on_open_cases_overdue_first_then_nearest_due(
    conn: psycopg.Connection, world: dict[str, int], layers: dict[str, Layer]
) -> None:
    now = datetime.now(UTC)
    due = {
        "due-in-5h": ("reported", now + timedelta(hours=5)),
        "late-1h": ("escalated", now - timedelta(hours=1)),
        "due-in-1h": ("dispatched", now + timedelta(hours=1)),
        "late-30h": ("in_progress", now - timedelta(hours=30)),
        "resolved-late": ("resolved", now - timedelta(hours=50)),
        "closed-late": ("closed", now - timedelta(hours=60)),
    }
    for i, (code, (status, at)) in enumerate(due.items()):
        add_case(conn, code, status, at, 0.2 + 0.1 * i)

    codes, total = cases_of(conn, world["D"], layers, "open")
    assert codes == ["late-30h", "late-1h", "due-in-1h", "due-in-5h"]
    assert total == 4
    codes, total = cases_of(conn, world["D"], layers, "archived")
    assert (codes, total) == (["closed-late", "resolved-late"], 2)
    codes, total = cases_of(conn, world["D"], layers, "all")
    assert codes[:2] == ["closed-late", "resolved-late"] and total == 6


def test_a_status_outside_the_scope_finds_nothing(
    conn: psycopg.Connection, world: dict[str, int], layers: dict[str, Layer]
) -> None:
    soon = datetime.now(UTC) + timedelta(hours=3)
    add_case(conn, "open-one", "reported", soon, 0.5)
    add_case(conn, "resolved-one", "resolved", soon, 0.6)
    assert cases_of(conn, world["G1"], layers, "open", ("resolved",)) == ([], 0)
    assert cases_of(conn, world["G1"], layers, "archived", ("resolved",)) == (["resolved-one"], 1)
    assert cases_of(conn, world["G1"], layers, "all", ("reported",)) == (["open-one"], 1)
