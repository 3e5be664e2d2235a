"""The cache of non-default windows' figures: bounded, and its reuse on a clock tests pin."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd

from twin.activity import Clock
from twin.app import windows
from twin.app.snapshot import Snapshot
from twin.app.windows import WindowCache, WindowFigures
from twin.window import Span, TimeWindow

CLOCK = Clock(datetime(2030, 6, 1, 4, tzinfo=UTC), "Asia/Shanghai")


class Counted(WindowCache):
    """A cache whose reads are counted instead of made."""

    reads = 0

    def _read(self, snap: Snapshot, window: TimeWindow, span: Span) -> WindowFigures:
        self.reads += 1
        return WindowFigures(window, span, {}, pd.DataFrame())


def snapshot(version: int) -> Snapshot:
    return Snapshot(version, CLOCK, {}, {}, {}, pd.DataFrame(), pd.DataFrame())


def ranges(n: int) -> list[TimeWindow]:
    return [TimeWindow.parse(f"2030-01-{d:02d}/2030-02-01") for d in range(1, n + 1)]


def test_windows_from_urls_do_not_grow_the_cache_without_bound() -> None:
    cache = Counted(None, [])  # type: ignore[arg-type]
    for window in ranges(windows.KEEP + 10):
        cache.of(snapshot(1), window)
    assert len(cache._read_at) == windows.KEEP
    assert len(cache._kept) == windows.KEEP


def test_a_window_is_read_again_once_its_reuse_has_passed() -> None:
    now = [1000.0]
    cache: Any = Counted(None, [], monotonic=lambda: now[0])  # type: ignore[arg-type]
    window = ranges(1)[0]
    cache.of(snapshot(1), window)
    cache.of(snapshot(2), window)  # a new version within the reuse: the same figures
    assert cache.reads == 1
    now[0] += windows.REUSE_SECONDS + 1
    cache.of(snapshot(3), window)
    assert cache.reads == 2
