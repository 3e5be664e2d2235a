"""Device batches in the store: the newest item per device wins, an older one changes
nothing, an offline sensor that reads is normal again, and the counters follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.gridworld import point
from twin.ops.devices import DeviceError, Heartbeat, Reading, apply_heartbeats, apply_readings

T0 = datetime(2026, 1, 1, tzinfo=UTC)
H = timedelta(hours=1)


def _stat(conn: psycopg.Connection, column: str) -> int:
    row = conn.execute(
        f"SELECT {column} FROM grid_stat s JOIN grid g ON g.id = s.grid_id WHERE g.code = 'G1'"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_readings(conn: psycopg.Connection, world: dict[str, int]) -> None:
    conn.execute(
        "INSERT INTO sensor (code, kind, status, geom) VALUES ('S1', 'gas', 'offline', %s)",
        [point(0.5, 0.5)],
    )
    got = apply_readings(conn, [Reading("S1", T0 + H, 2.0), Reading("S1", T0, 9.0)])
    assert got == {"received": 2, "applied": 1}
    row = conn.execute("SELECT status, last_value, last_reading_at FROM sensor").fetchone()
    assert row == ("normal", 2.0, T0 + H)  # read: not offline; the newer value kept
    assert apply_readings(conn, [Reading("S1", T0, status="alarm")]) == {
        "received": 1,
        "applied": 0,
    }
    assert _stat(conn, "sensor_status_alarm") == 0
    apply_readings(conn, [Reading("S1", T0 + 2 * H, status="alarm")])
    assert _stat(conn, "sensor_status_alarm") == 1
    with pytest.raises(DeviceError, match=r"readings\[1\]\.code"):
        apply_readings(conn, [Reading("S1", T0 + 3 * H, status="normal"), Reading("S9", T0)])
    assert _stat(conn, "sensor_status_alarm") == 1  # nothing of the refused batch written


def test_heartbeats(conn: psycopg.Connection, world: dict[str, int]) -> None:
    conn.execute(
        "INSERT INTO camera (code, name, status, geom) VALUES ('K1', 'x', 'fault', %s)",
        [point(0.5, 0.5)],
    )
    assert _stat(conn, "camera_status_fault") == 1
    apply_heartbeats(conn, [Heartbeat("K1", T0 + H), Heartbeat("K1", T0, "offline")])
    row = conn.execute("SELECT status, last_seen FROM camera").fetchone()
    assert row == ("online", T0 + H)
    assert (_stat(conn, "camera_status_fault"), _stat(conn, "camera_status_online")) == (0, 1)
