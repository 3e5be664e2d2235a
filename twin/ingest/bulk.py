"""Set-based bulk writes: stage rows with COPY, assign units polygon-driven, upsert by code."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from twin.catalog import Layer
from twin.db.queries import query
from twin.ingest import copy_binary, indexes
from twin.spatial import assign_memory

STAGE = sql.Identifier("twin_stage")
COPY_ROWS = 20_000  # rows per CSV block sent to COPY: its text and cells bound memory

REST = sql.Identifier("twin_stage_rest")
ASSIGNED = sql.Identifier("twin_assigned")
ASSIGNED_STATISTICS = 10  # ANALYZE samples 300 rows per unit of the target

# Each unit's polygon probes the points' GiST index (LATERAL ... OFFSET 0 keeps the
# polygon-driven plan). DISTINCT ON ... ORDER BY code applies twin_grid_at()'s tie rule.
ASSIGN_LEVEL = """
    SELECT DISTINCT ON (hit.sid) hit.sid, g.id AS grid_id
    FROM grid g
    CROSS JOIN LATERAL (
        SELECT s.sid FROM {points} s WHERE ST_Covers(g.geom, s.geom) OFFSET 0
    ) hit
    WHERE g.level = {level}
    ORDER BY hit.sid, g.code
"""


def assign_query(level: str, points: sql.Identifier = STAGE) -> sql.Composed:
    """Each point of a staged table (sid, geom) with the lowest-code unit of one level
    covering it (points no unit of the level covers are absent)."""
    return sql.SQL(ASSIGN_LEVEL).format(points=points, level=sql.Literal(level))


def assign_points(conn: psycopg.Connection) -> None:
    """Fill a temporary twin_assigned (sid, grid_id) with each staged point's finest
    covering unit: the points clearly inside one unit of the finest level in memory
    (twin.spatial.assign_memory), the rest by PostGIS as assign_points_by_sql does."""
    _start_assigned(conn)
    rest = assign_memory.assign_clear_points(conn, STAGE, ASSIGNED, REST)
    if rest is None:
        _assign_levels(conn, STAGE, _staged(conn))
    else:
        _assign_levels(conn, REST, rest)


def assign_points_by_sql(conn: psycopg.Connection) -> None:
    """assign_points with every point placed by PostGIS (what the fast path is checked and
    measured against)."""
    _start_assigned(conn)
    _assign_levels(conn, STAGE, _staged(conn))


def _start_assigned(conn: psycopg.Connection) -> None:
    """Create an empty twin_assigned."""
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ASSIGNED))
    # Statistics of a small sample: the upsert joins by sid, which a sample of 3,000 shows as
    # unique as well as one of 30,000 does, and the ANALYZE at the end of a million-point
    # assignment then costs a few ms instead of about 60 ms.
    conn.execute(
        sql.SQL(
            "CREATE TEMP TABLE {0} (sid bigint, grid_id bigint) ON COMMIT DROP;"
            " ALTER TABLE {0} ALTER sid SET STATISTICS {1}, ALTER grid_id SET STATISTICS {1}"
        ).format(ASSIGNED, sql.Literal(ASSIGNED_STATISTICS))
    )


def _staged(conn: psycopg.Connection) -> int:
    """How many points are staged."""
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(STAGE)).fetchone()
    return row[0] if row else 0


def _assign_levels(conn: psycopg.Connection, points: sql.Identifier, left: int) -> None:
    """Place the points of a table (sid, geom) level by level from the finest loaded one:
    only the points a level leaves uncovered (outside the city, or in a community with no
    grids) are probed with the next, so a city whose finest level covers it costs one
    polygon-driven pass."""
    levels = [r[0] for r in conn.execute(query("grid_levels_loaded")).fetchall()]
    if points == STAGE and left:
        _index_stage_geometry(conn)
    taken = 0
    for level in levels:
        if left == 0:
            break
        if taken:  # otherwise the points still to place are those of the last probe
            points = _unassigned(conn, points)
        cur = conn.execute(
            sql.SQL("INSERT INTO {} {}").format(ASSIGNED, assign_query(level, points))
        )
        taken = cur.rowcount
        left -= taken
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(REST))
    conn.execute(sql.SQL("ANALYZE {}").format(ASSIGNED))


def _unassigned(conn: psycopg.Connection, points: sql.Identifier) -> sql.Identifier:
    """The points no level has taken yet, in their own indexed table (REST, shrunk in
    place when the points already are REST's)."""
    if points == REST:
        conn.execute(
            sql.SQL("DELETE FROM {rest} r USING {done} a WHERE a.sid = r.sid").format(
                rest=REST, done=ASSIGNED
            )
        )
        conn.execute(sql.SQL("ANALYZE {}").format(REST))
        return REST
    _rest_of(
        conn,
        sql.SQL(
            "SELECT s.sid, s.geom FROM {stage} s"
            " WHERE NOT EXISTS (SELECT 1 FROM {done} a WHERE a.sid = s.sid)"
        ).format(stage=STAGE, done=ASSIGNED),
    )
    return REST


def _rest_of(conn: psycopg.Connection, points: sql.Composable) -> int:
    """A new REST table of the points (sid, geom) a query selects, indexed and analysed for
    the polygon-driven probes; how many it holds."""
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(REST))
    cur = conn.execute(sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS ").format(REST) + points)
    conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(REST))
    conn.execute(sql.SQL("ANALYZE {}").format(REST))
    return cur.rowcount


