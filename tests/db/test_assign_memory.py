"""Bulk assignment with the in-memory pass places every point exactly as PostGIS alone does:
on shared edges and vertices, in holes, near edges, outside the city, on irregular units."""

from __future__ import annotations

import numpy as np
import psycopg
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from tests import gridworld
from twin.ingest.bulk import ASSIGNED, REST, STAGE, assign_points, assign_points_by_sql
from twin.spatial import assign_memory

# Points on the grid world's lines: its cells' edges and vertices, its hole's, and the
# outer boundary, in cell units (gridworld.lonlat makes the very doubles its polygons use).
LINES = (0.0, 1.0, 2.0, 1.5 - 0.2, 1.5 + 0.2)
NUDGES = (0.0, 1e-15, -1e-15, 1e-12, -1e-12, 5e-10, -5e-10, 1e-9, -2e-9, 3e-9, -1e-7, 1e-5)


def stage(conn: psycopg.Connection, lonlat: list[tuple[float, float]]) -> None:
    """A point stage (sid, geom) as the loader leaves it, indexed and analysed."""
    conn.execute(
        sql.SQL("CREATE TEMP TABLE {} (sid bigint, geom geometry(Point, 4326))").format(STAGE)
    )
    with conn.cursor().copy(sql.SQL("COPY {} (sid, geom) FROM STDIN").format(STAGE)) as copy:
        for sid, (x, y) in enumerate(lonlat, start=1):
            copy.write_row((sid, f"SRID=4326;POINT({float(x)!r} {float(y)!r})"))
    conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(STAGE))
    conn.execute(sql.SQL("ANALYZE {}").format(STAGE))


def placed(conn: psycopg.Connection, assign: object) -> dict[int, int | None]:
    """Each staged point's unit by one assignment function (None: no unit)."""
    assign(conn)  # type: ignore[operator]
    rows = conn.execute(
        sql.SQL("SELECT s.sid, a.grid_id FROM {} s LEFT JOIN {} a USING (sid)").format(
            STAGE, ASSIGNED
        )
    ).fetchall()
    conn.execute(sql.SQL("DROP TABLE {}").format(ASSIGNED))
    return dict(rows)


def assert_same_as_postgis(conn: psycopg.Connection) -> None:
    """The hybrid, PostGIS alone, and the single-case rule (twin_grid_at) agree."""
    hybrid = placed(conn, assign_points)
    by_sql = placed(conn, assign_points_by_sql)
    single = dict(
        conn.execute(sql.SQL("SELECT sid, twin_grid_at(geom) FROM {}").format(STAGE)).fetchall()
    )
    differ = {s: (hybrid[s], by_sql[s]) for s in by_sql if hybrid[s] != by_sql[s]}
    assert not differ, f"hybrid vs SQL: {differ}"
    assert by_sql == single


cell = st.floats(-0.5, 2.5, allow_nan=False)
on_line = st.builds(
    lambda line, t, nudge, swap: (t, line, nudge, swap),
    st.sampled_from(LINES),
    cell,
    st.sampled_from(NUDGES),
    st.booleans(),
)


def to_lonlat(spec: tuple[float, float, float, bool]) -> tuple[float, float]:
    along, line, nudge, swap = spec
    lon, lat = gridworld.lonlat(line, along) if swap else gridworld.lonlat(along, line)
    return (lon + nudge, lat) if swap else (lon, lat + nudge)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    free=st.lists(st.tuples(cell, cell), max_size=40),
    lines=st.lists(on_line, max_size=40),
    vertices=st.lists(st.tuples(st.sampled_from(LINES), st.sampled_from(LINES)), max_size=10),
)
def test_the_hybrid_places_every_point_of_the_grid_world_as_postgis_does(
    conn: psycopg.Connection,
    free: list[tuple[float, float]],
    lines: list[tuple[float, float, float, bool]],
    vertices: list[tuple[float, float]],
) -> None:
    points = [gridworld.lonlat(x, y) for x, y in free + vertices] + [to_lonlat(s) for s in lines]
    with conn.transaction(force_rollback=True):
        gridworld.build(conn)
        stage(conn, points)
        assert_same_as_postgis(conn)


