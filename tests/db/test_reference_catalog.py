"""Reference layers against the live database: `twin layers check` and `twin db verify`
name a stored class, layer or shape the catalog does not allow; export reads one layer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import psycopg
from shapely.geometry import LineString, Polygon

from twin.catalog import Layer
from twin.catalog.check import check_catalog
from twin.db.verify import verify
from twin.export import fetch_features
from twin.reference.store import ReferenceFeature, replace_layer

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # a pinned clock; nothing compares it with the real one
LINE = LineString([(116.0, 39.9), (116.01, 39.9)])
SQUARE = Polygon([(116.0, 39.9), (116.001, 39.9), (116.001, 39.901), (116.0, 39.901)])


def test_stored_features_the_catalog_does_not_allow_are_named(
    conn: psycopg.Connection, layers: dict[str, Layer]
) -> None:
    replace_layer(conn, "road", [ReferenceFeature("w1", "primary", "长安街", LINE)], NOW)
    replace_layer(conn, "water", [ReferenceFeature("r1", "river", None, LINE)], NOW)
    assert check_catalog(conn, layers) == []
    assert verify(conn, layers).problems == []
    replace_layer(
        conn,
        "road",
        [
            ReferenceFeature("w1", "primary", "长安街", LINE),
            ReferenceFeature("w2", "highway", None, LINE),
            ReferenceFeature("w3", "primary", None, SQUARE),
        ],
        NOW,
    )
    replace_layer(conn, "tram", [ReferenceFeature("t1", "tram", None, LINE)], NOW)
    expected = [
        "layers/road.toml (road): 1 stored feature(s) of class 'highway', not one of the"
        " catalog's motorway, trunk, primary, secondary, tertiary, residential, service,"
        " path, other",
        "layers/road.toml (road): 1 stored feature(s) are POLYGON; the layer's geometry is line",
        "reference_feature: 1 feature(s) of layer 'tram', which the catalog has no reference"
        " layer of",
    ]
    assert check_catalog(conn, layers) == expected
    assert [str(p) for p in verify(conn, layers).problems] == [f"reference: {e}" for e in expected]
    assert verify(conn).problems == []  # without a catalog, only counts and assignment


def test_the_reference_table_must_hold_every_shape(
    conn: psycopg.Connection, layers: dict[str, Layer]
) -> None:
    conn.execute("ALTER TABLE reference_feature DROP CONSTRAINT reference_feature_geom_check")
    conn.execute("ALTER TABLE reference_feature ALTER geom TYPE geometry(MultiLineString, 4326)")
    errors = check_catalog(conn, layers)
    assert errors[0] == (
        "layers/building.toml (building): geometry should be Geometry in EPSG:4326, found"
        " ('MultiLineString', 4326)"
    )
    assert len(errors) == 4  # one per reference layer


def test_export_writes_one_reference_layer(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    replace_layer(conn, "road", [ReferenceFeature("w1", "primary", "长安街", LINE)], NOW)
    replace_layer(conn, "water", [ReferenceFeature("r1", "river", "永定河", LINE)], NOW)
    roads = fetch_features(conn, layers["road"])
    assert roads[["code", "class", "name"]].values.tolist() == [["w1", "primary", "长安街"]]
    assert roads.geometry[0].equals(LINE)
    water = fetch_features(conn, layers["water"], where="class = 'river'")
    assert water["code"].tolist() == ["r1"]