def begin_bulk(conn: psycopg.Connection) -> bool:
    """Mark the running transaction as twin's bulk loader: only then do the triggers honour
    twin.bulk_assigned and twin.defer_stats (migration 011). False when already marked."""
    mark = conn.execute(
        "INSERT INTO twin_bulk_txn VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING"
        " RETURNING xid"
    ).fetchone()
    return mark is not None


def end_bulk(conn: psycopg.Connection, marked: bool) -> None:
    """Remove the mark begin_bulk made (it never commits); leave an outer caller's alone."""
    if marked:
        conn.execute("DELETE FROM twin_bulk_txn WHERE xid = pg_current_xact_id()")


def create_point_stage(conn: psycopg.Connection, table: str, columns: Sequence[str]) -> None:
    """A temporary stage typed like the table's columns, plus lon, lat, a feature number,
    and the point and a staging number (sid) made from them."""
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(STAGE))
    conn.execute(
        sql.SQL(
            "CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {cols}, 0::float8 AS lon,"
            " 0::float8 AS lat, 0 AS feature FROM {table} WITH NO DATA"
        ).format(
            stage=STAGE,
            cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
            table=sql.Identifier(table),
        )
    )
    # Added while the stage is empty, so COPY fills them as it writes each row: added after,
    # they would rewrite the whole stage.
    conn.execute(
        sql.SQL(
            "ALTER TABLE {} ADD COLUMN sid bigint GENERATED ALWAYS AS IDENTITY, "
            "ADD COLUMN geom geometry(Point, 4326) "
            "GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED"
        ).format(STAGE)
    )


def copy_frame(conn: psycopg.Connection, frame: pd.DataFrame) -> None:
    """Append a frame to the stage with COPY, in blocks: binary where every column has an
    encoder (copy_binary), else CSV text (timestamps as UTC)."""
    types = stage_types(conn, list(frame.columns))
    write_blocks(conn, list(frame.columns), *copy_blocks(frame, types))


def copy_blocks(frame: pd.DataFrame, types: Sequence[str]) -> tuple[bool, list[bytes | str]]:
    """The frame as COPY data in blocks (no database needed, so another process can make
    them): (True, binary tuples) where every column has an encoder, else (False, CSV text
    with naive UTC timestamps)."""
    if copy_binary.encodable(frame, types):
        return True, [
            copy_binary.encode(frame.iloc[start : start + COPY_ROWS], types)
            for start in range(0, len(frame), COPY_ROWS)
        ]
    frame = _utc_naive(frame)
    return False, [
        to_csv_text(frame.iloc[start : start + COPY_ROWS])
        for start in range(0, len(frame), COPY_ROWS)
    ]


def write_blocks(
    conn: psycopg.Connection, columns: Sequence[str], binary: bool, blocks: list[bytes | str]
) -> None:
    """Append blocks made by copy_blocks for these stage columns with one COPY."""
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    if binary:
        stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT binary)").format(STAGE, names)
        with conn.cursor().copy(stmt) as copy:
            copy.write(copy_binary.SIGNATURE)
            for block in blocks:
                copy.write(block)
            copy.write(copy_binary.TRAILER)
        return
    row = conn.execute("SELECT current_setting('TimeZone')").fetchone()
    assert row is not None  # a setting always has a value
    conn.execute("SET LOCAL TimeZone = 'UTC'")  # the naive timestamps written are UTC
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(STAGE, names)
    with conn.cursor().copy(stmt) as copy:
        for block in blocks:
            copy.write(block)
    # The caller's zone back (RESET would give the session's default, not what it had set).
    conn.execute("SELECT set_config('TimeZone', %s, true)", [row[0]])


def copy_text(conn: psycopg.Connection, frame: pd.DataFrame) -> None:
    """Append a frame to the stage with COPY as CSV text (timestamps as UTC), in blocks."""
    frame = _utc_naive(frame)
    blocks: list[bytes | str] = [
        to_csv_text(frame.iloc[start : start + COPY_ROWS])
        for start in range(0, len(frame), COPY_ROWS)
    ]
    write_blocks(conn, list(frame.columns), False, blocks)


