"""Analysis results kept per key, served stale while the next is computed in the background:
a page never waits on a recomputation of something it already has."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

log = logging.getLogger(__name__)


class Memo:
    """Values by key, fresh for max_age seconds; an older one is returned at once and
    replaced by a background computation (one per key at a time)."""

    def __init__(self, max_age: float, keep: int = 32, clock: Callable[[], float] = time.monotonic):
        self.max_age, self.keep, self.clock = max_age, keep, clock
        self._kept: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._running: set[Hashable] = set()
        self._computing: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value for key: computed now if there is none, else the one held (refreshed in
        the background when older than max_age)."""
        with self._lock:
            held = self._kept.get(key)
            if held is not None:
                self._kept.move_to_end(key)
                if self.clock() - held[0] >= self.max_age and key not in self._running:
                    self._running.add(key)
                    threading.Thread(target=self._refresh, args=(key, compute), daemon=True).start()
                return held[1]
            gate = self._computing.setdefault(key, threading.Lock())
        with gate:  # pages asking at once for a new key wait for one computation
            with self._lock:
                held = self._kept.get(key)
            if held is not None:
                return held[1]
            value = compute()
            self._store(key, value)
            return value

    def peek(self, key: Hashable) -> Any:
        """The value held for key, however old (None: none); never computes."""
        with self._lock:
            held = self._kept.get(key)
        return None if held is None else held[1]

    def _refresh(self, key: Hashable, compute: Callable[[], Any]) -> None:
        try:
            self._store(key, compute())
        except Exception as exc:  # the old value stays; the next ask tries again
            log.warning("hotspot recomputation failed: %s", exc)
        finally:
            with self._lock:
                self._running.discard(key)

    def _store(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._kept[key] = (self.clock(), value)
            self._kept.move_to_end(key)
            while len(self._kept) > self.keep:
                old, _ = self._kept.popitem(last=False)
                self._computing.pop(old, None)
