"""Each format and CRS loads and lands where it should, with write-time grid assignment."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import psycopg
import pytest
import shapely

from tests import files
from tests.gridworld import lonlat
from twin.catalog import Layer
from twin.ingest.load import LoadRefused, load_file
from twin.ingest.read import SourceError

CM_IN_DEG = 0.01 / 111_320


def stored(
    conn: psycopg.Connection, table: str = "incident"
) -> dict[str, tuple[float, float, str | None]]:
    rows = conn.execute(
        f"SELECT p.code, ST_X(p.geom), ST_Y(p.geom), g.code FROM {table} p "
        "LEFT JOIN grid g ON g.id = p.grid_id ORDER BY p.code"
    ).fetchall()
    return {code: (x, y, grid) for code, x, y, grid in rows}


SPOTS = [(0.5, 0.5), (1.5, 0.5), (1.0, 1.0), (5.0, 5.0)]
EXPECTED_GRIDS = ["G1", "G2", "G1", None]


def assert_landed(conn: psycopg.Connection, tolerance_deg: float = 1e-9) -> None:
    got = stored(conn)
    assert sorted(got) == ["F1", "F2", "F3", "F4"]
    for i, (x, y) in enumerate(SPOTS):
        lon, lat, grid = got[f"F{i + 1}"]
        assert (
            abs(lon - lonlat(x, y)[0]) < tolerance_deg
            and abs(lat - lonlat(x, y)[1]) < tolerance_deg
        )
        assert grid == EXPECTED_GRIDS[i]


def test_geojson_in_wgs84(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    path = files.write(files.incidents(SPOTS), tmp_path / "e.geojson")
    report = load_file(conn, layers["incident"], path)
    assert (report.inserted, report.updated) == (4, 0)
    assert_landed(conn)
    row = conn.execute(
        "SELECT severity, reported_at = '2026-11-20 00:00:00+00' FROM incident WHERE code = 'F1'"
    ).fetchone()
    assert row == (3, True)  # "+08:00" respected; enum "3" stored as smallint


def test_geopackage_in_a_cgcs2000_gauss_kruger_zone(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.incidents(SPOTS).to_crs("EPSG:4547")  # CGCS2000 / 3-degree GK CM 114E
    path = files.write(frame, tmp_path / "e.gpkg", layer="cases")
    load_file(conn, layers["incident"], path, layer_name="cases")
    assert_landed(conn, tolerance_deg=CM_IN_DEG)


def test_cgcs2000_geographic(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.incidents(SPOTS).set_crs("EPSG:4490", allow_override=True)
    load_file(conn, layers["incident"], files.write(frame, tmp_path / "e.gpkg"))
    assert_landed(conn, tolerance_deg=CM_IN_DEG)


def test_zipped_shapefile_with_chinese_field_names_in_gbk(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.incidents(SPOTS).rename(columns={"code": "编码", "category": "类别"})
    frame["描述"] = ["垃圾堆放未清运", "邻里纠纷", "占道经营", "井盖缺失"]
    shp = files.write(frame, tmp_path / "事件.shp", encoding="GBK")
    assert (tmp_path / "事件.cpg").read_text() == "GBK"
    path = files.zip_shapefile(shp)
    load_file(
        conn,
        layers["incident"],
        path,
        mapping={"code": "编码", "category": "类别", "description": "描述"},
    )
    assert_landed(conn)
    assert conn.execute("SELECT description FROM incident WHERE code = 'F4'").fetchone() == (
        "井盖缺失",
    )


def test_shapefile_by_its_folder_or_its_shp(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    folder = tmp_path / "shapes"
    folder.mkdir()
    path = files.write(files.incidents(SPOTS), folder / "e.shp")
    load_file(conn, layers["incident"], folder)
    assert_landed(conn)
    report = load_file(conn, layers["incident"], path)
    assert (report.inserted, report.updated) == (0, 4)


def test_a_csv_that_declares_no_crs_is_wgs84_and_the_report_says_so(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.incidents(SPOTS)
    table = frame.drop(columns="geometry").assign(经度=frame.geometry.x, 纬度=frame.geometry.y)
    path = tmp_path / "e.csv"
    table.to_csv(path, index=False)
    report = load_file(conn, layers["incident"], path)
    assert_landed(conn)
    assert report.notes == [
        "the CSV declares no CRS: read as WGS 84 (EPSG:4326); say --crs otherwise"
    ]
    assert load_file(conn, layers["incident"], path, crs="4326").notes == []


def test_a_projected_csv_without_its_crs_is_refused_with_a_hint(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.incidents(SPOTS).to_crs("EPSG:4547")
    path = tmp_path / "gk.csv"
    frame.drop(columns="geometry").assign(x=frame.geometry.x, y=frame.geometry.y).to_csv(
        path, index=False
    )
    with pytest.raises(LoadRefused) as refused:
        load_file(conn, layers["incident"], path)
    assert str(refused.value.problems[0]).endswith(
        "(the file declares no CRS and was read as WGS 84: say which with --crs)"
    )
    load_file(conn, layers["incident"], path, crs="4547")
    assert_landed(conn, tolerance_deg=CM_IN_DEG)


def test_csv_with_a_wkt_column(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.incidents(SPOTS)
    table = frame.drop(columns="geometry").assign(wkt=frame.geometry.to_wkt())
    path = tmp_path / "e.csv"
    table.to_csv(path, index=False)
    load_file(conn, layers["incident"], path, crs="EPSG:4326")
    assert_landed(conn)


def test_gcj02_coordinates_are_converted_to_wgs84(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    from twin.ingest.gcj02 import wgs84_to_gcj02

    frame = files.incidents(SPOTS)
    glon, glat = wgs84_to_gcj02(frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy())
    path = tmp_path / "amap.csv"
    frame.drop(columns="geometry").assign(lng=glon, lat=glat).to_csv(path, index=False)
    load_file(conn, layers["incident"], path, crs="4326", gcj02=True)
    assert_landed(conn, tolerance_deg=CM_IN_DEG / 10)  # a millimetre
    shift = np.hypot(glon - frame.geometry.x, glat - frame.geometry.y).min() * 111_320
    assert shift > 100  # without --from gcj02 these would sit hundreds of metres off


def test_a_file_crs_and_a_different_crs_option_are_refused(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    path = files.write(files.incidents(SPOTS).to_crs("EPSG:4547"), tmp_path / "e.gpkg")
    with pytest.raises(LoadRefused, match="1 problem"):
        load_file(conn, layers["incident"], path, crs="4326")
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (0,)


CAMERAS = [
    (101, 0.5, 0.5, {"man_made": "surveillance", "name": "南门探头"}),
    (102, 1.5, 0.5, {"man_made": "surveillance", "name": "东路探头"}),
    (103, 0.5, 1.5, {"emergency": "fire_hydrant", "name": "消防栓"}),
]

OSM = {"code": "osm_id"}


def test_openstreetmap_cameras_by_tag(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    path = files.osm(tmp_path / "city.osm", CAMERAS)
    report = load_file(
        conn,
        layers["camera"],
        path,
        layer_name="points",
        where="man_made = 'surveillance'",
        mapping=OSM,
    )
    assert (report.features, report.inserted) == (2, 2)
    got = stored(conn, "camera")
    assert {code: grid for code, (_, _, grid) in got.items()} == {"101": "G1", "102": "G2"}
    assert conn.execute("SELECT name, status FROM camera ORDER BY code").fetchall() == [
        ("南门探头", "online"),
        ("东路探头", "online"),
    ]
    assert "status: not in the file; 2 new feature(s) stored with the default 'online'" in (
        report.notes
    )


def test_a_file_that_opens_but_yields_no_feature_is_refused(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    only_a_way = files.osm(tmp_path / "roads.osm", [])
    with pytest.raises(SourceError, match=r"roads.osm: no features in layer 'points': nothing"):
        load_file(conn, layers["camera"], only_a_way, layer_name="points", mapping=OSM)
    cameras = files.osm(tmp_path / "city.osm", CAMERAS)
    with pytest.raises(SourceError, match=r"no features in layer 'points' match --where"):
        load_file(
            conn,
            layers["camera"],
            cameras,
            layer_name="points",
            where="man_made = 'mast'",
            mapping=OSM,
        )
    empty = files.geojson(tmp_path / "none.geojson", [])
    with pytest.raises(SourceError, match=r"none.geojson: layer 'none' holds no features"):
        load_file(conn, layers["camera"], empty, mapping=OSM)
    assert conn.execute("SELECT count(*) FROM camera").fetchone() == (0,)


def test_a_bad_where_is_a_clear_error(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    path = files.osm(tmp_path / "city.osm", CAMERAS)
    with pytest.raises(SourceError) as err:
        load_file(
            conn, layers["camera"], path, layer_name="points", where="colour = 'red'", mapping=OSM
        )
    assert str(err.value).startswith(f"{path}: --where \"colour = 'red'\": GDAL cannot apply it (")
    assert "write an SQL condition on the file's columns (osm_id, name," in str(err.value)
    csv = tmp_path / "e.csv"
    csv.write_text("code,lon,lat\nA,114,30\n")
    with pytest.raises(SourceError, match="does not apply to CSV"):
        load_file(conn, layers["camera"], csv, where="code = 'A'")


def test_compressed_files_load_through_gdal_and_pandas(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.incidents(SPOTS)
    geojson = files.write(frame, tmp_path / "e.geojson")
    gpkg = files.write(frame, tmp_path / "e.gpkg")
    csv = tmp_path / "e.csv"
    frame.drop(columns="geometry").assign(lon=frame.geometry.x, lat=frame.geometry.y).to_csv(
        csv, index=False
    )
    packed = [
        files.gzipped(geojson),
        files.gzipped(csv),
        files.zipped(tmp_path / "gpkg.zip", gpkg),
        files.zipped(tmp_path / "geojson.zip", geojson),
        files.zipped(tmp_path / "csv.zip", csv),
    ]
    for path in packed:
        conn.execute("DELETE FROM incident")
        report = load_file(conn, layers["incident"], path)
        assert (report.features, report.inserted) == (4, 4), path.name
        assert_landed(conn)


def neighbours_sharing_an_edge(x: float, y: float, size: float) -> list[shapely.Polygon]:
    """A west and B east sharing a north-south edge on which only B has a vertex midway
    (a T-junction, as in real boundary files), and C north of A sharing A's north edge."""
    a = shapely.box(x, y, x + size, y + size)
    b = shapely.Polygon(
        [
            (x + size, y),
            (x + 2 * size, y),
            (x + 2 * size, y + size),
            (x + size, y + size),
            (x + size, y + size / 2),
        ]
    )
    c = shapely.Polygon(
        [
            (x, y + size),
            (x + size / 2, y + size),
            (x + size, y + size),
            (x + size, y + 2 * size),
            (x, y + 2 * size),
        ]
    )
    return [a, b, c]