def stage_types(conn: psycopg.Connection, columns: Sequence[str]) -> list[str]:
    """The stage's type of each column (format_type names: 'text', 'smallint', ...)."""
    return column_types(conn, "pg_temp.twin_stage", columns)


def column_types(conn: psycopg.Connection, relation: str, columns: Sequence[str]) -> list[str]:
    """A table's type of each of these columns (format_type names)."""
    rows = conn.execute(
        query("column_types"), {"relation": relation, "columns": list(columns)}
    ).fetchall()
    known: dict[str, str] = dict(rows)
    return [known[c] for c in columns]


def to_csv_text(frame: pd.DataFrame) -> str:
    """The frame as COPY's CSV (no header; empty unquoted = NULL, text always quoted),
    each column formatted in one vectorised pass: pandas' to_csv formats cell by cell."""
    if frame.empty:
        return ""
    columns = [_csv_column(frame[c]) for c in frame.columns]
    return "\n".join(map(",".join, zip(*columns, strict=True))) + "\n"


def _csv_column(values: pd.Series) -> list[str]:
    """One column's CSV fields (naive timestamps are UTC, as copy_frame sets)."""
    missing = values.isna().to_numpy()
    dtype = values.dtype
    if pd.api.types.is_datetime64_dtype(dtype):
        # Rounded to the microsecond as PostgreSQL rounds finer input (half to even).
        stamps = values.dt.round("us").to_numpy().astype("datetime64[us]")
        text = np.datetime_as_string(stamps, unit="us")
        return np.where(missing, "", text).tolist()
    if pd.api.types.is_float_dtype(dtype):
        return ["" if m else repr(v) for v, m in zip(values.tolist(), missing, strict=True)]
    if pd.api.types.is_integer_dtype(dtype) and not missing.any():
        return list(map(str, values.tolist()))
    # Text and anything else: quoted, inner quotes doubled (str() of each value, as to_csv).
    cells = values.astype(object).where(~missing, None)
    return ["" if v is None else '"' + str(v).replace('"', '""') + '"' for v in cells.tolist()]


def index_point_stage(conn: psycopg.Connection) -> None:
    """Give the staged points statistics. Their spatial index waits until PostGIS probes
    the stage itself (_assign_levels): the in-memory pass leaves it only the points near
    an edge, in a table of their own with its own index, and 1M points cost 1.2 s."""
    conn.execute(sql.SQL("ANALYZE {}").format(STAGE))


def _index_stage_geometry(conn: psycopg.Connection) -> None:
    """The stage's spatial index, for the polygon-driven probes of the whole stage."""
    conn.execute(
        sql.SQL("CREATE INDEX IF NOT EXISTS twin_stage_geom ON {} USING gist (geom)").format(STAGE)
    )
    conn.execute(sql.SQL("ANALYZE {}").format(STAGE))


def upsert_points(conn: psycopg.Connection, table: str, columns: Sequence[str]) -> tuple[int, int]:
    """Move the stage into the table, each point with its grid; (inserted, updated)."""
    marked = begin_bulk(conn)
    conn.execute("SET LOCAL work_mem = '256MB'")  # the tie-rule sort of 1M rows stays in memory
    assign_points(conn)
    conn.execute("SET LOCAL twin.bulk_assigned = 'on'")  # units come from assign_points
    row: tuple[int, int] | None
    with indexes.built_once(conn, table, _staged_rows(conn)) as locked:
        if locked and is_empty(conn, table):
            with indexes.keys_built_once(conn, table):
                row = _insert_stage(conn, table, columns)
        else:
            row = _write_stage(conn, table, columns)
    conn.execute("RESET twin.bulk_assigned")
    conn.execute("RESET work_mem")
    end_bulk(conn, marked)
    conn.execute(sql.SQL("DROP TABLE {}, {}").format(STAGE, ASSIGNED))
    inserted, written = row if row else (0, 0)
    return inserted, written - inserted


def is_empty(conn: psycopg.Connection, table: str) -> bool:
    """Whether the table holds no row (asked under the load's ACCESS EXCLUSIVE lock, no
    other session can add one before the load's own)."""
    row = conn.execute(
        sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))
    ).fetchone()
    return bool(row and row[0])


def _insert_stage(conn: psycopg.Connection, table: str, columns: Sequence[str]) -> tuple[int, int]:
    """_write_stage into an empty table: a plain INSERT, since no code can conflict with a
    stored row (a code repeated in the stage fails either way). ON CONFLICT's speculative
    insertion and the RETURNING rows cost 2.4 s of 8.2 s at 1M points; (inserted, written)."""
    cur = conn.execute(
        sql.SQL(
            "INSERT INTO {table} ({cols}, geom, grid_id) "
            "SELECT {scols}, s.geom, a.grid_id FROM {stage} s "
            "LEFT JOIN {assigned} a ON a.sid = s.sid ORDER BY s.sid"
        ).format(
            table=sql.Identifier(table),
            cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
            scols=sql.SQL(", ").join(sql.Identifier("s", c) for c in columns),
            stage=STAGE,
            assigned=ASSIGNED,
        )
    )
    return cur.rowcount, cur.rowcount


