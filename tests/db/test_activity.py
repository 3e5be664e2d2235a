"""The dashboard's flow figures on the hand-made grid world, against hand-counted values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import psycopg
import pytest

from tests import gridworld
from twin.activity import (
    Clock,
    city_status,
    fetch_activity,
    fetch_feed,
    fetch_recent_counts,
    fetch_today,
    fetch_trend,
    fetch_window_trend,
    search_units,
)
from twin.catalog import load_catalog
from twin.settings import Settings
from twin.spatial.status import Thresholds
from twin.store import fetch_grid_statuses, fetch_unassigned
from twin.window import TimeWindow

# Noon in Beijing; the local day began at 16:00 UTC the day before.
NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
CLOCK = Clock(NOW, "Asia/Shanghai")
CATEGORIES = load_catalog(Settings().layers_dir)["incident"].field("category").allowed
H = timedelta(hours=1)
D = timedelta(days=1)


def case(
    conn: psycopg.Connection,
    code: str,
    x: float,
    y: float,
    reported: datetime,
    closed: datetime | None = None,
    due: datetime | None = None,
    **cols: object,
) -> None:
    """An incident with its report time, optional closure and deadline."""
    conn.execute(
        "INSERT INTO incident (code, category, severity, source, status, reported_at,"
        " resolved_at, closed_at, due_at, geom)"
        " VALUES (%s, 'sanitation', %s, 'patrol', %s, %s, %s, %s, %s, %s)",
        [
            code,
            cols.get("severity", 3),
            "closed" if closed else "reported",
            reported,
            closed,
            closed,
            due or reported + 2 * D,
            gridworld.point(x, y),
        ],
    )


@pytest.fixture
def world(conn: psycopg.Connection) -> dict[str, int]:
    ids = gridworld.build(conn)
    today = CLOCK.today
    case(conn, "A", 0.5, 0.5, today + H)  # G1, new today (local), still yesterday in UTC
    case(conn, "B", 0.5, 0.5, today - H)  # G1, yesterday evening
    # G1: reported 10 days ago, closed today at 09:00 local, 5 days late.
    case(conn, "C", 0.4, 0.4, NOW - 10 * D, closed=today + 9 * H, due=NOW - 5 * D)
    # G1: 48 hours to close, on time.
    case(conn, "D", 0.6, 0.6, NOW - 5 * D, closed=NOW - 3 * D, due=NOW - 2 * D)
    case(conn, "E", 0.6, 0.4, NOW - 40 * D, closed=NOW - 35 * D)  # G1, outside the window
    # G2: reported and closed today within 3 hours, severity 1.
    case(conn, "F", 1.5, 0.5, today + 2 * H, closed=today + 5 * H, severity=1)
    case(conn, "OUT", 5.0, 5.0, today + 3 * H, severity=2)  # in no grid
    return ids


def test_a_grids_activity_counts_by_the_local_day(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    got = fetch_activity(conn, world["G1"], CLOCK)
    assert got["new_today"] == 1  # A only: B was yesterday evening local time
    assert got["closed_today"] == 1  # C
    assert got["closed_window"] == 2  # C and D; E closed 35 days ago
    assert got["on_time_rate"] == pytest.approx(0.5)  # D on time, C late
    # Median of C (10 days minus 3 h, as C closed 09:00 local = 3 h before NOW) and D (48 h).
    c_hours = (CLOCK.today + 9 * H - (NOW - 10 * D)).total_seconds() / 3600
    assert got["median_handling_hours"] == pytest.approx((c_hours + 48) / 2)


def test_higher_levels_and_the_city_add_up(conn: psycopg.Connection, world: dict[str, int]) -> None:
    district = fetch_activity(conn, world["D"], CLOCK)
    assert (district["new_today"], district["closed_today"], district["closed_window"]) == (2, 2, 3)
    city = fetch_activity(conn, None, CLOCK)
    assert city["new_today"] == 3  # the case outside every grid counts for the city
    assert city["on_time_rate"] == pytest.approx(2 / 3)  # D and F on time, C late
    empty = fetch_activity(conn, world["G3"], CLOCK)
    assert empty == {
        "new_today": 0,
        "closed_today": 0,
        "new_window": 0,
        "closed_window": 0,
        "median_handling_hours": None,
        "on_time_rate": None,
    }


def test_trend_has_every_day_of_the_window_by_local_date(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    trend = fetch_trend(conn, world["G1"], CLOCK, CATEGORIES)
    assert len(trend) == 30
    assert trend.index[0] == date(2026, 10, 28) and trend.index[-1] == date(2026, 11, 26)
    assert trend.loc[date(2026, 11, 26), "sanitation"] == 1  # A
    assert trend.loc[date(2026, 11, 25), "sanitation"] == 1  # B: 23:00 local on the 25th
    assert int(trend.to_numpy().sum()) == 4  # A, B, C, D; E is older than the window
    city = fetch_trend(conn, None, CLOCK, CATEGORIES)
    assert int(city.to_numpy().sum()) == 6


def test_feed_lists_serious_cases_newest_first_with_their_grid(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    feed = fetch_feed(conn, 10)
    assert feed["code"].tolist() == ["OUT", "F"]
    assert feed["grid_name"].tolist() == [None, "grid G2"]
    assert feed["severity"].tolist() == [2, 1]


def test_recent_counts_per_level(conn: psycopg.Connection, world: dict[str, int]) -> None:
    today = fetch_recent_counts(conn, CLOCK.today)
    assert today["grid"] == {"G1": 1, "G2": 1} and today["district"] == {"D": 2}
    assert fetch_recent_counts(conn, NOW - 7 * D)["community"] == {"C": 4}  # A, B, D, F


def test_today_alone_and_the_trends_last_day(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    assert fetch_today(conn, world["G1"], CLOCK)[0] == {"new_today": 1, "closed_today": 1}
    flow, reported = fetch_today(conn, None, CLOCK)
    assert flow == {"new_today": 3, "closed_today": 2}
    trend = fetch_trend(conn, None, CLOCK, CATEGORIES)
    assert trend.index[-1] == date(2026, 11, 26) and len(trend) == 30
    # Today's reports per category, from the same read: the trend's last bar.
    assert reported == {c: int(n) for c, n in trend.iloc[-1].items() if n}
    assert sum(reported.values()) == 3


def test_city_status_is_its_districts_plus_the_unassigned(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    districts = fetch_grid_statuses(conn, "district", NOW)
    city = city_status(districts, fetch_unassigned(conn, NOW), Thresholds())
    row = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE status <> 'closed'),"
        " count(*) FILTER (WHERE status <> 'closed' AND due_at < %s) FROM incident",
        [NOW],
    ).fetchone()
    assert (city["incidents"], city["open"], city["overdue"]) == row


def test_search_finds_units_by_code_or_name(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    assert [u["code"] for u in search_units(conn, "g1")] == ["G1"]
    assert [u["code"] for u in search_units(conn, "street")] == ["S"]
    assert [u["level"] for u in search_units(conn, "grid ")] == ["grid"] * 4
    assert search_units(conn, "  ") == []


def test_search_takes_percent_and_underscore_literally(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    # Names an unescaped pattern would match: "100%" as LIKE finds "1000", "G_" finds "G1".
    conn.execute("UPDATE grid SET name = 'Block 1000' WHERE code = 'G2'")
    conn.execute("UPDATE grid SET name = '100% covered' WHERE code = 'G3'")
    assert [u["code"] for u in search_units(conn, "100%")] == ["G3"]
    assert [u["code"] for u in search_units(conn, "100")] == ["G2", "G3"]
    assert search_units(conn, "G_") == []
    assert [u["code"] for u in search_units(conn, "%")] == ["G3"]  # not every unit
    conn.execute("UPDATE grid SET name = 'back\\slash' WHERE code = 'G4'")
    assert [u["code"] for u in search_units(conn, "k\\s")] == ["G4"]


@pytest.mark.parametrize(
    ("window", "reported", "closed"),
    [("24h", 2, 1), ("7d", 3, 2), ("30d", 4, 2), ("2026-11-25/2026-11-25", 1, 0)],
)
def test_window_figures_count_only_the_window(
    conn: psycopg.Connection, world: dict[str, int], window: str, reported: int, closed: int
) -> None:
    # G1: A today 01:00 local, B yesterday 23:00, D 5 days ago (closed 3 days ago),
    # C 10 days ago (closed today 09:00); the 25th is yesterday, local.
    span = TimeWindow.parse(window).span(CLOCK)
    got = fetch_activity(conn, world["G1"], CLOCK, span)
    assert (got["new_window"], got["closed_window"]) == (reported, closed)
    assert (got["new_today"], got["closed_today"]) == (1, 1)  # today's, whatever the window
    trend = fetch_window_trend(conn, world["G1"], span, CLOCK.tz, CATEGORIES)
    assert list(trend.index) == list(span.bins)
    assert int(trend.to_numpy().sum()) == reported


def test_the_hourly_trend_puts_a_case_in_its_local_hour(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    span = TimeWindow.parse("24h").span(CLOCK)
    trend = fetch_window_trend(conn, None, span, CLOCK.tz, CATEGORIES)
    day = CLOCK.today.replace(tzinfo=None)
    assert trend.loc[day + H, "sanitation"] == 1  # A at 01:00
    assert trend.loc[day - H, "sanitation"] == 1  # B at 23:00 the day before
    assert trend.loc[day + 3 * H, "sanitation"] == 1  # OUT, in no grid, counts for the city
    assert int(trend.to_numpy().sum()) == 4  # A, B, F, OUT; C and D are older


def test_recent_counts_of_a_past_range_end_with_it(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    span = TimeWindow.parse("2026-11-25/2026-11-25").span(CLOCK)
    assert fetch_recent_counts(conn, span.start, span.end)["grid"] == {"G1": 1}  # B