@pytest.mark.parametrize(
    ("conversion", "crs", "origin", "size"),
    [
        ("gcj02", "EPSG:4326", (114.0, 30.0), 0.1),
        ("reprojection", "EPSG:4547", (600_000.0, 3_320_000.0), 10_000.0),  # GK, east of CM
    ],
)
def test_conversions_keep_shared_edges_shared(
    conn: psycopg.Connection,
    layers: dict[str, Layer],
    tmp_path: Path,
    conversion: str,
    crs: str,
    origin: tuple[float, float],
    size: float,
) -> None:
    shapes = neighbours_sharing_an_edge(*origin, size)
    frame = gpd.GeoDataFrame(
        {"code": ["A", "B", "C"], "name": ["a", "b", "c"]}, geometry=shapes, crs=crs
    )
    path = files.write(frame, tmp_path / "districts.gpkg")
    load_file(conn, layers["district"], path, gcj02=conversion == "gcj02")
    rows = conn.execute(
        "SELECT b.code, ST_Area(ST_Intersection(a.geom, b.geom)), "
        "ST_Relate(a.geom, b.geom, 'F***1****') FROM grid a JOIN grid b ON b.code <> 'A' "
        "WHERE a.code = 'A' ORDER BY 1"
    ).fetchall()
    assert rows == [("B", 0.0, True), ("C", 0.0, True)]  # no overlap; still a shared edge
