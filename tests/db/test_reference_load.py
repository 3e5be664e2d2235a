"""`twin load road|water|building|landmark`: any file, any CRS, or an OpenStreetMap extract
by tags, replacing the layer whole; every problem named by feature and field, nothing written
then; and reference layers are never counted."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from pyproj import Transformer

from tests import gridworld
from tests.db.test_cli import twin
from twin.catalog import Layer
from twin.db.verify import verify
from twin.ingest.load import LoadRefused
from twin.ingest.osm import TagError
from twin.ingest.reference import ReferenceLoad, load_reference
from twin.reference.store import layer_versions

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # a pinned clock; nothing compares it with the real one
CITY = Path(__file__).resolve().parents[1] / "data" / "reference" / "city.osm"
OSM = ReferenceLoad(osm=True)


def stored(conn: psycopg.Connection, layer: str) -> list[tuple[str, str, str | None, str]]:
    """(code, class, name, geometry type) of a layer's features, by code."""
    return [
        tuple(r)  # type: ignore[misc]
        for r in conn.execute(
            "SELECT code, class, name, GeometryType(geom) FROM reference_feature"
            " WHERE layer = %s ORDER BY code",
            [layer],
        )
    ]


def test_an_osm_extract_loads_each_layer_by_its_tags(
    conn: psycopg.Connection, layers: dict[str, Layer]
) -> None:
    for name in ("road", "water", "building", "landmark"):
        load_reference(conn, layers[name], CITY, OSM, NOW)
    # highway values: primary as itself, a _link as its road, footway as a path, and an
    # unknown value (bus_guideway) as "other"; the traffic-signal node is no road.
    assert stored(conn, "road") == [
        ("w10", "primary", "长安街", "LINESTRING"),
        ("w11", "motorway", None, "LINESTRING"),
        ("w14", "other", None, "LINESTRING"),
        ("w15", "path", None, "LINESTRING"),
        ("w16", "residential", "胡同", "LINESTRING"),
    ]
    # waterway lines and natural=water areas; the dam is no water, the wood no lake.
    assert stored(conn, "water") == [
        ("w12", "river", "永定河", "LINESTRING"),
        ("w17", "canal", None, "LINESTRING"),
        ("w19", "water", "什刹海", "MULTIPOLYGON"),
    ]
    assert stored(conn, "building") == [
        ("r100", "building", None, "MULTIPOLYGON"),
        ("w13", "building", "办公楼", "MULTIPOLYGON"),
    ]
    # amenity from a node's other_tags, tourism from an area's column, historic from a node.
    assert stored(conn, "landmark") == [
        ("n20", "historic", "纪念碑", "POINT"),
        ("n9", "amenity", "第一小学", "POINT"),
        ("w24", "tourism", "博物馆", "MULTIPOLYGON"),
    ]
    assert layer_versions(conn) == {"road": 1, "water": 1, "building": 1, "landmark": 1}


@pytest.mark.parametrize(
    ("layer", "tags", "codes"),
    [
        ("road", ("highway=primary,residential",), ["w10", "w16"]),
        ("road", ("highway=motorway",), []),  # motorway_link's own value is not motorway
        ("road", ("highway=motorway_link", "highway=footway"), ["w11", "w15"]),
        ("road", ("highway=*",), ["w10", "w11", "w14", "w15", "w16"]),
        ("water", ("natural=water",), ["w19"]),
        ("water", ("waterway=river",), ["w12"]),
        ("water", ("natural=wood",), ["w22"]),
        ("landmark", ("amenity=school", "historic"), ["n20", "n9"]),
    ],
)
def test_tags_choose_the_features(
    conn: psycopg.Connection,
    layers: dict[str, Layer],
    layer: str,
    tags: tuple[str, ...],
    codes: list[str],
) -> None:
    how = ReferenceLoad(osm=True, tags=tags)
    if not codes:
        with pytest.raises(ValueError, match="no features to load into road"):
            load_reference(conn, layers[layer], CITY, how, NOW)
        return
    load_reference(conn, layers[layer], CITY, how, NOW)
    assert [r[0] for r in stored(conn, layer)] == codes


