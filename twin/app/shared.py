"""What a refresh shows, built once per snapshot version and shared by every open page.

A pushed version reaches twenty pages within the same second; each asks for the same tiles,
list and map colours. Built per page, that is twenty times the same Python under one
interpreter lock (the push's median was 3.2 s); built once, each page costs a lookup.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

KEEP = 64  # entries kept: a few views (language, mode, window, level) over the newest versions


class PerVersion:
    """Results by key (a snapshot version among its parts), computed on first demand; the
    pages that ask meanwhile wait for that one computation instead of repeating it."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.RLock()  # a computation may ask for another key
        self.computed = 0  # how many results were built (the tests count them)

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result kept for key, else compute() kept for the next page that asks."""
        with self._lock:  # held while computing: the same work twice would only queue anyway
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            value = compute()
            self.computed += 1
            self._kept[key] = value
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)
            return value
