"""Hotspot results cached per (filters, weights, data version): recomputed when points change."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from twin.catalog import Layer
from twin.db.queries import query
from twin.hotspots.analysis import HotspotResult, Prepared, builtin_catalog, prepare, run_hotspots
from twin.hotspots.filters import Filters, check_filters

# A rolling window ("30d" before now) slides even when no point arrives: a result older than
# this is recomputed so that cases leaving the window leave the map.
MAX_AGE = timedelta(minutes=1)


@dataclass(frozen=True)
class DataVersion:
    """What a result depends on: the point table's change counter and the grid fingerprint."""

    layer: int
    grids: tuple[int, int]


def fetch_data_version(conn: psycopg.Connection, table: str) -> DataVersion:
    """The data version of a point table and the grids (read it before the points)."""
    row = conn.execute(query("hotspot_data_version"), {"layer": table}).fetchone()
    assert row is not None  # an aggregate always returns a row
    return DataVersion(int(row[0]), (int(row[1]), int(row[2])))


@dataclass(frozen=True)
class _Entry:
    version: DataVersion
    computed_at: datetime
    result: HotspotResult


class HotspotCache:
    """Results per (database, filters, weights, permutations, seed), reused while the data
    version holds (and, for a rolling window, while younger than max_age)."""

    def __init__(
        self,
        layers: Mapping[str, Layer] | None = None,
        max_age: timedelta = MAX_AGE,
        size: int = 64,
    ) -> None:
        self.layers = layers or builtin_catalog()
        self.max_age = max_age
        self.size = size
        self.computed = 0  # analyses run (a test and the benchmark read it)
        self._results: OrderedDict[tuple[object, ...], _Entry] = OrderedDict()
        self._prepared: dict[tuple[object, ...], Prepared] = {}
        self._lock = threading.Lock()
        self._key_locks: dict[tuple[object, ...], threading.Lock] = {}

    def get(
        self,
        conn: psycopg.Connection,
        filters: Filters,
        now: datetime,
        weights: str = "queen",
        permutations: int = 0,
        seed: int = 0,
    ) -> HotspotResult:
        """The result for these filters at `now`: the cached one if still true, else a new one."""
        check_filters(filters, self.layers)
        where = (conn.info.host, conn.info.port, conn.info.dbname)
        key = (where, filters, weights, permutations, seed)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        # One computation per key at a time: a second caller waits for it, then reuses it.
        with key_lock:
            version = fetch_data_version(conn, self.layers[filters.layer].table)
            with self._lock:
                entry = self._results.get(key)
            if entry is not None and self._fresh(entry, version, filters, now):
                with self._lock:
                    self._results.move_to_end(key)
                return entry.result
            prepared = self._prepare(conn, where, filters.unit, weights, version)
            result = run_hotspots(
                conn, filters, now, weights, permutations, seed, self.layers, prepared
            )
            with self._lock:
                self.computed += 1
                self._results[key] = _Entry(version, now, result)
                while len(self._results) > self.size:
                    old, _ = self._results.popitem(last=False)
                    self._key_locks.pop(old, None)
            return result

    def _fresh(self, entry: _Entry, version: DataVersion, filters: Filters, now: datetime) -> bool:
        """Whether a cached entry still answers: same data, and its window has not slid away."""
        if entry.version != version:
            return False
        if filters.window.preset is None:  # a fixed range does not move with the clock
            return True
        return entry.computed_at <= now < entry.computed_at + self.max_age

    def _prepare(
        self,
        conn: psycopg.Connection,
        where: tuple[object, ...],
        unit: str,
        weights: str,
        version: DataVersion,
    ) -> Prepared:
        """Units and weights, reused while the grids keep their fingerprint."""
        key = (where, unit, weights, version.grids)
        with self._lock:
            found = self._prepared.get(key)
        if found is None:
            found = prepare(conn, unit, weights)
            with self._lock:
                stale = [k for k in self._prepared if k[:3] == key[:3]]
                for k in stale:
                    del self._prepared[k]
                self._prepared[key] = found
        return found
