"""`twin bench`: the store's figures beside naive alternatives, measured in one run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import sql

from twin.bench.table import Row, format_table, timed
from twin.catalog.terms import Terms
from twin.ingest.bulk import assign_points, assign_points_by_sql
from twin.spatial.assign_memory import forget_unit_indexes
from twin.spatial.overdue import advance_overdue_checkpoint
from twin.store import UNITS, fetch_grid_detail, fetch_grid_geometries, fetch_grid_statuses
from twin.synth.load import builtin_layers, load_demo

# The naive status read: join every incident to its grid on the fly and group.
NAIVE_STATUS = """
SELECT g.id, i.status, i.category, i.severity, count(*),
       count(*) FILTER (WHERE i.status IN ('reported', 'dispatched', 'in_progress', 'escalated')
                        AND i.due_at < now()) AS overdue
FROM grid g JOIN incident i ON ST_Covers(g.geom, i.geom)
WHERE g.level = 'grid'
GROUP BY 1, 2, 3, 4
"""
# The naive drill-down: the same reads as fetch_grid_detail, by spatial join on the fly.
NAIVE_DRILLDOWN = (
    """SELECT i.status, i.category, i.severity, count(*),
              count(*) FILTER (WHERE i.status IN ('reported', 'dispatched', 'in_progress',
                               'escalated') AND i.due_at < now()) AS overdue
       FROM grid g JOIN incident i ON ST_Covers(g.geom, i.geom)
       WHERE g.code = %s GROUP BY 1, 2, 3""",
    """SELECT i.*, count(*) OVER () FROM grid g JOIN incident i ON ST_Covers(g.geom, i.geom)
       WHERE g.code = %s ORDER BY i.reported_at DESC, i.id LIMIT 50""",
    """SELECT c.* FROM grid g JOIN camera c ON ST_Covers(g.geom, c.geom) WHERE g.code = %s""",
    """SELECT s.* FROM grid g JOIN sensor s ON ST_Covers(g.geom, s.geom) WHERE g.code = %s""",
)
# The planner's own join order for the same point-in-polygon join with the tie rule.
PLANNER_JOIN = """
SELECT DISTINCT ON (s.sid) s.sid, g.id FROM twin_stage s
JOIN grid g ON g.level = 'grid' AND ST_Covers(g.geom, s.geom)
ORDER BY s.sid, g.code
"""
# Row by row: each point looks up its grid, as a per-row trigger does.
PER_POINT = """
SELECT s.sid, a.id FROM twin_stage s
CROSS JOIN LATERAL (SELECT g.id FROM grid g WHERE g.level = 'grid' AND ST_Covers(g.geom, s.geom)
                    ORDER BY g.code LIMIT 1) a
"""
PER_POINT_SAMPLE = 100_000  # row-by-row is slow: measure its rate on a sample


def _stage_points(conn: psycopg.Connection, limit: int) -> int:
    """Stage incident points as insert_points does: in Z-order (via geohash), indexed."""
    conn.execute("DROP TABLE IF EXISTS twin_stage")
    conn.execute(
        "CREATE TEMP TABLE twin_stage AS SELECT sid, geom FROM ("
        " SELECT id AS sid, geom FROM incident ORDER BY id LIMIT %s) p"
        " ORDER BY ST_GeoHash(geom, 12)",
        [limit],
    )
    conn.execute("CREATE INDEX ON twin_stage USING gist (geom)")
    conn.execute("ANALYZE twin_stage")
    conn.execute("SET work_mem = '256MB'")
    row = conn.execute("SELECT count(*) FROM twin_stage").fetchone()
    return int(row[0]) if row else 0


def _count(conn: psycopg.Connection, query: str | sql.Composable) -> None:
    conn.execute(
        sql.SQL("SELECT count(*) FROM ({}) q").format(
            query if isinstance(query, sql.Composable) else sql.SQL(query)
        )
    )


def _assign(conn: psycopg.Connection, assign: Callable[[psycopg.Connection], None]) -> None:
    """The loader's assignment of the staged points (or another way of doing it)."""
    with conn.transaction():  # its working tables live for one transaction
        assign(conn)