def test_only_points_near_an_edge_or_outside_are_left_to_postgis(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    spots = [(0.5, 0.5), (1.5, 0.5), (1.2, 1.8), (1.0, 0.5), (1.0, 1.0), (3.0, 3.0), (1.5, 1.5)]
    with conn.transaction(force_rollback=True):
        stage(conn, [gridworld.lonlat(x, y) for x, y in spots])
        conn.execute(sql.SQL("CREATE TEMP TABLE {} (sid bigint, grid_id bigint)").format(ASSIGNED))
        assert assign_memory.assign_clear_points(conn, STAGE, ASSIGNED, REST) == 4
        clear = conn.execute(sql.SQL("SELECT sid, grid_id FROM {} ORDER BY sid").format(ASSIGNED))
        assert clear.fetchall() == [(1, world["G1"]), (2, world["G2"]), (3, world["G4"])]
        left = conn.execute(sql.SQL("SELECT sid FROM {} ORDER BY sid").format(REST)).fetchall()
        assert left == [(4,), (5,), (6,), (7,)]  # edge, vertex, outside, in G4's hole


def test_a_grid_redrawn_twice_in_one_transaction_is_indexed_afresh(
    conn: psycopg.Connection,
) -> None:
    points = [gridworld.lonlat(x, 0.5) for x in np.linspace(0.05, 1.95, 39)]
    with conn.transaction(force_rollback=True):
        gridworld.build(conn)
        stage(conn, points)
        assert_same_as_postgis(conn)
        for right in (1.5, 0.5):  # G1 grows over G2's west half, then shrinks
            conn.execute(
                "UPDATE grid SET geom = %s WHERE code = 'G1'",
                [gridworld.square_wkt(0, 0, right, 1)],
            )
            assert_same_as_postgis(conn)


def irregular_city(conn: psycopg.Connection, seed: int) -> list[tuple[float, float]]:
    """Voronoi units over a box, plus a unit overlapping two others and a sliver; returns
    points around them: random, on their vertices, and on or beside their edges."""
    rng = np.random.default_rng(seed)
    frame = shapely.box(114.0, 30.0, 114.05, 30.04)
    seeds = shapely.multipoints(np.c_[rng.uniform(114, 114.05, 60), rng.uniform(30, 30.04, 60)])
    cells = [c.intersection(frame) for c in shapely.get_parts(shapely.voronoi_polygons(seeds))]
    cells.append(shapely.box(114.02, 30.02, 114.024, 30.024))  # overlaps its neighbours
    cells.append(shapely.box(114.051, 30.0, 114.051 + 5e-10, 30.01))  # thinner than MARGIN
    for n, cell in enumerate(cells):
        conn.execute(
            "INSERT INTO grid (code, name, level, geom) VALUES (%s, %s, 'grid',"
            " ST_Multi(ST_GeomFromWKB(%s, 4326)))",
            [f"V{(n * 37) % 101:03d}", f"cell {n}", shapely.to_wkb(cell)],
        )
    coords = shapely.get_coordinates(np.array(cells, dtype=object))
    edges = [
        coords[i] + t * (coords[i + 1] - coords[i])
        for i in range(0, len(coords) - 1, 3)
        for t in (0.5, 0.25)
    ]
    beside = [p + rng.normal(0, 1e-9, 2) for p in edges]
    free = np.c_[rng.uniform(113.99, 114.06, 3000), rng.uniform(29.99, 30.05, 3000)]
    return [tuple(map(float, p)) for p in [*coords, *edges, *beside, *free]]


def test_the_hybrid_places_points_in_an_irregular_city_as_postgis_does(
    conn: psycopg.Connection,
) -> None:
    for seed in (1, 2):
        with conn.transaction(force_rollback=True):
            stage(conn, irregular_city(conn, seed))
            assert_same_as_postgis(conn)
