"""A level's units as the status shows them (code, name, officer, population, ...), kept per
map version beside the counts read fresh each time: the units change only when the map does
(a plan published, a unit renamed), the counts with every case, and at 50,000 units building
their text columns cost more than reading the counts."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

KEPT = 64  # levels and parents' children, over every database this process reads


@dataclass(frozen=True)
class Units:
    """One level's (or parent's) units in code order, read at one map version."""

    map_version: int
    frame: pd.DataFrame  # id, code, name, level, parent_id, officer, population, ...


class UnitsCache:
    """The units last read per key (database, level, parent), the least recently used
    dropped first; shared by the threads of a process."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._units: OrderedDict[Hashable, Units] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, map_version: int) -> Units | None:
        """The units kept under key if they are of that map version."""
        with self._lock:
            units = self._units.get(key)
            if units is None or units.map_version != map_version:
                return None
            self._units.move_to_end(key)
            return units

    def clear(self) -> None:
        """Keep nothing (the next read of each level reads its units too)."""
        with self._lock:
            self._units.clear()

    def drop(self, key: Hashable) -> None:
        """Forget what is kept under key."""
        with self._lock:
            self._units.pop(key, None)

    def put(self, key: Hashable, units: Units) -> None:
        """Keep units under key, unless units of a later map version are kept there."""
        with self._lock:
            old = self._units.get(key)
            if old is None or old.map_version <= units.map_version:
                self._units[key] = units
            self._units.move_to_end(key)
            while len(self._units) > self.kept:
                self._units.popitem(last=False)


@dataclass(frozen=True)
class Counts:
    """A level's counts as read: a row per unit sent (overdue, grid_id, then each count),
    perhaps of other units too, and how many units the level has."""

    table: np.ndarray
    names: list[str]
    units: int


def joined(units: Units, counts: Counts) -> pd.DataFrame | None:
    """The status rows: each unit's columns, then its overdue, grid_id and counts (a row of
    the table each, in any order, among others'); None when the units are not exactly the
    level's."""
    own = units.frame["id"].to_numpy().astype(np.int64, copy=False)
    table, names = counts.table, counts.names
    ids = table[:, 1]
    if len(own) != counts.units:
        return None
    rows = np.argsort(ids, kind="stable")
    if len(ids):
        rows = rows[np.minimum(np.searchsorted(ids, own, sorter=rows), len(ids) - 1)]
    if not np.array_equal(ids[rows], own):
        return None
    # pandas' copy-on-write (pandas >= 3) keeps the kept units apart from what callers do to
    # the frame, so they are shared, not copied (copying their text cost 6.7 ms at 50,000);
    # numbered afresh, as the counts' rows are, for the two to line up
    head = units.frame.reset_index(drop=True)
    # One block for all the counts: a column at a time costs 5x as much at 50,000 units.
    tail = pd.DataFrame(table[rows], columns=["overdue", "grid_id", *names], copy=False)
    return pd.concat([head, tail], axis=1)