def test_tags_a_layer_does_not_take_are_refused(
    conn: psycopg.Connection, layers: dict[str, Layer]
) -> None:
    with pytest.raises(TagError, match="--tags 'railway=rail': layer road takes the keys highway"):
        load_reference(
            conn, layers["road"], CITY, ReferenceLoad(osm=True, tags=("railway=rail",)), NOW
        )
    with pytest.raises(TagError, match="give values after '=', or highway=\\* for any"):
        load_reference(conn, layers["road"], CITY, ReferenceLoad(osm=True, tags=("highway=",)), NOW)
    with pytest.raises(TagError, match="--layer-name does not apply to an OpenStreetMap"):
        load_reference(conn, layers["road"], CITY, ReferenceLoad(osm=True, layer_name="lines"), NOW)


def feature_collection(path: Path, features: list[tuple[dict, dict]], crs: str | None) -> Path:
    """A GeoJSON file of (properties, geometry) pairs, declaring crs (legacy GeoJSON CRS)."""
    doc: dict = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def mercator(lon: float, lat: float) -> list[float]:
    """EPSG:3857 metres of a lon/lat."""
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(lon, lat)
    return [x, y]


def line(*points: tuple[float, float]) -> dict:
    return {"type": "LineString", "coordinates": [mercator(*p) for p in points]}


def polygon(*points: tuple[float, float]) -> dict:
    return {"type": "Polygon", "coordinates": [[mercator(*p) for p in points]]}


