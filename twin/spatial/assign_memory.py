"""Bulk assignment's fast path: the staged points clearly inside one unit of the finest level
get it in memory (twin.spatial.unit_index); the others (near an edge, outside the level, or
in a unit the index keeps out) are copied to a table of their own for PostGIS, which alone
applies the tie rule. Everything runs in the caller's transaction and temporary tables, so
a failure still leaves nothing written."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator

import numpy as np
import psycopg
import shapely
from psycopg import sql

from twin.db.queries import query
from twin.ingest.copy_binary import EWKB_POINT_WITH_SRID, SIGNATURE, TRAILER
from twin.settings import Settings
from twin.spatial.unit_index import UNDECIDED, UnitIndex, build_unit_index, decide
from twin.spatial.unit_index_file import forget_index_files, index_key, read_index, write_index

BATCH = 250_000  # points read, decided and written at a time: bounds memory at any size
SRID = 4326  # the grid's and every point layer's (migrations 002 and 004)
CACHED = 2  # unit indexes this process keeps (per database, level and grid fingerprint)
LAST_TID = "(4294967295,0)"  # past any heap page

# Read as: sid (int8, big-endian), then a 2D point's WKB (little-endian).
POINT_ROW = np.dtype([("sid", ">i8"), ("order", "u1"), ("kind", "<u4"), ("x", "<f8"), ("y", "<f8")])
# Written as binary COPY tuples: (sid bigint, grid_id bigint) and (sid bigint, geom EWKB).
ASSIGNED_TUPLE = np.dtype(
    [("fields", ">i2"), ("sid_len", ">i4"), ("sid", ">i8"), ("gid_len", ">i4"), ("gid", ">i8")]
)
REST_TUPLE = np.dtype(
    [
        ("fields", ">i2"),
        ("sid_len", ">i4"),
        ("sid", ">i8"),
        ("geom_len", ">i4"),
        ("order", "u1"),
        ("kind", "<u4"),
        ("srid", "<u4"),
        ("x", "<f8"),
        ("y", "<f8"),
    ]
)

_cache: OrderedDict[str, UnitIndex | None] = OrderedDict()
_lock = threading.Lock()


class _NotPoints(Exception):
    """A staged geometry came back as something other than a 2D point's WKB."""


def fetch_unit_index(conn: psycopg.Connection) -> UnitIndex | None:
    """The finest level's unit index, built once per database and grid fingerprint: kept in
    this process, and in TWIN_CACHE_DIR for the processes after it."""
    found = _key(conn)
    if found is None:
        return None  # no level holds units
    level, key = found
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    directory = Settings.from_env().cache_dir
    index = read_index(directory, key, level)
    if index is None:
        index = _build(conn, level)
        if _key(conn) != found:
            return index  # the grid changed while it was read: good for this call only
        if index is not None:
            write_index(directory, key, index)
    with _lock:
        _cache[key] = index
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return index


def prepare_unit_index(conn: psycopg.Connection) -> None:
    """Have the finest level's unit index ready, in this process and in its file, for the
    grid as conn sees it: a grid load or a plan publish calls it once its writes are in, so
    the next bulk load, whatever its process, reads the index instead of building it."""
    fetch_unit_index(conn)


def forget_unit_indexes(files: bool = False) -> None:
    """Drop every unit index this process holds, so the next assignment reads its file as a
    new process does; with files, those in TWIN_CACHE_DIR too, so it builds its own as after
    a grid change."""
    with _lock:
        _cache.clear()
    if files:
        forget_index_files(Settings.from_env().cache_dir)


def _key(conn: psycopg.Connection) -> tuple[str, str] | None:
    """The finest level and the key of its index at the grid as this transaction sees it
    (None when no level holds units)."""
    levels = conn.execute(query("grid_levels_loaded")).fetchone()
    if levels is None:
        return None
    row = conn.execute(query("assign_grid_fingerprint")).fetchone()
    assert row is not None  # an aggregate always returns a row
    return levels[0], index_key(levels[0], tuple(int(v) for v in row))


def _build(conn: psycopg.Connection, level: str) -> UnitIndex | None:
    """Read a level's units and index them."""
    with conn.cursor(binary=True) as cur:
        rows = cur.execute(query("assign_level_units"), {"level": level}).fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    polygons = shapely.from_wkb([bytes(r[1]) for r in rows])
    return build_unit_index(level, ids, polygons)


