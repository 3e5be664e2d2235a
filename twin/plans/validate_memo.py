"""What validation kept from the maps it checked before, by the exact bytes of the shapes: an
edit changes a few units, so the next check of the plan recomputes only the pieces whose
shapes changed (a parent's cover by its children, a pair's overlap, a unit inside its parent)
and takes the rest as they were. Same bytes in, same result out: identical to a full check.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
import shapely

LIMIT_BYTES = 64 * 2**20  # of shapes' bytes in the keys, per memo: a few districts' units


class Memo:
    """Results by key, computed for the missing keys in one vectorised call; the least
    recently used go first once the keys hold more than LIMIT_BYTES of shapes."""

    def __init__(self, limit_bytes: int = LIMIT_BYTES) -> None:
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self._bytes = 0
        self.limit_bytes = limit_bytes
        self._lock = threading.Lock()

    def many(
        self, keys: Sequence[Hashable], compute: Callable[[np.ndarray], Sequence[Any]]
    ) -> list[Any]:
        """The result of each key; `compute` gets the indices of the keys not kept."""
        with self._lock:
            got = [self._kept.get(k, _MISSING) for k in keys]
            for k, g in zip(keys, got, strict=True):
                if g is not _MISSING:
                    self._kept.move_to_end(k)
        missing = np.array([i for i, g in enumerate(got) if g is _MISSING], dtype=int)
        if len(missing):
            fresh = compute(missing)
            with self._lock:
                for i, value in zip(missing, fresh, strict=True):
                    got[int(i)] = value
                    self._keep(keys[int(i)], value)
        return got

    def _keep(self, key: Hashable, value: Any) -> None:
        if key not in self._kept:
            self._bytes += _size(key)
        self._kept[key] = value
        while self._bytes > self.limit_bytes and self._kept:
            old, _ = self._kept.popitem(last=False)
            self._bytes -= _size(old)

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._kept.clear()
            self._bytes = 0


def _size(key: Hashable) -> int:
    """About what a key holds: its shapes' bytes (a key is bytes or a tuple of them)."""
    parts = key if isinstance(key, tuple) else (key,)
    return 64 + sum(len(p) if isinstance(p, bytes | bytearray) else 8 for p in parts)


_MISSING = object()
COVERS = Memo()  # (parent, unit) → the parent covers the unit
INNER = Memo()  # (a, b) → their interiors meet
CUTS = Memo()  # (parent, children) → the parent's parts no child covers
PARTS = Memo()  # a unit → its separate polygons


def wkb_of(geoms: np.ndarray) -> list[bytes]:
    """The exact bytes of each shape (the memos' keys)."""
    return list(shapely.to_wkb(geoms, hex=False)) if len(geoms) else []


def clear_all() -> None:
    """Forget everything kept (a full check from scratch)."""
    for memo in (COVERS, INNER, CUTS, PARTS):
        memo.clear()