def test_a_file_in_another_crs_is_reprojected_and_replaces_the_layer(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    load_reference(conn, layers["road"], CITY, OSM, NOW)
    path = feature_collection(
        tmp_path / "roads.geojson",
        [
            (
                {"id": "A1", "fclass": "主干道", "name": "人民路"},
                line((114.0, 30.0), (114.01, 30.0)),
            ),
            ({"id": "A2", "fclass": "service", "name": None}, line((114.0, 30.0), (114.0, 30.01))),
        ],
        "urn:ogc:def:crs:EPSG::3857",
    )
    how = ReferenceLoad(mapping={"code": "id", "class": "fclass"})
    report = load_reference(conn, layers["road"], path, how, NOW)
    assert (report.inserted, report.replaced) == (2, 5)
    assert stored(conn, "road") == [
        ("A1", "primary", "人民路", "LINESTRING"),  # the zh label names the class too
        ("A2", "service", None, "LINESTRING"),
    ]
    x0, y0, x1, y1 = conn.execute(
        "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)"
        " FROM reference_feature WHERE code = 'A1'"
    ).fetchone()
    assert (x0, y0, x1, y1) == pytest.approx((114.0, 30.0, 114.01, 30.0), abs=1e-9)
    assert layer_versions(conn)["road"] == 2


def test_every_problem_is_named_and_nothing_is_written(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    load_reference(conn, layers["road"], CITY, OSM, NOW)
    square = ((114.0, 30.0), (114.001, 30.0), (114.001, 30.001), (114.0, 30.001), (114.0, 30.0))
    path = feature_collection(
        tmp_path / "bad.geojson",
        [
            ({"code": "B1", "class": "highway", "name": "x"}, line((114.0, 30.0), (114.01, 30.0))),
            ({"code": "B2", "class": "primary", "name": "y"}, polygon(*square)),
            ({"code": "B1", "class": "primary", "name": "z"}, line((114.0, 30.0), (114.0, 30.01))),
        ],
        "urn:ogc:def:crs:EPSG::3857",
    )
    with pytest.raises(LoadRefused) as refused:
        load_reference(conn, layers["road"], path, ReferenceLoad(), NOW)
    assert [str(p) for p in refused.value.problems] == [
        "feature 1 (code B1): class: unknown value 'highway' (expected one of: motorway, trunk,"
        " primary, secondary, tertiary, residential, service, path, other, or their labels)",
        "feature 2 (code B2): geometry: wrong geometry type Polygon: layer road holds lines",
        "feature 1 (code B1): code: duplicate code in the file (features 1, 3)",
        "feature 3 (code B1): code: duplicate code in the file (features 1, 3)",
    ]
    assert str(refused.value) == f"{path}: 4 problem(s); nothing was loaded"
    assert len(stored(conn, "road")) == 5 and layer_versions(conn)["road"] == 1


def test_an_invalid_building_is_refused_unless_fix_makes_it_valid(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    bow = ((114.0, 30.0), (114.001, 30.001), (114.001, 30.0), (114.0, 30.001), (114.0, 30.0))
    path = feature_collection(
        tmp_path / "buildings.geojson",
        [({"class": "building", "name": "蝴蝶楼"}, polygon(*bow))],
        "urn:ogc:def:crs:EPSG::3857",
    )
    with pytest.raises(LoadRefused) as refused:
        load_reference(conn, layers["building"], path, ReferenceLoad(), NOW)
    # Named where it is, in WGS 84 (the reprojection leaves some float noise).
    (only,) = refused.value.problems
    assert re.fullmatch(
        r"feature 1: geometry: invalid geometry: Self-intersection\[114\.0005\d* 30\.0005\d*\]"
        r" \(--fix repairs it\)",
        str(only),
    ), str(only)
    report = load_reference(conn, layers["building"], path, ReferenceLoad(fix=True), NOW)
    assert [r.split(" (")[0] for r in report.repairs] == ["feature 1: made valid"]
    assert "the file has no code column: features are coded by their number" in report.notes
    assert stored(conn, "building") == [("1", "building", "蝴蝶楼", "MULTIPOLYGON")]


def test_reference_layers_are_never_counted(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    gridworld.build(conn)
    gridworld.add_incident(conn, "E1", 0.5, 0.5)
    before = conn.execute("SELECT * FROM grid_stat ORDER BY grid_id").fetchall()
    versions = conn.execute("SELECT count(*) FROM grid_version").fetchone()
    # Roads and buildings right over the grids, through G1 where the incident is.
    x, y = gridworld.lonlat(0.5, 0.5)
    square = ((x, y), (x + 0.001, y), (x + 0.001, y + 0.001), (x, y + 0.001), (x, y))
    roads = feature_collection(
        tmp_path / "roads.geojson",
        [({"code": "R1", "class": "primary"}, line((x - 0.01, y), (x + 0.01, y)))],
        "urn:ogc:def:crs:EPSG::3857",
    )
    houses = feature_collection(
        tmp_path / "houses.geojson",
        [({"code": "H1", "class": "building"}, polygon(*square))],
        "urn:ogc:def:crs:EPSG::3857",
    )
    load_reference(conn, layers["road"], roads, ReferenceLoad(), NOW)
    load_reference(conn, layers["building"], houses, ReferenceLoad(), NOW)
    assert conn.execute("SELECT * FROM grid_stat ORDER BY grid_id").fetchall() == before
    assert conn.execute("SELECT count(*) FROM grid_version").fetchone() == versions
    assert conn.execute(
        "SELECT count(*) FROM twin_stat_column WHERE layer IN"
        " ('road', 'building', 'reference_feature')"
    ).fetchone() == (0,)
    result = verify(conn, layers)
    assert result.problems == [] and result.layers == 3  # camera, incident, sensor: no more


def test_twin_load_reads_an_extract_by_its_name_and_refuses_bad_options(
    conn: psycopg.Connection, db_url: str, tmp_path: Path
) -> None:
    env = {"TWIN_DATABASE_URL": db_url}
    done = twin("load", "road", str(CITY), "--tags", "highway=primary", env=env)
    assert done.returncode == 0, done.stderr
    assert "note: OpenStreetMap tags taken: highway=primary" in done.stdout
    assert f"road: 1 features from {CITY} replace the layer's 0 in" in done.stdout
    cases = [
        (("road", str(CITY), "--snap", "1"), "--snap applies to boundary layers; road is"),
        (("grid", str(CITY), "--osm"), "--osm and --tags load reference layers; grid is a grid"),
        (("road", str(tmp_path / "x.gpkg"), "--osm"), "is not an OpenStreetMap extract"),
        (("water", str(CITY), "--tags", "highway=*"), "layer water takes the keys waterway,"),
    ]
    for args, said in cases:
        got = twin("load", *args, env=env)
        assert got.returncode == 2, (args, got.stdout, got.stderr)
        assert said in got.stderr, got.stderr
    bad = feature_collection(
        tmp_path / "bad.geojson",
        [({"code": "B1", "class": "lane"}, line((114.0, 30.0), (114.01, 30.0)))],
        "urn:ogc:def:crs:EPSG::3857",
    )
    refused = twin("load", "road", str(bad), env=env)
    assert refused.returncode == 1
    assert "feature 1 (code B1): class: unknown value 'lane'" in refused.stderr
