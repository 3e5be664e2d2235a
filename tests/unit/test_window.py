"""The dashboard's time window: presets and ranges read from a URL, bounds from a pinned clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from twin.activity import Clock
from twin.window import DEFAULT, MAX_DAYS, TimeWindow, WindowError

# 12:30 in Beijing (04:30 UTC); the local day began at 16:00 UTC the day before.
NOW = datetime(2026, 11, 26, 4, 30, tzinfo=UTC)
CLOCK = Clock(NOW, "Asia/Shanghai")
BEIJING = ZoneInfo("Asia/Shanghai")


def test_the_last_24_hours_are_24_whole_local_hours_ending_with_this_one() -> None:
    span = TimeWindow.parse("24h").span(CLOCK)
    assert span.hourly and span.step == "hour"
    assert span.start == datetime(2026, 11, 25, 13, 0, tzinfo=BEIJING)  # 12:00 minus 23 h
    assert span.end is None  # up to now
    assert len(span.bins) == 24
    assert span.bins[0] == datetime(2026, 11, 25, 13, 0)
    assert span.bins[-1] == datetime(2026, 11, 26, 12, 0)


def test_day_presets_start_at_local_midnight_and_include_today() -> None:
    week = TimeWindow.parse("7d").span(CLOCK)
    assert week.start == datetime(2026, 11, 20, tzinfo=BEIJING)  # 16:00 UTC on the 19th
    assert week.start.astimezone(UTC) == datetime(2026, 11, 19, 16, tzinfo=UTC)
    assert week.end is None and not week.hourly
    assert week.bins == tuple(date(2026, 11, 20) + timedelta(days=i) for i in range(7))
    month = TimeWindow.parse("30d").span(CLOCK)
    assert month.start == CLOCK.since  # the dashboard's 30 days, as before the window choice
    assert list(month.bins) == CLOCK.days


def test_a_custom_range_includes_both_dates() -> None:
    span = TimeWindow.parse("2026-11-01/2026-11-03").span(CLOCK)
    assert span.start == datetime(2026, 11, 1, tzinfo=BEIJING)
    assert span.end == datetime(2026, 11, 4, tzinfo=BEIJING)
    assert span.bins == (date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3))


def test_a_range_reaching_past_today_ends_now() -> None:
    span = TimeWindow.parse("2026-11-25/2026-12-10").span(CLOCK)
    assert span.end is None
    assert span.bins == (date(2026, 11, 25), date(2026, 11, 26))


def test_a_range_wholly_ahead_is_empty() -> None:
    span = TimeWindow.parse("2026-12-01/2026-12-02").span(CLOCK)
    assert span.bins == () and span.start > NOW


def test_hours_follow_the_local_zone_across_a_dst_change() -> None:
    # New York falls back at 02:00 on 2026-11-01: the 01:00 hour happens twice.
    clock = Clock(datetime(2026, 11, 1, 12, 0, tzinfo=UTC), "America/New_York")  # 07:00 EST
    span = TimeWindow.parse("24h").span(clock)
    assert clock.now - span.start == timedelta(hours=23)
    assert span.bins[-1] == datetime(2026, 11, 1, 7, 0)
    assert len(span.bins) == 23  # 24 hours, one local hour name twice
    assert len(set(span.bins)) == len(span.bins)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("90d", "expected one of"),
        ("", "expected one of"),
        ("2026-11-05/2026-11-01", "ends before it starts"),
        ("2026-02-30/2026-03-01", "day is out of range"),
        ("20261101/20261102", "expected one of"),
        ("2025-01-01/2026-11-01", f"longer than {MAX_DAYS} days"),
    ],
)
def test_a_window_no_page_could_ask_for_is_an_error_naming_it(text: str, why: str) -> None:
    with pytest.raises(WindowError, match=why):
        TimeWindow.parse(text)


def test_a_url_with_no_or_a_bad_window_reads_as_the_default() -> None:
    assert TimeWindow.read(None).text == DEFAULT
    assert TimeWindow.read(["7d"]).text == DEFAULT
    assert TimeWindow.read("x" * 5000).text == DEFAULT
    assert TimeWindow.read("7d").text == "7d"
    assert TimeWindow.read(DEFAULT).is_default and not TimeWindow.read("24h").is_default