def _write_stage(
    conn: psycopg.Connection, table: str, columns: Sequence[str]
) -> tuple[int, int] | None:
    """Insert or update (by code) each staged point with its unit; (inserted, written)."""
    cols = sql.SQL(", ").join(map(sql.Identifier, columns))
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c))
        for c in (*columns, "geom")
        if c != "code"
    )
    # Counted in the server: a million RETURNING rows sent to Python cost seconds.
    return conn.execute(
        sql.SQL(
            "WITH written AS (INSERT INTO {table} ({cols}, geom, grid_id) "
            "SELECT {scols}, s.geom, a.grid_id FROM {stage} s "
            "LEFT JOIN {assigned} a ON a.sid = s.sid ORDER BY s.sid "
            "ON CONFLICT (code) DO UPDATE SET {updates}, grid_id = excluded.grid_id "
            "RETURNING xmax = 0 AS fresh) "
            "SELECT count(*) FILTER (WHERE fresh), count(*) FROM written"
        ).format(
            table=sql.Identifier(table),
            cols=cols,
            scols=sql.SQL(", ").join(sql.Identifier("s", c) for c in columns),
            stage=STAGE,
            assigned=ASSIGNED,
            updates=updates,
        )
    ).fetchone()


def place_unplaced(conn: psycopg.Connection, table: str) -> None:
    """Give the rows of a table loaded by COPY that came without a unit (the reading
    process left them: near an edge, outside the finest level) theirs, placed by PostGIS as
    assign_points places the stage's."""
    left = _rest_of(
        conn,
        sql.SQL("SELECT id AS sid, geom FROM {} WHERE grid_id IS NULL AND geom IS NOT NULL").format(
            sql.Identifier(table)
        ),
    )
    if left == 0:
        return
    _start_assigned(conn)
    _assign_levels(conn, REST, left)
    conn.execute(
        sql.SQL("UPDATE {table} t SET grid_id = a.grid_id FROM {done} a WHERE t.id = a.sid").format(
            table=sql.Identifier(table), done=ASSIGNED
        )
    )
    conn.execute(sql.SQL("DROP TABLE {}").format(ASSIGNED))


def _staged_rows(conn: psycopg.Connection) -> int:
    """How many rows the stage holds."""
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(STAGE)).fetchone()
    return int(row[0]) if row else 0


def insert_points(conn: psycopg.Connection, layer: Layer, frame: pd.DataFrame) -> int:
    """Write a frame (a point layer's columns plus lon, lat) in one go; return the count.

    Runs inside the caller's transaction, so a failure leaves nothing written.
    """
    if layer.kind != "point":
        raise ValueError(f"layer {layer.name!r} is not a point layer")
    columns = [c for c in frame.columns if c not in ("lon", "lat")]
    create_point_stage(conn, layer.table, columns)
    copy_frame(conn, in_z_order(frame))
    index_point_stage(conn)
    inserted, updated = upsert_points(conn, layer.table, columns)
    return inserted + updated


def in_z_order(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows along a Z-order curve: each polygon's candidates then sit on a few heap pages
    (3.8x faster assignment at 1M points) and the layer's rows land clustered by place."""
    return frame.iloc[z_order(frame["lon"], frame["lat"])]


def z_order(lon: pd.Series, lat: pd.Series) -> np.ndarray:
    """Row positions sorted along a Z-order (Morton) curve over the points' bounding box."""
    x, y = lon.to_numpy(dtype=float), lat.to_numpy(dtype=float)
    if len(x) == 0:
        return np.arange(0)
    key = np.zeros(len(x), dtype=np.uint64)
    for axis, values in ((0, x), (1, y)):
        span = max(float(np.nanmax(values) - np.nanmin(values)), 1e-12)
        cells = np.nan_to_num((values - np.nanmin(values)) / span * 65535).astype(np.uint64)
        for bit in range(16):
            key |= ((cells >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit + axis)
    return np.argsort(key, kind="stable")


def _utc_naive(frame: pd.DataFrame) -> pd.DataFrame:
    """Time-zone-aware columns as naive UTC: pandas writes those to CSV ~3x faster."""
    aware = [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
    if not aware:
        return frame
    return frame.assign(**{c: frame[c].dt.tz_convert("UTC").dt.tz_localize(None) for c in aware})
