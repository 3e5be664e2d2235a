"""grid_stat.counts read back: each unit's count columns packed as big-endian integers in
the fewest bytes all of that unit's counts fit in, 2, 4 or 8 (migrations 027 and 029). One
value per unit, so a level's counts arrive as a few blocks of bytes and become arrays in one
step instead of some 60 Python integers per unit."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

WIDTHS = (">i2", ">i4", ">i8")  # a unit's counts all in one of these, the narrowest that fits


class CountsChanged(RuntimeError):
    """The packed counts hold another number of columns than the names read beside them
    (a column was added between the two reads)."""


def unpack(blobs: Sequence[bytes], names: Sequence[str]) -> dict[str, np.ndarray]:
    """Each count column of the units whose packed counts these are, as int64 arrays."""
    k = len(names)
    sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    table = np.empty((len(blobs), k), dtype=np.int64)
    unread = np.ones(len(blobs), dtype=bool)
    for width in WIDTHS:
        rows = unread & (sizes == np.dtype(width).itemsize * k)
        unread &= ~rows
        if rows.any() and k:
            picked = b"".join(b for b, keep in zip(blobs, rows, strict=True) if keep)
            table[rows] = np.frombuffer(picked, dtype=width).reshape(-1, k)
    if unread.any():
        raise CountsChanged(f"packed counts of {sorted(set(sizes.tolist()))} bytes for {k}")
    return {name: table[:, i] for i, name in enumerate(names)}


def unpack_units(packed: Sequence[bytes | None], names: Sequence[str], n: int) -> np.ndarray:
    """level_counts' packed bytes as one row per unit (n of them, in any order): overdue,
    grid_id, then each count; packed holds the units whose counts take each of WIDTHS."""
    parts = [_units(data, names, width) for data, width in zip(packed, WIDTHS, strict=True)]
    if sum(len(p) for p in parts) != n:
        raise CountsChanged(f"{sum(len(p) for p in parts)} units' counts, not the {n} sent")
    # Filled in place, not concatenated: a copy of the whole level cost 9 ms at metro size.
    table = np.empty((n, len(names) + 2), dtype=np.int64)
    at = 0
    for rows in parts:
        table[at : at + len(rows), :2] = rows["head"]
        table[at : at + len(rows), 2:] = rows["counts"].reshape(len(rows), len(names))
        at += len(rows)
    return table


def _units(packed: bytes | None, names: Sequence[str], width: str) -> np.ndarray:
    # Per unit: 8-byte overdue and grid_id, then its counts in the width given.
    unit = np.dtype([("head", ">i8", (2,)), ("counts", width, (len(names),))])
    data = packed or b""
    if len(data) % unit.itemsize:
        raise CountsChanged(f"{len(data)} bytes are not units of {len(names)} counts")
    return np.frombuffer(data, dtype=unit)
