"""The demo city: tiles with no gap or overlap, nests, is deterministic, loads in seconds."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import psycopg
import pytest
import shapely

from twin.catalog import load_catalog
from twin.db.verify import verify
from twin.settings import Settings
from twin.store import fetch_grid_statuses
from twin.synth.load import generate, load_demo, loaded_demo

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
LAYERS = load_catalog(Settings().layers_dir)
CATEGORIES = LAYERS["incident"].field("category").allowed
SENSOR_KINDS = LAYERS["sensor"].field("kind").allowed
TOLERANCE_M2 = 0.1  # total gap or overlap allowed across the whole city, in square metres


def planar_m2(expr: str) -> str:
    """SQL for the area in m² of a lon/lat polygon whose edges are straight in lon/lat.

    Edges are what ST_Covers uses: straight in lon/lat. Projecting only the vertices (or
    casting to geography, whose edges are geodesics) bends km-long edges by centimetres and
    turns float-precision slivers (~1e-7 m²) into metres of phantom gap. So densify to ~10 m
    first, then measure in CGCS2000 / 3-degree Gauss-Kruger CM 114E (EPSG:4547).
    """
    return f"ST_Area(ST_Transform(ST_Segmentize({expr}, 0.0001), 4547))"


GRID_UNION = "(SELECT ST_Union(geom) FROM grid WHERE level = 'grid')"
CITY = "(SELECT ST_Union(geom) FROM grid WHERE level = 'district')"


@pytest.fixture
def small(conn: psycopg.Connection) -> float:
    start = time.perf_counter()
    assert load_demo(conn, "small", seed=7, now=NOW)
    return time.perf_counter() - start


def one(conn: psycopg.Connection, query: str) -> float:
    row = conn.execute(query).fetchone()  # type: ignore[arg-type]
    assert row is not None
    return float(row[0] or 0)


def test_small_city_loads_in_seconds_with_its_stated_sizes(
    conn: psycopg.Connection, small: float
) -> None:
    print(f"small demo loaded in {small:.2f} s")
    assert small < 30
    counts = dict(conn.execute("SELECT level, count(*) FROM grid GROUP BY level").fetchall())
    assert counts["grid"] in range(190, 211)
    assert counts["district"] == 3
    for table, n in (("camera", 2000), ("sensor", 2000), ("incident", 20000)):
        assert one(conn, f"SELECT count(*) FROM {table}") == n


def test_grids_tile_the_city_with_no_gap_or_overlap(conn: psycopg.Connection, small: float) -> None:
    overlap = one(
        conn,
        f"""
        SELECT sum({planar_m2("ST_Intersection(a.geom, b.geom)")})
        FROM grid a JOIN grid b
          ON a.id < b.id AND a.level = b.level AND ST_Intersects(a.geom, b.geom)
        WHERE a.level = 'grid'""",
    )
    gap = one(conn, f"SELECT {planar_m2(f'ST_Difference({CITY}, {GRID_UNION})')}")
    assert overlap < TOLERANCE_M2
    assert gap < TOLERANCE_M2
    area = one(conn, "SELECT sum(area_m2) FROM grid WHERE level = 'grid'")
    assert 40e6 < area < 60e6  # ~200 grids of ~0.25 km², measured on the spheroid


def test_every_level_nests_in_its_parent_and_children_cover_it(
    conn: psycopg.Connection, small: float
) -> None:
    outside = one(
        conn,
        f"""
        SELECT max({planar_m2("ST_Difference(c.geom, p.geom)")})
        FROM grid c JOIN grid p ON p.id = c.parent_id""",
    )
    uncovered = one(
        conn,
        f"""
        SELECT max({planar_m2("ST_Difference(p.geom, u.geom)")}) FROM grid p
        JOIN (SELECT parent_id, ST_Union(geom) AS geom FROM grid GROUP BY parent_id) u
          ON u.parent_id = p.id""",
    )
    assert outside < TOLERANCE_M2
    assert uncovered < TOLERANCE_M2
    orphans = one(conn, "SELECT count(*) FROM grid WHERE level <> 'district' AND parent_id IS NULL")
    assert orphans == 0


def test_the_same_seed_gives_identical_data(conn: psycopg.Connection) -> None:
    a, b, c = generate("small", 3, NOW), generate("small", 3, NOW), generate("small", 4, NOW)
    assert [shapely.to_wkb(x.geom) for x in a.areas] == [shapely.to_wkb(x.geom) for x in b.areas]
    assert a.cameras.equals(b.cameras) and a.sensors.equals(b.sensors)
    assert not a.cameras.equals(c.cameras)
    assert features(a) == features(b) != features(c)
    checksum = """SELECT md5(string_agg(code || status || severity || ST_AsText(geom)
                  || coalesce(grid_id, 0) || coalesce(closed_at::text, ''), ',' ORDER BY code))
                  FROM incident"""
    load_demo(conn, "small", seed=3, now=NOW)
    first = conn.execute(checksum).fetchone()
    assert load_demo(conn, "small", seed=3, now=NOW) is False  # loaded once, not again
    load_demo(conn, "small", seed=3, now=NOW, replace=True)
    assert conn.execute(checksum).fetchone() == first


def test_the_city_behaves_like_a_real_one(conn: psycopg.Connection, small: float) -> None:
    grids = fetch_grid_statuses(conn, at=NOW)
    per_km2 = grids["incidents"] / (grids["area_m2"] / 1e6)
    # Hotspots: the densest grids are far above the typical one.
    assert per_km2.quantile(0.98) > 4 * per_km2.median()
    assert {c for (c,) in conn.execute("SELECT DISTINCT category FROM incident")} == set(CATEGORIES)
    statuses = dict(conn.execute("SELECT status, count(*) FROM incident GROUP BY 1").fetchall())
    assert set(statuses) == {
        "reported",
        "dispatched",
        "in_progress",
        "escalated",
        "resolved",
        "closed",
    }
    assert grids["overdue"].sum() > 0
    day = one(
        conn,
        "SELECT count(*) FROM incident WHERE extract(hour FROM reported_at "
        "AT TIME ZONE 'Asia/Shanghai') BETWEEN 9 AND 16",  # hours are local
    )
    night = one(
        conn,
        "SELECT count(*) FROM incident WHERE extract(hour FROM reported_at "
        "AT TIME ZONE 'Asia/Shanghai') BETWEEN 1 AND 5",
    )
    assert day > 3 * night
    offline = one(conn, "SELECT avg((status <> 'online')::int) FROM camera")
    assert 0.01 < offline < 0.15
    assert one(conn, "SELECT count(DISTINCT kind) FROM sensor") == len(SENSOR_KINDS)
    assert one(conn, "SELECT count(*) FROM sensor WHERE status = 'alarm'") > 0
    # Most cameras stand within 15 m of a grid edge (streets) or a vertex (junctions).
    near_street = one(
        conn,
        """
        SELECT avg((EXISTS (SELECT 1 FROM grid g WHERE g.level = 'grid'
                    AND ST_DWithin(ST_Boundary(g.geom)::geography, c.geom::geography, 15)))::int)
        FROM camera c""",
    )
    assert near_street > 0.8
    # Placed at real-looking coordinates in central China.
    assert one(conn, "SELECT ST_XMin(ST_Extent(geom)) FROM grid") > 113
    assert one(conn, "SELECT ST_YMax(ST_Extent(geom)) FROM incident") < 32


def test_counts_after_a_demo_load_equal_a_recount(conn: psycopg.Connection, small: float) -> None:
    # The demo defers the stat triggers and recounts once at the end; check that recount.
    wrong = one(
        conn,
        """
        SELECT count(*) FROM grid g JOIN grid_stat s ON s.grid_id = g.id
        WHERE s.incidents <> (SELECT count(*) FROM incident i JOIN grid_ancestor a
                              ON a.grid_id = i.grid_id WHERE a.ancestor_id = g.id)
           OR s.cameras <> (SELECT count(*) FROM camera c JOIN grid_ancestor a
                            ON a.grid_id = c.grid_id WHERE a.ancestor_id = g.id)""",
    )
    assert wrong == 0
    assert one(conn, "SELECT incidents FROM grid_stat WHERE grid_id = 0") == one(
        conn, "SELECT count(*) FROM incident WHERE grid_id IS NULL"
    )
    assert one(conn, "SELECT sum(incidents) FROM grid_stat") == 4 * 20_000 - 3 * one(
        conn, "SELECT count(*) FROM incident WHERE grid_id IS NULL"
    )


def test_the_demo_city_verifies_whole(conn: psycopg.Connection, small: float) -> None:
    # The bulk paths (deferred counts, set-based assignment) leave nothing `twin db verify`
    # can fault.
    result = verify(conn)
    assert result.problems == []
    assert result.points == one(
        conn,
        "SELECT (SELECT count(*) FROM incident) + (SELECT count(*) FROM camera)"
        " + (SELECT count(*) FROM sensor)",
    )


def features(city: object) -> list[tuple[str, str, str, str | None, bytes]]:
    """The demo's reference features, comparable."""
    return [
        (layer, f.code, f.cls, f.name, shapely.to_wkb(f.geom))
        for layer, found in city.reference.by_layer().items()  # type: ignore[attr-defined]
        for f in found
    ]


