"""Hotspot analysis over the real store: filtered points, units, counts, islands, versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import psycopg
import pytest
import shapely

from tests import gridworld
from twin.catalog import Layer, parse_layer
from twin.hotspots.analysis import filtered_points, run_hotspots
from twin.hotspots.filters import FilterError, Filters, Window
from twin.hotspots.points import fetch_lonlat
from twin.hotspots.units import analysis_units
from twin.ingest.schema import ensure_point_table

NOW = datetime(2030, 6, 15, 4, 0, tzinfo=UTC)


def incident(
    conn: psycopg.Connection, code: str, x: float, y: float, ago: timedelta, **cols: object
) -> None:
    """One incident at cell coordinates, reported `ago` before NOW (resolved unless open=True)."""
    at = NOW - ago
    values: dict[str, object] = {"category": "sanitation", "severity": 3, "source": "patrol"}
    values |= cols
    is_open = bool(values.pop("open", False))
    conn.execute(
        "INSERT INTO incident (code, category, severity, source, status, reported_at, due_at,"
        " resolved_at, geom) VALUES (%(code)s, %(category)s, %(severity)s, %(source)s,"
        " %(status)s, %(at)s, %(at)s + interval '1 day', %(resolved)s, %(geom)s)",
        values
        | {
            "code": code,
            "status": "reported" if is_open else "resolved",
            "at": at,
            "resolved": None if is_open else at + timedelta(hours=1),
            "geom": gridworld.point(x, y),
        },
    )


@pytest.fixture
def cases(conn: psycopg.Connection, world: dict[str, int]) -> dict[str, int]:
    """Incidents in the hand-made world: G1 gets 3, G2 1 (old), G3 1 (open fire), G4 none."""
    day = timedelta(days=1)
    incident(conn, "A", 0.2, 0.2, day, category="sanitation")
    incident(conn, "B", 0.4, 0.3, 2 * day, category="dispute", severity=1, source="hotline")
    incident(conn, "C", 0.7, 0.6, 3 * day)
    incident(conn, "D", 1.5, 0.5, 40 * day)
    incident(conn, "E", 0.5, 1.5, 5 * day, category="fire_hazard", open=True)
    incident(conn, "F", 0.3, 0.3, -day)  # reported after NOW: outside every window ending now
    return world


def codes(conn: psycopg.Connection, f: Filters) -> list[str]:
    return filtered_points(conn, f, NOW)["code"].tolist()


def test_filters_select_points_by_sql(conn: psycopg.Connection, cases: dict[str, int]) -> None:
    assert codes(conn, Filters()) == ["A", "B", "C", "E"]  # 30 days before NOW
    assert codes(conn, Filters(window=Window("all"))) == ["A", "B", "C", "D", "E"]
    assert codes(conn, Filters(window=Window("24h"))) == ["A"]
    assert codes(conn, Filters(window=Window("90d"))) == ["A", "B", "C", "D", "E"]
    assert codes(conn, Filters(categories=("dispute", "fire_hazard"))) == ["B", "E"]
    assert codes(conn, Filters(severities=(1,))) == ["B"]
    assert codes(conn, Filters(sources=("hotline",))) == ["B"]
    assert codes(conn, Filters(status="open")) == ["E"]
    custom = Window(None, NOW - timedelta(days=41), NOW - timedelta(days=2, hours=12))
    assert codes(conn, Filters(window=custom)) == ["C", "D", "E"]


def test_filtered_points_carry_their_unit_at_the_level(
    conn: psycopg.Connection, cases: dict[str, int]
) -> None:
    grid = filtered_points(conn, Filters(window=Window("all")), NOW)
    assert grid["unit"].tolist() == ["G1", "G1", "G1", "G2", "G3"]
    street = filtered_points(conn, Filters(window=Window("all"), unit="street"), NOW)
    assert street["unit"].tolist() == ["S"] * 5
    lon, lat = gridworld.lonlat(0.2, 0.2)
    assert grid.loc[0, ["lon", "lat"]].tolist() == pytest.approx([lon, lat])


def test_filter_values_outside_the_catalog_are_refused(
    conn: psycopg.Connection, cases: dict[str, int]
) -> None:
    with pytest.raises(FilterError, match=r"^category: 'arson'"):
        filtered_points(conn, Filters(categories=("arson",)), NOW)
    with pytest.raises(FilterError) as err:
        run_hotspots(conn, Filters(), NOW, weights="rook")
    assert err.value.field == "weights"


def test_counts_per_grid_and_a_table_row_per_unit(
    conn: psycopg.Connection, cases: dict[str, int]
) -> None:
    result = run_hotspots(conn, Filters(window=Window("all")), NOW)
    table = result.table.set_index("code")
    assert list(result.table.columns) == [
        "code",
        "name",
        "count",
        "gi_z",
        "p_value",
        "p_fdr",
        "class",
    ]
    assert table["count"].to_dict() == {"G1": 3, "G2": 1, "G3": 1, "G4": 0}
    assert table.loc["G1", "name"] == "grid G1"
    assert result.islands == []
    assert set(result.table["class"]) <= {"none", "hot_90", "hot_95", "hot_99", "cold_90"}
    assert result.unassigned == 0


def test_a_single_unit_is_an_island_listed_without_a_class(
    conn: psycopg.Connection, cases: dict[str, int]
) -> None:
    result = run_hotspots(conn, Filters(window=Window("all"), unit="district"), NOW)
    assert result.islands == ["D"]
    row = result.table.iloc[0]
    assert row["class"] == "" and row["count"] == 5
    assert np.isnan(row["gi_z"]) and np.isnan(row["p_fdr"])


def test_distance_band_too_short_makes_every_unit_an_island(
    conn: psycopg.Connection, cases: dict[str, int]
) -> None:
    result = run_hotspots(conn, Filters(window=Window("all")), NOW, weights="band:100")
    assert result.islands == ["G1", "G2", "G3", "G4"]
    assert (result.table["class"] == "").all()


def test_points_outside_every_unit_are_counted_unassigned(
    conn: psycopg.Connection, cases: dict[str, int]
) -> None:
    incident(conn, "OUT", 5.0, 5.0, timedelta(hours=1))
    result = run_hotspots(conn, Filters(), NOW)
    assert result.unassigned == 1
    assert int(result.table["count"].sum()) == 4


def test_hex_mesh_covers_the_city_and_counts_each_point_in_its_hexagon(
    conn: psycopg.Connection, cases: dict[str, int]
) -> None:
    units = analysis_units(conn, "hex:300")
    lonlat = shapely.from_wkt(gridworld.square_wkt(0, 0, 2, 2).split(";")[1])
    city = units.projection.geoms_to_metres(np.array([lonlat]))[0]
    # The hexagons cover the city, and each one overlaps it.
    assert shapely.union_all(units.geoms).buffer(0.001).covers(city)  # corners differ by ulps
    assert (shapely.area(shapely.intersection(units.geoms, city)) > 0).all()
    across = shapely.bounds(units.geoms[0])
    assert across[2] - across[0] == pytest.approx(300.0, abs=1e-6)  # flat to flat, east-west
    assert all(c.startswith("H") and len(c) == 10 for c in units.codes)
    f = Filters(window=Window("all"), unit="hex:300")
    result = run_hotspots(conn, f, NOW)
    assert int(result.table["count"].sum()) == 5
    # Each point's hexagon contains it, and the table counts it there.
    by_code = dict(zip(units.codes, units.geoms_lonlat, strict=True))
    kept = filtered_points(conn, f, NOW, units=result.units)
    for _, p in kept.iterrows():
        assert by_code[p["unit"]].buffer(1e-9).contains(shapely.Point(p["lon"], p["lat"]))
    table = result.table.set_index("code")["count"]
    assert kept["unit"].value_counts().to_dict() == table[table > 0].to_dict()
    assert result.islands == []
    one = str(kept.loc[0, "unit"])
    assert set(filtered_points(conn, f, NOW, codes=[one])["unit"]) == {one}


def test_points_of_some_units_only(conn: psycopg.Connection, cases: dict[str, int]) -> None:
    f = Filters(window=Window("all"))
    assert filtered_points(conn, f, NOW, codes=["G1", "G3"])["code"].tolist() == [
        "A",
        "B",
        "C",
        "E",
    ]
    assert filtered_points(conn, f, NOW, codes=[]).empty


def test_lon_lat_by_binary_copy_equal_the_rows(
    conn: psycopg.Connection, cases: dict[str, int]
) -> None:
    f = Filters(window=Window("all"), categories=("sanitation", "fire_hazard"))
    rows = filtered_points(conn, f, NOW)
    lonlat = fetch_lonlat(conn, f, NOW)
    assert sorted(map(tuple, lonlat.tolist())) == sorted(zip(rows["lon"], rows["lat"], strict=True))
    assert fetch_lonlat(conn, Filters(categories=("other",)), NOW).shape == (0, 2)


def test_a_point_held_only_by_a_coarser_unit_is_unassigned_at_the_finer_level(
    conn: psycopg.Connection, cases: dict[str, int]
) -> None:
    # The hole in G4 belongs to community C but to no grid.
    incident(conn, "H", 1.5, 1.5, timedelta(hours=1))
    grid = run_hotspots(conn, Filters(), NOW)
    assert grid.unassigned == 1
    community = run_hotspots(conn, Filters(unit="community"), NOW)
    assert community.unassigned == 0
    assert community.table["count"].tolist() == [5]


def test_a_level_with_no_units_is_a_filter_error(conn: psycopg.Connection) -> None:
    with pytest.raises(FilterError) as err:
        run_hotspots(conn, Filters(), NOW)
    assert err.value.field == "unit"


def version(conn: psycopg.Connection, layer: str) -> int:
    row = conn.execute(
        "SELECT version FROM twin_layer_version WHERE layer = %s", [layer]
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_every_write_statement_bumps_the_layer_version(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    start = version(conn, "incident")
    gridworld.add_incident(conn, "V1", 0.5, 0.5)
    assert version(conn, "incident") == start + 1
    conn.execute("UPDATE incident SET severity = 2 WHERE code = 'V1'")
    conn.execute("DELETE FROM incident WHERE code = 'V1'")
    assert version(conn, "incident") == start + 3
    with conn.transaction():
        gridworld.add_incident(conn, "V2", 0.5, 0.5)
        gridworld.add_incident(conn, "V3", 0.5, 0.5)
    assert version(conn, "incident") == start + 5
    before = version(conn, "camera")
    conn.execute("TRUNCATE camera")
    assert version(conn, "camera") == before + 1


def test_a_new_layer_table_gets_a_version(conn: psycopg.Connection) -> None:
    layer: Layer = parse_layer(
        {
            "layer": {
                "name": "hydrant",
                "table": "hydrant",
                "kind": "point",
                "title": {"zh": "消防栓", "en": "Hydrants"},
            },
            "field": [
                {
                    "name": "code",
                    "type": "text",
                    "required": True,
                    "title": {"zh": "编号", "en": "Code"},
                }
            ],
        },
        "hydrant.toml",
    )
    ensure_point_table(conn, layer)
    assert version(conn, "hydrant") == 0
    conn.execute("INSERT INTO hydrant (code, geom) VALUES ('H1', 'SRID=4326;POINT(114 30)')")
    assert version(conn, "hydrant") == 1
