"""One read of the whole city per refresh, shared by every open page and kept by version.

A wall of screens and a room of duty officers cost one set of queries per interval, and a
refresh can send each page only what changed since the version it holds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import pandas as pd
import psycopg
from psycopg_pool import ConnectionPool

from twin.activity import (
    Clock,
    city_status,
    fetch_activity,
    fetch_feed,
    fetch_today,
    fetch_trend,
    fetch_yesterday,
)
from twin.app.delta import (
    WINDOW,
    add_moved,
    direct_moved,
    merge_rows,
    parents_of,
    roll_up,
    window_column,
    with_ancestors,
)
from twin.app.measures import with_derived, with_held_posts
from twin.catalog.terms import Terms
from twin.changes import (
    ChangeClock,
    fetch_change_clock,
    fetch_changed_units,
    fetch_unit_statuses,
    fetch_units_falling_due,
    fetch_window_direct,
)
from twin.spatial.status import Thresholds
from twin.store import fetch_grid_statuses, fetch_grid_version, fetch_unassigned
from twin.window import DEFAULT, TimeWindow

KEEP = 6  # versions kept for computing what changed
# Seconds from the start of one read to the start of the next, however often the store
# notifies: under steady intake (50 cases/s) the reader otherwise re-reads back to back and
# takes the interpreter from the requests. A write after a quiet spell is read at once.
MIN_GAP = 0.5
WINDOW_TTL = 600.0  # seconds the 30-day figures are carried over between snapshots
# Seconds the reader gives the woken pages' answers (a few ms of Python each, under the same
# interpreter lock) before it builds what they will ask for next.
GIVE_WAY = 0.02
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
    # When the 30-day figures were last read, in the reader's monotonic seconds. A monotonic
    # clock counts from an arbitrary point (boot), so no value of it means "long ago".
    window_read: float | None = None
    # The grid table's fingerprint (twin.store.fetch_grid_version) when read: a publish or a
    # load changes it, and the map's outline URLs carry it so open pages fetch new outlines.
    map_version: tuple[int, int] = (0, 0)
    # The store's change clock as of the read (None: read without it), each grid's cases
    # reported in the default window (not rolled up) and where that window started: what a
    # refresh that follows the change starts from.
    changes: ChangeClock | None = None
    direct: dict[int, int] | None = None
    start: datetime | None = None
    parents: dict[int, int | None] | None = None  # each unit's parent id, as of the read

    @cached_property
    def leaves(self) -> pd.DataFrame:
        """The units with no unit under them, whatever their level (the grids of a city of
        four levels; the districts of a city of districts): what the attention list ranks."""
        return leaf_units(self.levels)


def top_units(levels: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The units directly under the city, whatever their level."""
    units = _all_units(levels)
    return units[units["parent_id"].isna().to_numpy(dtype=bool)]


