"""One read of the whole city per refresh, shared by every open page and kept by version.

A wall of screens and a room of duty officers cost one set of queries per interval, and a
refresh can send each page only what changed since the version it holds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pandas as pd
from psycopg_pool import ConnectionPool

from twin.activity import (
    Clock,
    city_status,
    fetch_activity,
    fetch_feed,
    fetch_recent_counts,
    fetch_trend,
)
from twin.catalog import LEVELS
from twin.spatial.status import Thresholds
from twin.store import fetch_grid_statuses, fetch_unassigned

KEEP = 6  # versions kept for computing what changed
log = logging.getLogger(__name__)


@dataclass
class Snapshot:
    """The city at one moment: every level's statuses and the city-wide figures."""

    version: int
    clock: Clock
    levels: dict[str, pd.DataFrame]
    city: dict[str, Any]
    activity: dict[str, Any]
    trend: pd.DataFrame
    feed: pd.DataFrame
    took_ms: float = 0.0
    hideouts: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)


def read_snapshot(pool: ConnectionPool, version: int, clock: Clock, t: Thresholds) -> Snapshot:
    """Read every level's status (with 7-day counts) and the city's figures in one go."""
    started = time.perf_counter()
    week = clock.today - timedelta(days=6)
    levels = {}
    with pool.connection() as conn:
        for level in LEVELS:
            frame = fetch_grid_statuses(conn, level, clock.now, t)
            recent = fetch_recent_counts(conn, level, week)
            levels[level] = frame.assign(incidents_7d=[recent.get(c, 0) for c in frame["code"]])
        city = city_status(levels["district"], fetch_unassigned(conn, clock.now), t)
        activity = fetch_activity(conn, None, clock)
        trend = fetch_trend(conn, None, clock)
        feed = fetch_feed(conn, 12)
    took = (time.perf_counter() - started) * 1000
    return Snapshot(version, clock, levels, city, activity, trend, feed, took)


class Snapshots:
    """The newest snapshot, re-read when older than max_age seconds; a few old ones kept."""

    def __init__(self, pool: ConnectionPool, thresholds: Thresholds, tz: str, max_age: float):
        self.pool, self.thresholds, self.tz, self.max_age = pool, thresholds, tz, max_age
        self._kept: OrderedDict[int, Snapshot] = OrderedDict()
        self._read_at = 0.0
        self._reading = False
        self._lock = threading.Lock()

    def current(self) -> Snapshot:
        """The newest snapshot; read now only when there is none or it is long overdue
        (normally the background reader keeps it fresh, so no page waits for it)."""
        with self._lock:
            stale = time.monotonic() - self._read_at >= self.max_age * 3
            if not self._kept or (stale and not self._reading):
                self._read()
            return next(reversed(self._kept.values()))

    def _read(self) -> None:
        version = (next(reversed(self._kept)) + 1) if self._kept else 1
        snap = read_snapshot(self.pool, version, Clock.current(self.tz), self.thresholds)
        self._kept[version] = snap
        self._read_at = time.monotonic()
        while len(self._kept) > KEEP:
            self._kept.popitem(last=False)

    def start(self) -> threading.Thread:
        """Re-read every max_age seconds in a daemon thread until the pool closes."""

        def loop() -> None:
            while not self.pool.closed:
                try:
                    with self._lock:
                        self._reading = True
                        self._read()
                except Exception as exc:  # a database hiccup must not end the refreshes
                    log.warning("snapshot read failed: %s", exc)
                finally:
                    self._reading = False
                time.sleep(self.max_age)

        thread = threading.Thread(target=loop, name="twin-snapshots", daemon=True)
        thread.start()
        return thread

    def get(self, version: int | None) -> Snapshot | None:
        """A kept snapshot by version (None when too old or unknown)."""
        with self._lock:
            return self._kept.get(version) if version is not None else None
