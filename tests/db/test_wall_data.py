"""What the wall reads: yesterday's flow to the same time of day, and the cases it pins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg

from tests import gridworld
from tests.db.test_activity import case
from twin.activity import Clock, fetch_pin_cases, fetch_today, fetch_yesterday
from twin.app.wall import first_status, pinned_cases, tile_changes
from twin.catalog import Layer

# Noon in Beijing; yesterday's window runs from its midnight (16:00 UTC two days before) to
# its noon (04:00 UTC the day before).
NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
CLOCK = Clock(NOW, "Asia/Shanghai")
H = timedelta(hours=1)


def test_yesterday_counts_to_the_same_time_of_day(conn: psycopg.Connection) -> None:
    ids = gridworld.build(conn)
    yesterday = CLOCK.today - 24 * H
    case(conn, "Y-MORNING", 0.5, 0.5, yesterday + 4 * H)  # G1, 04:00 yesterday: counted
    case(conn, "Y-EVENING", 1.5, 0.5, yesterday + 14 * H)  # G2, 14:00: after noon, not yet
    case(conn, "Y-EDGE", 1.5, 0.5, yesterday + 12 * H)  # G2, noon exactly: not before now
    case(conn, "Y-MIDNIGHT", 1.5, 0.5, yesterday)  # G2, the first instant of yesterday
    # Reported three days ago, closed at 09:00 yesterday: closed yesterday, not new.
    case(conn, "Y-CLOSED", 0.5, 0.5, NOW - 72 * H, closed=yesterday + 9 * H)
    case(conn, "Y-BEFORE", 0.5, 0.5, yesterday - H)  # the day before yesterday
    case(conn, "TODAY", 0.5, 0.5, CLOCK.today + H)
    city = fetch_yesterday(conn, None, CLOCK)
    assert city == {"new_yesterday": 2, "closed_yesterday": 1}  # MORNING, MIDNIGHT; CLOSED
    assert fetch_yesterday(conn, ids["G1"], CLOCK) == {"new_yesterday": 1, "closed_yesterday": 1}
    assert fetch_yesterday(conn, ids["G3"], CLOCK) == {"new_yesterday": 0, "closed_yesterday": 0}
    today, _ = fetch_today(conn, None, CLOCK)
    assert tile_changes(today | city) == {"new_today": 1 - 2, "closed_today": 0 - 1}


def test_the_wall_pins_what_took_it_over_until_someone_dispatches_it(
    conn: psycopg.Connection, layers: dict[str, Layer]
) -> None:
    gridworld.build(conn)
    for code in ("P1", "P2", "P3"):
        case(conn, code, 0.5, 0.5, NOW - H, severity=1)
    case(conn, "OUT", 5.0, 5.0, NOW - H, severity=1)  # in no grid
    ids = dict(conn.execute("SELECT code, id FROM incident").fetchall())
    taken = [ids["OUT"], ids["P3"], ids["P2"], ids["P1"]]  # newest takeover first
    first = first_status(layers["incident"])
    assert first == "reported"
    pinned = pinned_cases(fetch_pin_cases(conn, taken), taken, first)
    assert [p["code"] for p in pinned] == ["OUT", "P3", "P2", "P1"]
    lon, lat = gridworld.lonlat(5.0, 5.0)
    assert (pinned[0]["lon"], pinned[0]["lat"]) == (lon, lat)  # where the pin goes
    conn.execute(
        "UPDATE incident SET status = 'dispatched', dispatched_at = %s WHERE code = 'P2'", [NOW]
    )
    # A dispatch time with the status left behind (a loader that sets only the time) counts.
    conn.execute("UPDATE incident SET dispatched_at = %s WHERE code = 'P3'", [NOW])
    conn.execute("DELETE FROM incident WHERE code = 'P1'")  # gone: nothing to pin
    pinned = pinned_cases(fetch_pin_cases(conn, taken), taken, first)
    assert [p["code"] for p in pinned] == ["OUT"]
