"""What a refresh shows, built once per snapshot version and shared by every open page.

A pushed version reaches twenty pages within the same second; each asks for the same tiles,
list and map colours. Built per page, that is twenty times the same Python under one
interpreter lock (the push's median was 3.2 s); built once, each page costs a lookup. The
views pages asked for lately are built again by the snapshot reader as soon as it keeps a
new version, while the pages are still hearing of it, so their callbacks find them ready.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

KEEP = 64  # entries kept: a few views (language, mode, window, level) over the newest versions
RECENT = 3  # versions back a view was last asked for and is still built ahead
AHEAD = 8  # views built ahead at most, the latest asked: what a client asks cannot grow it
log = logging.getLogger(__name__)


class PerVersion:
    """Results by key (a snapshot version among its parts), computed on first demand; the
    pages that ask meanwhile wait for that one computation instead of repeating it."""

    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.RLock()  # a computation may ask for another key
        self.computed = 0  # how many results were built (the tests count them)
        # (name, view) -> how to build it from a snapshot, and the version last asked for
        self._asked: OrderedDict[tuple[str, Hashable], tuple[Callable[[Any], Any], int]] = (
            OrderedDict()
        )

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

    def peek(self, key: Hashable) -> Any:
        """The result kept for key, None when there is none (never computes)."""
        with self._lock:
            return self._kept.get(key)

    def of(self, name: str, view: Hashable, snap: Any, build: Callable[[Any], Any]) -> Any:
        """build(snap) kept under (name, snap's version, view), as get; the view is built
        ahead for the next versions while pages keep asking for it."""
        with self._lock:
            self._asked[(name, view)] = (build, snap.version)
            self._asked.move_to_end((name, view))
            while len(self._asked) > AHEAD:
                self._asked.popitem(last=False)
        return self.get((name, snap.version, view), partial(build, snap))

    def build_ahead(self, snap: Any) -> None:
        """Build for snap every view asked for within the last RECENT versions."""
        with self._lock:
            for key in [k for k, (_, v) in self._asked.items() if snap.version - v > RECENT]:
                del self._asked[key]
            asked = list(self._asked.items())
        for (name, view), (build, _) in asked:
            try:
                self.get((name, snap.version, view), partial(build, snap))
            except Exception as exc:  # a page asking builds it again (and says why)
                log.warning("building %s ahead failed: %s", name, exc)
