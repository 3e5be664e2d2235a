"""What validation kept from the maps it checked before, by the exact bytes of the shapes: an
edit changes a few units, so the next check of the plan recomputes only the pieces whose
shapes changed (a parent's cover by its children, a pair's overlap, a unit inside its parent)
and takes the rest as they were. Same bytes in, same result out: identical to a full check.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
import shapely

Compute = Callable[[np.ndarray], Sequence[Any]]
LIMIT = 50_000  # entries per memo: a few districts' units; past it the memo starts afresh


class Memo:
    """Results by key, computed for the missing keys in one vectorised call."""

    def __init__(self) -> None:
        self._kept: dict[Hashable, Any] = {}
        self._lock = threading.Lock()
        self.enabled = True

    def many(
        self, keys: Sequence[Hashable], compute: Callable[[np.ndarray], Sequence[Any]]
    ) -> list[Any]:
        """The result of each key; `compute` gets the indices of the keys not kept."""
        with self._lock:
            got = [self._kept.get(k, _MISSING) for k in keys]
        missing = np.array([i for i, g in enumerate(got) if g is _MISSING], dtype=int)
        if len(missing):
            fresh = compute(missing)
            with self._lock:
                if len(self._kept) + len(missing) > LIMIT:
                    self._kept.clear()
                for i, value in zip(missing, fresh, strict=True):
                    got[int(i)] = value
                    self._kept[keys[int(i)]] = value
        return got

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._kept.clear()


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
