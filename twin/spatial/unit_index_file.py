"""A unit index kept in a file, so a new process (every `twin load` is one) reads in
milliseconds what takes about a second to build at city size.

A file is named by, and holds, the key of what it was built from: the build (a digest of the
code that builds an index and of this file format), the database, the level and the grid
table's fingerprint (assign_grid_fingerprint.sql: it moves with every write to the grid). So a
write to the grid means another file. One that is missing, cut short or damaged (the archive's
checksums, then the arrays' lengths and ranges) reads as None: the caller builds again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from twin.spatial import unit_index
from twin.spatial.unit_index import UNDECIDED, UnitIndex

FORMAT = b"unit-index-file 1"  # change it with the arrays a file holds
# What an index depends on besides its units: this format, the code and query that build it,
# and GEOS (whose buffers make each INNER).
BUILD = hashlib.sha256(
    FORMAT
    + shapely.geos_version_string.encode()
    + Path(unit_index.__file__).read_bytes()
    + (
        Path(unit_index.__file__).parents[1] / "sql" / "queries" / "assign_level_units.sql"
    ).read_bytes()
).hexdigest()[:16]
KEPT = 8  # files kept in the directory, newest first (one per grid state a process met)
# What reading a file that is not a sound archive of the expected arrays raises (TypeError:
# a bare .npy array, which is no archive).
UNREADABLE = (
    OSError,
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    EOFError,
    zipfile.BadZipFile,
    shapely.errors.GEOSException,
)


def index_key(level: str, database: tuple[int, ...]) -> str:
    """The key of the index of a level's units, in a database at one grid fingerprint."""
    return "/".join([BUILD, level, *map(str, database)])


def read_index(directory: Path, key: str, level: str) -> UnitIndex | None:
    """The index kept under that key, or None when there is none or it is unsound."""
    try:
        with np.load(_path(directory, key), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        return _index(level, key, arrays)
    except UNREADABLE:
        return None


def write_index(directory: Path, key: str, index: UnitIndex) -> None:
    """Keep the index under that key (written whole, then renamed into place, so a reader
    never meets half a file), and drop all but the KEPT newest files. A directory that cannot
    be written only costs the next process a build."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix="units-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            arrays: dict[str, Any] = _arrays(index, key)  # (savez types its keywords bool)
            np.savez(out, allow_pickle=False, **arrays)
        os.replace(temporary, _path(directory, key))
        _prune(directory)
    except OSError:
        return


def forget_index_files(directory: Path) -> None:
    """Remove every index file of the directory."""
    for path in directory.glob("units-*.npz"):
        path.unlink(missing_ok=True)


def _path(directory: Path, key: str) -> Path:
    return directory / f"units-{hashlib.sha256(key.encode()).hexdigest()[:32]}.npz"


def _prune(directory: Path) -> None:
    """Remove all but the KEPT newest index files (and leftovers of writes cut short)."""
    files = sorted(directory.glob("units-*.npz"), key=_age)
    # A write in progress in another process is younger than a minute: left to finish.
    cut_short = [p for p in directory.glob("units-*.tmp") if _age(p) > 60]
    for old in files[KEPT:] + cut_short:
        old.unlink(missing_ok=True)


def _age(path: Path) -> float:
    """Seconds since the file was written (infinite when another process just removed it)."""
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return float("inf")


def _arrays(index: UnitIndex, key: str) -> dict[str, np.ndarray]:
    """The index as plain arrays, each of the smallest integer type that holds it."""
    wkb = shapely.to_wkb(index.inner)
    counts = np.diff(index.starts)
    return {
        "key": np.array(key),
        "ids": index.ids,
        "wkb": np.frombuffer(b"".join(wkb), dtype=np.uint8),
        "wkb_ends": np.cumsum([len(w) for w in wkb]),
        "raster": np.array([index.x0, index.y0, index.size]),
        "shape": np.array([index.nx, index.ny]),
        "solid": index.solid.astype(np.min_scalar_type(-len(index.ids))),
        "counts": counts.astype(np.min_scalar_type(int(counts.max(initial=0)))),
        "candidates": index.candidates.astype(np.min_scalar_type(len(index.ids))),
    }


def _index(level: str, key: str, a: dict[str, np.ndarray]) -> UnitIndex:
    """The index those arrays hold; ValueError when they are not a sound one for that key."""
    nx, ny = (int(v) for v in a["shape"])
    x0, y0, size = (float(v) for v in a["raster"])
    units, buckets = len(a["ids"]), nx * ny
    ends = a["wkb_ends"].astype(np.int64)
    sound = (
        str(a["key"]) == key
        and nx > 0
        and ny > 0
        and np.isfinite([x0, y0, size]).all()
        and size > 0
        and units > 0
        and len(ends) == units
        and int(ends[-1]) == len(a["wkb"])
        and len(a["solid"]) == len(a["counts"]) == buckets
        and int(a["counts"].sum(dtype=np.int64)) == len(a["candidates"])
        and int(a["solid"].min()) >= UNDECIDED
        and int(a["solid"].max()) < units
        and int(a["candidates"].min(initial=0)) >= 0
        and int(a["candidates"].max(initial=0)) < units
    )
    if not sound:
        raise ValueError("not a sound unit index for this key")
    blob = a["wkb"].tobytes()
    inner = shapely.from_wkb([blob[s:e] for s, e in zip(np.r_[0, ends[:-1]], ends, strict=True)])
    shapely.prepare(inner)
    starts = np.zeros(buckets + 1, dtype=np.int64)
    np.cumsum(a["counts"], out=starts[1:])
    return UnitIndex(
        level,
        a["ids"].astype(np.int64),
        inner,
        x0,
        y0,
        size,
        nx,
        ny,
        a["solid"].astype(np.int32),
        starts,
        a["candidates"].astype(np.int32),
    )