def assign_clear_points(
    conn: psycopg.Connection,
    stage: sql.Identifier,
    assigned: sql.Identifier,
    rest: sql.Identifier,
) -> int | None:
    """Append to `assigned` (sid, grid_id) the points of `stage` (sid, geom) clearly inside
    one unit of the finest level, put the others in a new indexed temporary table `rest`
    (sid, geom), and return how many went there; None (nothing written) when there is no
    index."""
    index = fetch_unit_index(conn)
    if index is None:
        return None
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(rest))
    conn.execute(
        sql.SQL(
            "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT sid, geom FROM {} WITH NO DATA"
        ).format(rest, stage)
    )
    left = 0
    try:
        for points in _stage_blocks(conn, stage):
            grid = decide(index, points["x"], points["y"])
            clear = grid != UNDECIDED
            _copy(conn, assigned, _assigned_tuples(points["sid"][clear], grid[clear]))
            _copy(conn, rest, _rest_tuples(points[~clear]))
            left += int((~clear).sum())
    except _NotPoints:
        conn.execute(sql.SQL("TRUNCATE {}").format(assigned))
        conn.execute(sql.SQL("DROP TABLE {}").format(rest))
        return None
    conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(rest))
    conn.execute(sql.SQL("ANALYZE {}").format(rest))
    return left


def _stage_blocks(conn: psycopg.Connection, stage: sql.Identifier) -> Iterator[np.ndarray]:
    """The staged points, BATCH or so at a time, as POINT_ROW arrays (by heap page ranges,
    so each block is one TID range scan). The rows a page holds come from the stage's
    statistics (a count when it has none): a wrong guess only changes the blocks' size."""
    row = conn.execute(
        "SELECT pg_relation_size(c.oid) / current_setting('block_size')::bigint, c.reltuples"
        " FROM pg_class c WHERE c.oid = %s::regclass",
        [stage.as_string(conn)],
    ).fetchone()
    pages, rows = (int(row[0]), float(row[1])) if row else (0, -1.0)
    if rows < 0:  # never analysed
        counted = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(stage)).fetchone()
        rows = float(counted[0]) if counted else 0.0
    step = max(1, int(pages * BATCH // max(rows, 1.0)))
    block = sql.SQL(
        "SELECT string_agg(int8send(sid) || ST_AsBinary(geom, 'NDR'), '') FROM {} "
        "WHERE ctid >= %(lo)s::tid AND ctid < %(hi)s::tid AND geom IS NOT NULL"
    ).format(stage)
    for first in range(0, max(pages, 1), step):
        hi = f"({first + step},0)" if first + step < pages else LAST_TID
        with conn.cursor(binary=True) as cur:
            got = cur.execute(block, {"lo": f"({first},0)", "hi": hi}).fetchone()
        if got is None or got[0] is None:
            continue
        points = np.frombuffer(got[0], dtype=POINT_ROW)
        if len(got[0]) % POINT_ROW.itemsize or not (
            (points["order"] == 1).all() and (points["kind"] == 1).all()
        ):
            raise _NotPoints
        yield points


def _assigned_tuples(sid: np.ndarray, grid: np.ndarray) -> bytes:
    """(sid, grid_id) rows as binary COPY tuples."""
    out = np.empty(len(sid), dtype=ASSIGNED_TUPLE)
    out["fields"], out["sid_len"], out["gid_len"] = 2, 8, 8
    out["sid"], out["gid"] = sid, grid
    return out.tobytes()


def _rest_tuples(points: np.ndarray) -> bytes:
    """(sid, geom) rows as binary COPY tuples, the point as EWKB with the stage's SRID and
    the very coordinates read (so PostGIS tests the same point)."""
    out = np.empty(len(points), dtype=REST_TUPLE)
    out["fields"], out["sid_len"], out["geom_len"] = 2, 8, 25
    out["order"], out["kind"], out["srid"] = 1, EWKB_POINT_WITH_SRID, SRID
    out["sid"], out["x"], out["y"] = points["sid"], points["x"], points["y"]
    return out.tobytes()


def _copy(conn: psycopg.Connection, table: sql.Identifier, tuples: bytes) -> None:
    """Append binary COPY tuples (sid and one more column) to a table."""
    if not tuples:
        return
    stmt = sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(table)
    with conn.cursor().copy(stmt) as copy:
        copy.write(SIGNATURE + tuples + TRAILER)
