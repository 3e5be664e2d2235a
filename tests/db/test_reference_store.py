"""The reference-feature store: a layer is replaced whole, versioned, and read back near a shape."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg
import pytest
from shapely.geometry import LineString, Point, Polygon

from twin.reference.store import ReferenceFeature, features_near, layer_versions, replace_layer

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # a pinned clock; nothing compares it with the real one
ROAD = ReferenceFeature("w1", "primary", "长安街", LineString([(116.0, 39.9), (116.01, 39.9)]))
LANE = ReferenceFeature("w2", "service", None, LineString([(116.0, 39.95), (116.01, 39.95)]))


def test_a_layer_is_replaced_whole_and_its_version_moves(conn: psycopg.Connection) -> None:
    assert replace_layer(conn, "road", [ROAD, LANE], NOW) == 2
    assert layer_versions(conn) == {"road": 1}
    assert replace_layer(conn, "road", [LANE], NOW) == 1
    assert layer_versions(conn) == {"road": 2}
    codes = conn.execute("SELECT code FROM reference_feature WHERE layer = 'road'").fetchall()
    assert codes == [("w2",)]


def test_features_near_a_shape_by_metres(conn: psycopg.Connection) -> None:
    replace_layer(conn, "road", [ROAD, LANE], NOW)
    replace_layer(
        conn, "building", [ReferenceFeature("b1", "yes", None, Point(116.005, 39.9))], NOW
    )
    three_m_off = Point(116.005, 39.9 + 3 / 111_320)
    near = features_near(conn, ["road"], three_m_off, 5.0)
    assert [(f.code, f.cls, f.name) for f in near] == [("w1", "primary", "长安街")]
    assert near[0].geom.equals(ROAD.geom)
    assert features_near(conn, ["road"], three_m_off, 2.0) == []


def test_an_invalid_geometry_is_refused_by_the_table(conn: psycopg.Connection) -> None:
    bow = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    with pytest.raises(psycopg.errors.CheckViolation):
        replace_layer(conn, "water", [ReferenceFeature("x", "lake", None, bow)], NOW)