def _assign_new_process(conn: psycopg.Connection) -> None:
    """The loader's assignment in a new process (every `twin load`), the grid unchanged: the
    unit index read from the file the last build left."""
    forget_unit_indexes()
    _assign(conn, assign_points)


def _assign_after_grid_change(conn: psycopg.Connection) -> None:
    """The loader's assignment right after a grid change: the unit index built first."""
    forget_unit_indexes(files=True)
    _assign(conn, assign_points)


def bench_assignment(conn: psycopg.Connection, points: int) -> list[Row]:
    """Bulk assignment rate (in memory, PostGIS at the edges) vs PostGIS alone, the planner's
    join, row by row, and sjoin: with the unit index in the process, read from its file (a
    new process) and built (after a grid change)."""
    n = _stage_points(conn, points)
    hybrid = timed(lambda: _assign(conn, assign_points), 3)
    by_sql = timed(lambda: _assign(conn, assign_points_by_sql), 3)
    read = timed(lambda: _assign_new_process(conn), 3)
    built = timed(lambda: _assign_after_grid_change(conn), 1)
    planner = timed(lambda: _count(conn, PLANNER_JOIN), 1)
    sample = min(n, PER_POINT_SAMPLE)
    limited = sql.SQL("{} LIMIT {}").format(sql.SQL(PER_POINT), sql.Literal(sample))
    per_point = timed(lambda: _count(conn, limited), 1) * n / sample
    grids = fetch_grid_geometries(conn, "grid")
    rows = conn.execute("SELECT ST_X(geom), ST_Y(geom) FROM twin_stage").fetchall()
    pts = gpd.GeoDataFrame(geometry=shapely.points(np.array(rows, dtype=float)), crs="EPSG:4326")
    sjoin = timed(lambda: gpd.sjoin(pts, grids, predicate="within", how="left"), 1)
    what = f"bulk assignment of {n:,} points"
    new_process = f"{what}, in a new process (unit index read from its file)"
    by_postgis = "PostGIS alone (polygon-driven)"
    in_memory = "geopandas.sjoin in memory (data already loaded, no tie rule)"
    return [
        Row(what, n / hybrid, n / by_sql, by_postgis, "points/s"),
        Row(new_process, n / read, n / by_sql, by_postgis, "points/s"),
        Row(new_process, n / read, n / sjoin, in_memory, "points/s"),
        Row(
            f"{what}, first after a grid change (unit index built)",
            n / built,
            n / by_sql,
            by_postgis,
            "points/s",
        ),
        Row(
            what,
            n / hybrid,
            n / per_point,
            f"row by row (per-point lookup, rate on {sample:,})",
            "points/s",
        ),
        Row(what, n / hybrid, n / planner, "planner's own join order", "points/s"),
        Row(what, n / hybrid, n / sjoin, in_memory, "points/s"),
    ]


FIRST_READ = "read status of every grid, first after a map change (units read too)"


