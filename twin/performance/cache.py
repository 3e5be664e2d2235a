"""Evaluations kept in memory per (database, period, grouping, data version): the page asks
the same evaluation again (each visit, each language) without reading the cases again."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import psycopg

from twin.activity import Clock
from twin.catalog.terms import Terms
from twin.db.queries import query
from twin.performance.measures import Evaluation, Grouping, fetch_evaluation
from twin.performance.period import Period

# Overdue and open stages follow the clock without any write: an evaluation older than this
# is read again even when no case changed.
MAX_AGE = timedelta(minutes=1)
SIZE = 32  # evaluations kept; the least recently asked goes first


def fetch_data_version(conn: psycopg.Connection) -> tuple[int, int]:
    """The cases' change counter and the change clock (read before the evaluation)."""
    row = conn.execute(query("performance_data_version")).fetchone()
    assert row is not None  # a SELECT of two scalars always returns a row
    return int(row[0]), int(row[1] or 0)


@dataclass(frozen=True)
class _Entry:
    version: tuple[int, int]
    evaluation: Evaluation


class EvaluationCache:
    """Evaluations reused while the data version holds and they are younger than max_age."""

    def __init__(
        self,
        size: int = SIZE,
        max_age: timedelta = MAX_AGE,
        read: Callable[..., Evaluation] = fetch_evaluation,
    ) -> None:
        self.size = size
        self.max_age = max_age
        self.read = read
        self.computed = 0  # evaluations read from the store (tests read it)
        self._entries: OrderedDict[tuple[object, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        conn: psycopg.Connection,
        period: Period,
        grouping: Grouping,
        clock: Clock,
        terms: Terms,
    ) -> Evaluation:
        """The evaluation of the period by the grouping: from memory if still true."""
        where = (conn.info.host, conn.info.port, conn.info.dbname)
        key = (where, period, grouping.by, clock.tz)
        version = fetch_data_version(conn)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self._fresh(entry, version, clock):
                self._entries.move_to_end(key)
                return entry.evaluation
        evaluation = self.read(conn, period, grouping, clock, terms)
        with self._lock:
            self.computed += 1
            self._entries[key] = _Entry(version, evaluation)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return evaluation

    def __len__(self) -> int:
        return len(self._entries)

    def _fresh(self, entry: _Entry, version: tuple[int, int], clock: Clock) -> bool:
        at = entry.evaluation.at
        return entry.version == version and at <= clock.now < at + self.max_age
