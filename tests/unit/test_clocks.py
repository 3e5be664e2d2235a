"""The shifted clocks CI runs: the combined run holds all three conditions of the separate ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.clocks import DEFAULT, RUNS, TWIN_ZONE

BY_NAME = {r.name: r for r in RUNS}


@pytest.mark.parametrize("hour", [0, 9, 15, 23])
def test_all_at_once_is_local_midnight_a_year_on_in_another_zone(hour: int) -> None:
    now = datetime(2026, 12, 1, hour, 30, tzinfo=UTC)
    run = BY_NAME["all-at-once"]
    start = run.start(now)
    local = start.astimezone(ZoneInfo(TWIN_ZONE))
    assert (local.hour, local.minute, local.second) == (23, 59, 30)
    assert start - now > timedelta(days=365)
    elsewhere = ZoneInfo(run.env["TZ"])
    assert elsewhere != ZoneInfo(TWIN_ZONE)
    later = start + timedelta(seconds=31)  # today has ended in TWIN_ZONE, not over there
    assert later.astimezone(elsewhere).date() < later.astimezone(ZoneInfo(TWIN_ZONE)).date()
    assert DEFAULT == ("all-at-once",)