STREETS = "(SELECT ST_Collect(geom) FROM reference_feature WHERE layer = 'road' OR class = 'river')"
EDGES = "(SELECT ST_Collect(ST_Boundary(geom)) FROM grid WHERE level = 'grid')"


def test_the_streets_are_the_grid_edges(conn: psycopg.Connection, small: float) -> None:
    off_street = one(
        conn,
        f"""SELECT count(*) FROM grid WHERE level = 'grid'
            AND NOT ST_Covers(ST_Buffer({STREETS}, 1e-6), ST_Boundary(geom))""",
    )
    assert off_street == 0  # every grid's whole boundary runs down a street (or the river)
    assert one(conn, f"SELECT ST_Covers(ST_Buffer({EDGES}, 1e-6), {STREETS})::int") == 1
    classes = dict(
        conn.execute(
            "SELECT class, count(*) FROM reference_feature WHERE layer = 'road' GROUP BY 1"
        ).fetchall()
    )
    assert set(classes) == {"trunk", "primary", "secondary", "tertiary", "residential"}
    assert classes["residential"] > classes["tertiary"] > classes["secondary"] > classes["primary"]
    assert (
        one(conn, "SELECT count(*) FROM reference_feature WHERE name IS NULL AND layer = 'road'")
        == 0
    )
    districts = "(SELECT ST_Collect(ST_Boundary(geom)) FROM grid WHERE level = 'district')"
    on_districts = one(
        conn,
        f"""SELECT bool_and(ST_Covers(ST_Buffer({districts}, 1e-6), geom))::int
            FROM reference_feature WHERE class IN ('trunk', 'primary', 'river')""",
    )
    assert on_districts == 1


