"""grid_stat.counts read back: each unit's count columns packed as 8-byte big-endian integers
(migration 027), one value per unit, so a level's counts arrive as one block of bytes and
become arrays in one step instead of some 60 Python integers per unit."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WIDTH = 8  # bytes per count (int8send)


class CountsChanged(RuntimeError):
    """The packed counts hold another number of columns than the names read beside them
    (a column was added between the two reads)."""


def unpack(blobs: Sequence[bytes], names: Sequence[str]) -> dict[str, np.ndarray]:
    """Each count column of the units whose packed counts these are, as int64 arrays."""
    packed = np.frombuffer(b"".join(blobs), dtype=">i8")
    if packed.size != len(blobs) * len(names):
        raise CountsChanged(f"{packed.size} counts for {len(blobs)} units of {len(names)}")
    table = packed.reshape(len(blobs), len(names)).astype(np.int64)
    return {name: table[:, i] for i, name in enumerate(names)}


def unpack_units(packed: bytes, names: Sequence[str], n: int) -> np.ndarray:
    """level_counts' packed bytes as one row per unit (n of them): overdue, grid_id, then
    each count."""
    width = len(names) + 2
    flat = np.frombuffer(packed, dtype=">i8")
    if flat.size != n * width:
        raise CountsChanged(f"{flat.size} values are not {n} units of {width}")
    return flat.reshape(-1, width).astype(np.int64)
