"""Batches from the devices: sensor readings and camera heartbeats, written in one statement
each, so the grid counters (by status) follow in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import psycopg
from psycopg import sql

from twin.db.queries import query

T = TypeVar("T", "Reading", "Heartbeat")


class DeviceError(ValueError):
    """A batch twin cannot apply; names the field of the first bad item."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class Reading:
    """One sensor's reading: its value and/or status at a time."""

    code: str
    at: datetime
    value: float | None = None
    status: str | None = None  # None: unchanged (but an offline sensor that reads is normal)


@dataclass(frozen=True)
class Heartbeat:
    """One camera's sign of life, with the status it reports."""

    code: str
    at: datetime
    status: str = "online"


def apply_readings(
    conn: psycopg.Connection, readings: Sequence[Reading], field: str = "readings"
) -> dict[str, int]:
    """Write a batch of readings (all or none); how many came and how many changed a sensor
    (a reading older than the sensor's last one changes nothing)."""
    newest = _newest_per_code(readings)
    with conn.transaction():
        _check_known(conn, "sensor", [r.code for r in readings], field)
        params = {
            "codes": [r.code for r in newest],
            "values": [r.value for r in newest],
            "statuses": [r.status for r in newest],
            "ats": [r.at for r in newest],
        }
        changed = conn.execute(query("sensor_readings"), params).fetchall()
    return {"received": len(readings), "applied": len(changed)}


def apply_heartbeats(
    conn: psycopg.Connection, beats: Sequence[Heartbeat], field: str = "heartbeats"
) -> dict[str, int]:
    """Write a batch of heartbeats (all or none); how many came and how many changed a
    camera (one older than the camera's last_seen changes nothing)."""
    newest = _newest_per_code(beats)
    with conn.transaction():
        _check_known(conn, "camera", [b.code for b in beats], field)
        params = {
            "codes": [b.code for b in newest],
            "statuses": [b.status for b in newest],
            "ats": [b.at for b in newest],
        }
        changed = conn.execute(query("camera_heartbeats"), params).fetchall()
    return {"received": len(beats), "applied": len(changed)}


def _newest_per_code(items: Sequence[T]) -> list[T]:
    """The newest item of each code (the later one in the batch on a tie): one UPDATE may
    change a row only once."""
    newest: dict[str, T] = {}
    for item in items:
        held = newest.get(item.code)
        if held is None or held.at <= item.at:
            newest[item.code] = item
    return list(newest.values())


def _check_known(conn: psycopg.Connection, table: str, codes: list[str], field: str) -> None:
    """A DeviceError naming the first item whose code the table does not hold."""
    stmt = sql.SQL("SELECT code FROM {} WHERE code = ANY(%s)").format(sql.Identifier(table))
    known = {row[0] for row in conn.execute(stmt, [codes])}
    for i, code in enumerate(codes):
        if code not in known:
            raise DeviceError(f"{field}[{i}].code", f"no {table} has the code {code!r}")