def bench_status(conn: psycopg.Connection, repeat: int) -> list[Row]:
    """All-grid status read: incremental summary vs on-the-fly join vs in-memory sjoin."""
    # Where the sweep of a running server keeps it: the read counts the cases come due since.
    advance_overdue_checkpoint(conn, datetime.now(UTC))
    twin = timed(lambda: fetch_grid_statuses(conn), repeat)

    def first_read() -> None:  # as after a map change, or in a new process
        UNITS.clear()
        fetch_grid_statuses(conn)

    first = timed(first_read, repeat)
    naive = timed(lambda: conn.execute(NAIVE_STATUS).fetchall(), max(1, repeat // 3))
    grids = fetch_grid_geometries(conn, "grid")
    rows = conn.execute(
        "SELECT status, category, severity, ST_X(geom), ST_Y(geom) FROM incident"
    ).fetchall()
    frame = pd.DataFrame(rows, columns=["status", "category", "severity", "x", "y"])
    pts = gpd.GeoDataFrame(
        frame, geometry=shapely.points(frame[["x", "y"]].to_numpy()), crs="EPSG:4326"
    )

    def in_memory() -> None:
        joined = gpd.sjoin(pts, grids[["code", "geometry"]], predicate="within")
        joined.groupby(["code", "status", "category", "severity"]).size()

    sjoin = timed(in_memory, max(1, repeat // 3))
    return [
        Row("read status of every grid", twin, naive, "ST_Covers join + GROUP BY", "ms"),
        Row("read status of every grid", twin, sjoin, "geopandas.sjoin + groupby", "ms"),
        Row(FIRST_READ, first, naive, "ST_Covers join + GROUP BY", "ms"),
        Row(FIRST_READ, first, sjoin, "geopandas.sjoin + groupby", "ms"),
    ]


def bench_drilldown(conn: psycopg.Connection, repeat: int, sample: int = 50) -> list[Row]:
    """One-grid drill-down: the full detail read vs the same reads by on-the-fly joins."""
    codes = [
        r[0]
        for r in conn.execute(
            "SELECT code FROM grid WHERE level = 'grid' ORDER BY md5(code) LIMIT %s", [sample]
        )
    ]
    runs = max(1, repeat // 2)
    layers = builtin_layers()  # the demo's catalog: its cameras and sensors are listed too
    devices = [layers[d] for d in Terms.of(layers).device_layers]
    read = partial(fetch_grid_detail, conn, devices=devices)
    # Interleaved code by code, so both see the same load on a shared machine.
    twin_runs, naive_runs = [], []
    for code in codes:
        twin_runs.append(timed(partial(read, code), runs))
        naive_runs.append(timed(partial(_naive_drilldown, conn, code), runs))
    twin = statistics.median(twin_runs)
    naive = statistics.median(naive_runs)
    p95 = float(np.percentile(twin_runs, 95))
    return [
        Row(
            f"one-grid drill-down, median of {len(codes)} grids (p95 {p95 * 1000:.1f} ms)",
            twin,
            naive,
            "same reads by ST_Covers join",
            "ms",
        ),
    ]


def _naive_drilldown(conn: psycopg.Connection, code: str) -> None:
    for stmt in NAIVE_DRILLDOWN:
        conn.execute(stmt, [code]).fetchall()


PARTS = ("status", "drilldown", "assignment")  # what run_bench measures, in its order


def run_bench(
    conn: psycopg.Connection, size: str, seed: int, repeat: int = 5, parts: Sequence[str] = PARTS
) -> str:
    """Load the demo of that size if needed, measure those parts, and return the table
    (autocommit conn)."""
    start = time.perf_counter()
    loaded = load_demo(conn, size, seed, progress=True)
    load_s = time.perf_counter() - start
    counts = conn.execute(
        "SELECT (SELECT count(*) FROM grid WHERE level = 'grid'), (SELECT count(*) FROM incident),"
        " (SELECT count(*) FROM camera), (SELECT count(*) FROM sensor)"
    ).fetchone()
    assert counts is not None
    rows = bench_status(conn, repeat) if "status" in parts else []
    rows += bench_drilldown(conn, repeat) if "drilldown" in parts else []
    rows += bench_assignment(conn, min(counts[1], 1_000_000)) if "assignment" in parts else []
    header = (
        f"twin bench — size {size}, seed {seed}: {counts[0]:,} grids, {counts[1]:,} incidents, "
        f"{counts[2]:,} cameras, {counts[3]:,} sensors"
        + (f"; demo loaded in {load_s:,.1f} s" if loaded else "; demo was already loaded")
    )
    return format_table(rows, header)
