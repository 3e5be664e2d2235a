"""A point load straight into its empty table: the file's rows go by COPY into the table
itself, each with the unit the reading process finds it clearly inside (the rest placed by
PostGIS after), and the table's indexes and keys are built once at the end. What this path
cannot load as the staged one would (a problem in the file, a repeated code, an empty
value the table refuses) hands the load over to the staged path, which reports it: nothing
written here stays."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Generator, Sequence

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from twin.ingest import bulk, copy_binary, csv_parts, indexes
from twin.ingest.stream import Make, Reading, Ready, Streamed, stream
from twin.ingest.validate import convert_chunk
from twin.spatial.assign_memory import SRID, fetch_unit_index
from twin.spatial.unit_index import UNDECIDED, UnitIndex, decide

PLACED = ("grid_id", "geom")  # the columns the path writes besides the file's


class Handover(Exception):
    """The staged path must load this file; the direct path left nothing written."""


def load(conn: psycopg.Connection, reading: Reading) -> tuple[Streamed, int] | None:
    """Load the file straight into the layer's table, inside the caller's transaction:
    (what was read, rows inserted), or None, with nothing written, when the staged path
    must load it (a boundary layer, a table that holds rows or is busy, a file that is not
    clean)."""
    layer, provided = reading.layer, reading.provided
    if layer.kind != "point":
        return None
    columns = [*provided, *PLACED]
    types = bulk.column_types(conn, sql.Identifier(layer.table).as_string(conn), columns)
    if not all(t in copy_binary.SUPPORTED for t in types[: len(provided)]):
        return None  # a column only text COPY can send: the staged path's CSV handles it
    if not bulk.is_empty(conn, layer.table):
        return None  # asked again under the lock: only then can no row arrive before ours
    try:
        # A savepoint: a handover rolls back all the path wrote, and its lock, so the staged
        # path never holds the table locked longer than it would have on its own.
        with conn.transaction():
            if not indexes.lock_now(conn, layer.table) or not bulk.is_empty(conn, layer.table):
                raise Handover
            return _copy_in(conn, reading, types)
    except Handover:
        return None
    except psycopg.errors.IntegrityError:
        return None  # a repeated code, an empty required value: the staged path says which


def _copy_in(conn: psycopg.Connection, reading: Reading, types: list[str]) -> tuple[Streamed, int]:
    """COPY every chunk into the locked, empty table with its indexes and keys down; place
    the rows left unplaced; build the indexes and keys again."""
    layer, provided = reading.layer, reading.provided
    marked = bulk.begin_bulk(conn)
    conn.execute("SET LOCAL twin.bulk_assigned = 'on'")  # units come from the reader
    # Counted once at the end: counting each chunk's statement upserts every unit's counts
    # again and notes each unit again at commit: about 4 core-s per million rows, against
    # about 1 s for one count of the whole table.
    conn.execute("SET LOCAL twin.defer_stats = 'on'")
    conn.execute("SET LOCAL work_mem = '256MB'")  # the tie-rule sort of the rest in memory
    # Fetched here, before the reader forks, so it reads the grid this transaction sees.
    index = fetch_unit_index(conn)
    parts = csv_parts.split(reading.source)
    readings = [dataclasses.replace(reading, source=p.source) for p in parts] or [reading]
    makers = [functools.partial(_chunks, r, types, index) for r in readings]
    written = [0]
    write = functools.partial(_write, conn, layer.table, [*provided, *PLACED], written)
    # The table is locked already (load); one with no secondary index just keeps none.
    with (
        indexes.built_once(conn, layer.table, 0, empty=True),
        indexes.keys_built_once(conn, layer.table),
    ):
        # A chunk with a problem hands over as it arrives (_write): the staged path lists
        # every problem, with the file's repeated codes.
        found = _streamed(reading, makers, write, cut=bool(parts))
        if parts and found.read != sum(p.rows for p in parts):
            raise Handover  # a line that is not one row: the cut may be inside one
        bulk.place_unplaced(conn, layer.table)
    conn.execute("RESET work_mem")
    conn.execute("RESET twin.bulk_assigned")
    conn.execute("RESET twin.defer_stats")
    conn.execute("SELECT twin_stat_rebuild(%s)", [layer.table])
    bulk.end_bulk(conn, marked)
    return found, written[0]


def _streamed(
    reading: Reading, makers: Sequence[Make], write: Callable[[Ready], None], cut: bool
) -> Streamed:
    """stream(), with a parser's error in a part of a cut file a handover: the cut may have
    fallen inside a quoted field that holds a line break (the whole file may read well)."""
    try:
        return stream(reading, makers, write)
    except pd.errors.ParserError:
        if cut:
            raise Handover from None
        raise


def _write(
    conn: psycopg.Connection, table: str, columns: list[str], written: list[int], done: Ready
) -> None:
    """COPY one chunk into the table; hand over at the first chunk with a problem (nothing
    more needs writing) or one only text can carry."""
    if done.problems or not done.binary:
        raise Handover
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(sql.Identifier(table), names)
    with conn.cursor() as cur:
        with cur.copy(stmt) as copy:
            copy.write(copy_binary.SIGNATURE)
            for block in done.blocks:
                copy.write(block)
            copy.write(copy_binary.TRAILER)
        written[0] += cur.rowcount


def _chunks(
    reading: Reading, types: Sequence[str], index: UnitIndex | None
) -> Generator[Ready, None, None]:
    """The file's chunks checked, converted, given their units and encoded for the table;
    needs no database, so a child process can make them."""
    provided = list(reading.provided)
    for chunk in reading.source.chunks():
        done = convert_chunk(reading.layer, chunk, reading.opts)
        read = len(chunk.attributes)
        if done.problems:
            yield Ready(read, done.problems, done.repairs, done.flattened, True, [])
            return  # the staged path reads the file again for the whole list
        frame = bulk.in_z_order(done.frame[[*provided, "lon", "lat"]])
        binary, blocks = _blocks(frame, provided, types, index)
        yield Ready(read, [], done.repairs, done.flattened, binary, blocks)


def _blocks(
    frame: pd.DataFrame, provided: list[str], types: Sequence[str], index: UnitIndex | None
) -> tuple[bool, list[bytes | str]]:
    """The rows as binary COPY tuples of the file's columns, the unit and the point; (False,
    []) when a value needs text COPY (an integer out of its column's range)."""
    x, y = frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float)
    grid = decide(index, x, y) if index is not None else np.full(len(x), UNDECIDED)
    # Undecided (near an edge, or outside the level) as NULL: left for PostGIS.
    units = pd.arrays.IntegerArray(grid.astype(np.int64), grid == UNDECIDED)
    rows = frame[provided].assign(grid_id=units)
    if not copy_binary.encodable(rows, types[:-1]):
        return False, []
    blocks: list[bytes | str] = []
    for start in range(0, len(rows), bulk.COPY_ROWS):
        part = slice(start, start + bulk.COPY_ROWS)
        points = copy_binary.point_field(x[part], y[part], SRID)
        blocks.append(copy_binary.encode(rows.iloc[part], types[:-1], points))
    return True, blocks