def leaf_units(levels: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The units no unit names as its parent."""
    units = _all_units(levels)
    return units[~units["id"].isin(units["parent_id"].dropna())]


def _all_units(levels: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in levels.values() if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else next(iter(levels.values()))


def read_snapshot(
    pool: ConnectionPool,
    version: int,
    clock: Clock,
    t: Thresholds,
    previous: Snapshot | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    *,
    terms: Terms,
) -> Snapshot:
    """Read every level's status (with the default window's counts) and the city's figures.

    The 30-day figures (median handling, on-time share, the trend's past days) move slowly
    and cost a scan of the window (3 s at metro size): they are carried over from the
    previous snapshot for WINDOW_TTL seconds within the same local day; today's are always
    read.
    """
    started = time.perf_counter()
    levels = {}
    start = TimeWindow(DEFAULT).span(clock).start
    with pool.connection() as conn:
        # The clock first: whatever is read after it is at least as new as its version.
        changes = fetch_change_clock(conn)
        direct = fetch_window_direct(conn, start)
        for level in terms.levels:
            levels[level] = fetch_grid_statuses(conn, level, clock.now, t)
        parents = parents_of(levels)
        totals = roll_up(direct, parents)
        levels = {lv: f.assign(**{WINDOW: window_column(f, totals)}) for lv, f in levels.items()}
        levels = with_derived(levels)
        figures = _city_figures(conn, clock, previous, monotonic(), terms, levels, t)
        map_version = fetch_grid_version(conn)
    took = (time.perf_counter() - started) * 1000
    city, activity, trend, feed, window_read = figures
    return Snapshot(
        version,
        clock,
        levels,
        city,
        activity,
        trend,
        feed,
        took,
        window_read,
        map_version,
        changes=changes,
        direct=direct,
        start=start,
        parents=parents,
    )


def read_delta(
    pool: ConnectionPool,
    version: int,
    clock: Clock,
    t: Thresholds,
    previous: Snapshot,
    monotonic: Callable[[], float] = time.monotonic,
    *,
    terms: Terms,
    also: frozenset[int] = frozenset(),
) -> Snapshot | None:
    """The previous snapshot with only the units that moved since it re-read: those whose
    counters a write moved, those with a case that fell due meanwhile (and also: units a
    benchmark has re-read as if moved). None when only a full read will do (the map
    changed, the window moved on, the 30-day figures are due)."""
    start = TimeWindow(DEFAULT).span(clock).start
    if (
        previous.changes is None
        or previous.direct is None
        or previous.start != start
        or not _window_fresh(previous, clock, monotonic())
    ):
        return None
    started = time.perf_counter()
    with pool.connection() as conn:
        changes = fetch_change_clock(conn)
        if changes.map_version > previous.changes.version:
            return None
        moved = fetch_changed_units(conn, previous.changes.version)
        moved |= fetch_units_falling_due(conn, previous.clock.now, clock.now) | also
        ids = sorted(moved - {0})  # the unassigned points are read every time
        fresh = fetch_unit_statuses(conn, ids, clock.now, t) if ids else None
        # A unit may hold points itself (a community's ground outside its grids): a case
        # moving from it into one of its grids leaves its total, not its own count, as it was.
        parents = previous.parents or parents_of(previous.levels)
        under = with_ancestors(ids, parents)
        direct, diff = direct_moved(previous.direct, fetch_window_direct(conn, start, under), under)
        try:
            levels = _merged(previous.levels, fresh, roll_up(diff, parents))
        except KeyError:  # a unit the snapshot does not hold: read it all
            return None
        figures = _city_figures(conn, clock, previous, monotonic(), terms, levels, t)
    took = (time.perf_counter() - started) * 1000
    city, activity, trend, feed, window_read = figures
    return Snapshot(
        version,
        clock,
        levels,
        city,
        activity,
        trend,
        feed,
        took,
        window_read,
        previous.map_version,  # the map did not change (else a full read)
        changes=changes,
        direct=direct,
        start=start,
        parents=parents,
    )


def _merged(
    held: dict[str, pd.DataFrame], fresh: pd.DataFrame | None, moved: dict[int, int]
) -> dict[str, pd.DataFrame]:
    """The held levels with the re-read units' rows in place and window counts moved."""
    out = {}
    for level, frame in held.items():
        rows = None if fresh is None else fresh[fresh["level"] == level]
        merged = frame if rows is None else merge_rows(frame, rows, (WINDOW, "officers"))
        out[level] = add_moved(merged, moved)
    return with_held_posts(out) if fresh is not None else out


def _city_figures(
    conn: psycopg.Connection,
    clock: Clock,
    previous: Snapshot | None,
    mono_now: float,
    terms: Terms,
    levels: dict[str, pd.DataFrame],
    t: Thresholds,
) -> tuple[dict[str, Any], dict[str, Any], pd.DataFrame, pd.DataFrame, float | None]:
    """The city's status, activity, trend and feed (the 30-day parts carried when fresh)."""
    city = city_status(top_units(levels), fetch_unassigned(conn, clock.now), t)
    if previous is not None and _window_fresh(previous, clock, mono_now):
        flow, reported = fetch_today(conn, None, clock)
        activity = carry_activity(previous.activity, flow)
        trend = previous.trend.copy()
        trend.iloc[-1] = [reported.get(c, 0) for c in trend.columns]
        window_read = previous.window_read
    else:
        activity = fetch_activity(conn, None, clock)
        trend = fetch_trend(conn, None, clock, terms.categories)
        window_read = mono_now
    activity |= fetch_yesterday(conn, None, clock)  # the tiles' changes against it
    return city, activity, trend, fetch_feed(conn, 12), window_read


def with_window_counts(frame: pd.DataFrame, counts: dict[str, int]) -> pd.DataFrame:
    """A level's statuses with the cases reported in a window (code -> count; absent: 0)."""
    return frame.assign(incidents_window=[counts.get(c, 0) for c in frame["code"]])


def carry_activity(previous: dict[str, Any], today: dict[str, int]) -> dict[str, Any]:
    """The window's figures carried over with today's read afresh: within one local day the
    window starts where it did, so its counts move by today's."""
    moved = {
        f"{what}_window": previous[f"{what}_window"] - previous[f"{what}_today"] + today[key]
        for what, key in (("new", "new_today"), ("closed", "closed_today"))
    }
    return previous | today | moved


def _window_fresh(previous: Snapshot, clock: Clock, mono_now: float) -> bool:
    """Whether the previous snapshot's 30-day figures may be carried over."""
    return (
        previous.window_read is not None
        and previous.clock.today == clock.today
        and mono_now - previous.window_read < WINDOW_TTL
    )


class Snapshots:
    """The newest snapshot, re-read at once when the store notifies a change (only what
    moved) and at least every max_age seconds; a few old ones kept."""

    def __init__(
        self,
        pool: ConnectionPool,
        thresholds: Thresholds,
        tz: str,
        max_age: float,
        *,
        terms: Terms,
        min_gap: float = MIN_GAP,
    ):
        self.pool, self.thresholds, self.tz, self.max_age = pool, thresholds, tz, max_age
        self.terms, self.min_gap = terms, min_gap
        self._kept: OrderedDict[int, Snapshot] = OrderedDict()
        self._lock = threading.Lock()  # guards _kept only
        self._stored = threading.Condition(self._lock)  # notified when a version is kept
        self._reading = threading.Lock()  # one snapshot query at a time
        self._wake = threading.Event()  # set by the listener: the store changed
        self._began = 0.0  # monotonic time the newest kept snapshot's read began
        # Called by the background reader with each snapshot it keeps, once the pages
        # waiting for it were woken (what they will ask for is built meanwhile).
        self.on_new: list[Callable[[Snapshot], None]] = []

    def current(self) -> Snapshot:
        """The newest snapshot. Only the very first read makes a page wait (and every page
        that asks meanwhile waits for that same read): afterwards the background reader
        replaces it, and readers never hold the lock while querying."""
        newest = self.newest()
        if newest is not None:
            return newest
        with self._reading:
            newest = self.newest()  # read by the caller this one waited for
            return newest if newest is not None else self._read_next()

    def version(self) -> int:
        """The newest snapshot's version (0 before the first read); no query."""
        newest = self.newest()
        return newest.version if newest is not None else 0

    def wait_newer(self, known: int, timeout: float) -> Snapshot | None:
        """The newest snapshot once its version is no longer known (or when timeout seconds
        have passed); a server that started again may hold a lower one than a page knows."""
        with self._stored:
            self._stored.wait_for(lambda: self._version_held() != known, timeout)
            return self._newest_held()

    def _version_held(self) -> int:
        return next(reversed(self._kept)) if self._kept else 0  # the lock is held

    def _newest_held(self) -> Snapshot | None:
        return next(reversed(self._kept.values())) if self._kept else None  # the lock is held

    def changed(self) -> None:
        """Wake the reader: the store notified a change (safe from any thread)."""
        self._wake.set()

    def newest(self) -> Snapshot | None:
        """The newest snapshot, None before the first read; never reads."""
        with self._lock:
            return self._newest_held()

    def refresh(self, since: float) -> Snapshot:
        """Read what moved since the newest snapshot (everything when that will not do),
        unless a read that began at or after `since` (monotonic) was kept meanwhile."""
        with self._reading:  # one query at a time; pages keep reading the last snapshot
            newest = self.newest()
            if newest is not None and self._began >= since:
                return newest  # e.g. the first page read it while the reader was starting
            return self._read_next()

    def _read_next(self) -> Snapshot:
        began, clock = time.monotonic(), Clock.current(self.tz)
        with self._lock:
            version = (next(reversed(self._kept)) + 1) if self._kept else 1
            previous = self._kept[version - 1] if version > 1 else None
        args = (self.pool, version, clock, self.thresholds)
        snap = read_delta(*args, previous, terms=self.terms) if previous else None
        if snap is None:
            snap = read_snapshot(*args, previous, terms=self.terms)
        with self._lock:
            self._kept[version], self._began = snap, began
            while len(self._kept) > KEEP:
                self._kept.popitem(last=False)
            self._stored.notify_all()  # the pages waiting for a new version
        return snap

    def start(self) -> threading.Thread:
        """Re-read on each wake-up and every max_age seconds, at most once per min_gap, in a
        daemon thread until the pool closes. Notifications that arrive during a read (or the
        gap) are served by one more read."""

        # A page's first read may begin before this thread runs: it is as new as needed.
        since = time.monotonic()

        def loop() -> None:
            first = True
            while not self.pool.closed:
                self._wake.clear()
                started = time.monotonic()
                try:
                    snap = self.refresh(since if first else started)
                    first = False
                    if self.on_new:
                        time.sleep(GIVE_WAY)
                    for then in self.on_new:
                        then(snap)
                except Exception as exc:  # a database hiccup must not end the refreshes
                    log.warning("snapshot read failed: %s", exc)
                self._wake.wait(self.max_age)
                # The writes notified meanwhile wait for one read after the gap.
                time.sleep(max(0.0, started + self.min_gap - time.monotonic()))

        thread = threading.Thread(target=loop, name="twin-snapshots", daemon=True)
        thread.start()
        return thread

    def get(self, version: int | None) -> Snapshot | None:
        """A kept snapshot by version (None when too old or unknown)."""
        with self._lock:
            return self._kept.get(version) if version is not None else None
