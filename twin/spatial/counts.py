"""grid_stat.counts read back: each unit's count columns packed as big-endian integers, 4
bytes each when all of the unit's counts fit in 4 and 8 bytes each when one does not
(migrations 027 and 029). One value per unit, so a level's counts arrive as one block of
bytes and become arrays in one step instead of some 60 Python integers per unit."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

NARROW, WIDE = ">i4", ">i8"  # a unit's counts: all in 4 bytes, or (one does not fit) all in 8


class CountsChanged(RuntimeError):
    """The packed counts hold another number of columns than the names read beside them
    (a column was added between the two reads)."""


def unpack(blobs: Sequence[bytes], names: Sequence[str]) -> dict[str, np.ndarray]:
    """Each count column of the units whose packed counts these are, as int64 arrays."""
    k = len(names)
    sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    narrow = sizes == 4 * k
    if not (narrow | (sizes == 8 * k)).all():
        raise CountsChanged(f"packed counts of {sorted(set(sizes.tolist()))} bytes for {k}")
    table = np.empty((len(blobs), k), dtype=np.int64)
    for rows, dtype in ((narrow, NARROW), (~narrow, WIDE)):
        if rows.any() and k:
            picked = b"".join(b for b, keep in zip(blobs, rows, strict=True) if keep)
            table[rows] = np.frombuffer(picked, dtype=dtype).reshape(-1, k)
    return {name: table[:, i] for i, name in enumerate(names)}


def unpack_units(
    narrow: bytes | None, wide: bytes | None, names: Sequence[str], n: int
) -> np.ndarray:
    """level_counts' packed bytes as one row per unit (n of them, in any order): overdue,
    grid_id, then each count; narrow holds the units whose counts take 4 bytes, wide the
    others."""
    parts = [_units(narrow, names, NARROW), _units(wide, names, WIDE)]
    # Not concatenated when all are narrow (every real level): the copy cost 9 ms at metro.
    table = parts[0] if not len(parts[1]) else np.concatenate(parts)
    if len(table) != n:
        raise CountsChanged(f"{len(table)} units' counts are not the {n} units counted")
    return table


def _units(packed: bytes | None, names: Sequence[str], count: str) -> np.ndarray:
    # Per unit: 8-byte overdue and grid_id, then its counts in the width given.
    unit = np.dtype([("head", ">i8", (2,)), ("counts", count, (len(names),))])
    data = packed or b""
    if len(data) % unit.itemsize:
        raise CountsChanged(f"{len(data)} bytes are not units of {len(names)} counts")
    rows = np.frombuffer(data, dtype=unit)
    table = np.empty((len(rows), len(names) + 2), dtype=np.int64)
    table[:, :2] = rows["head"]
    table[:, 2:] = rows["counts"].reshape(len(rows), len(names))
    return table
