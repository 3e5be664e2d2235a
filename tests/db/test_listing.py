"""list_cases: filters over the whole city and a cursor that neither skips nor repeats, even
through cases reported in the same instant, and while new reports arrive."""

from __future__ import annotations

import psycopg
import pytest

from tests.gridworld import add_incident
from twin.ops.listing import CaseFilter, FilterError, decode_cursor, encode_cursor, list_cases


def _all_pages(conn: psycopg.Connection, filters: CaseFilter, limit: int) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        rows, cursor = list_cases(conn, filters, cursor, limit)
        seen += [r["code"] for r in rows]
        if cursor is None:
            return seen


def test_cursor_pages_through_ties_once_each(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    for i in range(25):
        add_incident(conn, f"T{i:02d}", 0.5, 0.5)
    conn.execute("UPDATE incident SET reported_at = '2026-01-01T00:00:00Z'")
    pages = _all_pages(conn, CaseFilter(), 7)
    assert sorted(pages) == [f"T{i:02d}" for i in range(25)] and len(pages) == 25
    first, cursor = list_cases(conn, CaseFilter(), None, 10)
    add_incident(conn, "NEW", 0.5, 0.5)  # reported now: before the first page, not in the next
    rest, _ = list_cases(conn, CaseFilter(), cursor, 100)
    assert "NEW" not in [r["code"] for r in rest] and len(first) + len(rest) == 25


def test_filters_combine(conn: psycopg.Connection, world: dict[str, int]) -> None:
    add_incident(conn, "A", 0.5, 0.5, severity=1, category="fire_hazard")
    add_incident(conn, "B", 1.5, 0.5, severity=1)
    add_incident(conn, "C", 0.5, 1.5, source="hotline")
    add_incident(conn, "OUT", 5.0, 5.0)  # in no unit: listed city-wide, in no unit's list
    assert sorted(_all_pages(conn, CaseFilter(), 2)) == ["A", "B", "C", "OUT"]
    assert _all_pages(conn, CaseFilter(severities=(1,), unit="G1"), 5) == ["A"]
    assert sorted(_all_pages(conn, CaseFilter(unit="C"), 5)) == ["A", "B", "C"]
    assert sorted(_all_pages(conn, CaseFilter(unit="D"), 1)) == ["A", "B", "C"]  # page by page
    assert _all_pages(conn, CaseFilter(sources=("hotline",)), 5) == ["C"]
    assert _all_pages(conn, CaseFilter(categories=("fire_hazard",), severities=(2,)), 5) == []
    with pytest.raises(FilterError, match="unit"):
        list_cases(conn, CaseFilter(unit="nowhere"))


def test_a_cursor_is_checked() -> None:
    from datetime import UTC, datetime

    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert decode_cursor(encode_cursor(at, 42)) == (at, 42)
    for bad in ("", "!!!", encode_cursor(at, 42)[:-3], "WzEsMl0"):
        with pytest.raises(FilterError, match="cursor"):
            decode_cursor(bad)
