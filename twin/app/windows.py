"""The city's figures in a page's time window: the snapshot's own for the default window,
else read once per snapshot version and window, and shared by every page that asks."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from psycopg_pool import ConnectionPool

from twin.activity import fetch_activity, fetch_recent_counts, fetch_window_trend
from twin.app.snapshot import Snapshot, with_window_counts
from twin.window import Span, TimeWindow

KEEP = 16  # (version, window) entries kept: a few windows over the versions pages hold
# Live push makes a version per write burst: a window other than the default is read again
# at most this often (seconds), its last figures serving the versions in between.
REUSE_SECONDS = 5.0


@dataclass(frozen=True)
class WindowFigures:
    """The city's activity and trend in one window, and each unit's cases reported in it
    (None: the snapshot's own counts, which are of this window)."""

    window: TimeWindow
    span: Span
    activity: dict[str, Any]
    trend: pd.DataFrame
    counts: dict[str, dict[str, int]] | None = None

    def level(self, snap: Snapshot, level: str) -> pd.DataFrame:
        """A level's statuses with incidents_window counted in this window."""
        frame = snap.levels[level]
        if self.counts is None:
            return frame
        return with_window_counts(frame, self.counts.get(level, {}))


class WindowCache:
    """Figures per (snapshot version, window), read on first demand."""

    def __init__(
        self,
        pool: ConnectionPool,
        categories: Sequence[str],
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.pool, self.categories, self.monotonic = pool, list(categories), monotonic
        self._kept: OrderedDict[tuple[int, str], WindowFigures] = OrderedDict()
        # window -> newest read; bounded like _kept (the windows come from URLs)
        self._read_at: OrderedDict[str, tuple[float, WindowFigures]] = OrderedDict()
        self._lock = threading.Lock()

    def of(self, snap: Snapshot, window: TimeWindow) -> WindowFigures:
        """The figures of window as of snap (the snapshot's own for the default window)."""
        span = window.span(snap.clock)
        if window.is_default:
            return WindowFigures(window, span, snap.activity, snap.trend)
        key = (snap.version, window.text)
        with self._lock:  # one read per key, however many pages ask at once
            found = self._kept.get(key)
            if found is None:
                at, last = self._read_at.get(window.text, (None, None))
                now = self.monotonic()
                fresh = at is not None and now - at < REUSE_SECONDS and last is not None
                found = last if fresh and last is not None else self._read(snap, window, span)
                if not fresh:
                    self._read_at[window.text] = (now, found)
                    self._read_at.move_to_end(window.text)
                    while len(self._read_at) > KEEP:
                        self._read_at.popitem(last=False)
                self._kept[key] = found
                while len(self._kept) > KEEP:
                    self._kept.popitem(last=False)
            return found

    def held(self, snap: Snapshot, window: TimeWindow) -> WindowFigures | None:
        """The figures already read for snap's version (None: not read, never reads)."""
        if window.is_default:
            return self.of(snap, window)
        with self._lock:
            return self._kept.get((snap.version, window.text))

    def _read(self, snap: Snapshot, window: TimeWindow, span: Span) -> WindowFigures:
        clock = snap.clock
        with self.pool.connection() as conn:
            counts = fetch_recent_counts(conn, span.start, span.end)
            activity = fetch_activity(conn, None, clock, span)
            trend = fetch_window_trend(conn, None, span, clock.tz, self.categories)
        return WindowFigures(window, span, activity, trend, counts)