def test_a_river_a_lake_and_buildings_that_no_boundary_crosses(
    conn: psycopg.Connection, small: float
) -> None:
    water = conn.execute(
        "SELECT class, GeometryType(geom) FROM reference_feature WHERE layer = 'water'"
        " ORDER BY code"
    ).fetchall()
    assert water == [("river", "LINESTRING"), ("water", "POLYGON")]
    lake_grids = one(
        conn,
        """SELECT count(*) FROM grid g JOIN reference_feature w ON w.class = 'water'
           AND ST_Intersects(g.geom, w.geom) WHERE g.level = 'grid'""",
    )
    assert lake_grids == 1
    buildings = one(conn, "SELECT count(*) FROM reference_feature WHERE layer = 'building'")
    assert 0.6 * 2000 / 4 < buildings <= 2000 / 4  # one round most sensor sites
    crossed = one(
        conn,
        """SELECT count(*) FROM reference_feature b JOIN grid g ON g.level = 'grid'
           AND ST_Intersects(b.geom, ST_Boundary(g.geom)) WHERE b.layer = 'building'""",
    )
    assert crossed == 0
    by_a_building = one(
        conn,
        """SELECT avg((EXISTS (SELECT 1 FROM reference_feature b WHERE b.layer = 'building'
                   AND b.geom && ST_Expand(s.geom, 0.001)
                   AND ST_DWithin(b.geom::geography, s.geom::geography, 20)))::int)
           FROM sensor s""",
    )
    assert by_a_building > 0.7  # sensors stand in and round the buildings


def test_a_failed_demo_build_leaves_the_old_city_and_its_streets(conn: psycopg.Connection) -> None:
    assert load_demo(conn, "small", seed=7, now=NOW)
    before = conn.execute(
        "SELECT (SELECT count(*) FROM grid), (SELECT count(*) FROM reference_feature),"
        " (SELECT md5(string_agg(code || ST_AsText(geom), ',' ORDER BY layer, code))"
        "  FROM reference_feature)"
    ).fetchone()
    # a real fault of the database, late in the build: buildings are written last
    conn.execute(
        "ALTER TABLE reference_feature ADD CONSTRAINT no_buildings CHECK (layer <> 'building')"
        " NOT VALID"
    )
    with pytest.raises(psycopg.errors.CheckViolation):
        load_demo(conn, "small", seed=8, now=NOW)
    after = conn.execute(
        "SELECT (SELECT count(*) FROM grid), (SELECT count(*) FROM reference_feature),"
        " (SELECT md5(string_agg(code || ST_AsText(geom), ',' ORDER BY layer, code))"
        "  FROM reference_feature)"
    ).fetchone()
    assert after == before
    assert loaded_demo(conn) == {"size": "small", "seed": 7, "now": NOW.isoformat()}
