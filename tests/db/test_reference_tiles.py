"""Reference tiles cut by PostGIS: decoded with mapbox-vector-tile, checked per zoom, per
class's min_zoom, for simplification within a pixel, and for a cache that follows writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import mapbox_vector_tile
import psycopg
import pytest
import shapely
from psycopg_pool import ConnectionPool
from shapely.geometry import shape

from tests import reference_world as rw
from twin.db.connect import open_pool
from twin.reference.store import ReferenceFeature, replace_layer
from twin.reference.tiles import ReferenceTiles, TileAddress, cut_tile


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pool(db_url: str) -> Iterator[ConnectionPool]:
    p = open_pool(db_url, 2)
    try:
        yield p
    finally:
        p.close()


def decode(raw: bytes) -> dict[str, Any]:
    """A tile's layers, y down as in the tile (the decoder's default flips it)."""
    return mapbox_vector_tile.decode(raw, default_options={"y_coord_down": True})


def cut(conn: psycopg.Connection, z: int, lon: float = rw.LON, lat: float = rw.LAT) -> dict:
    raw, _ = cut_tile(conn, rw.REFS, TileAddress(*rw.tile_of(lon, lat, z)))
    return decode(raw) if raw else {}


def names(tile: dict[str, Any]) -> dict[str, list[tuple[str, str | None]]]:
    return {
        layer: sorted(
            (f["properties"]["class"], f["properties"].get("name")) for f in v["features"]
        )
        for layer, v in tile.items()
    }


def test_a_tile_holds_a_layer_per_reference_layer_with_class_and_name(
    conn: psycopg.Connection,
) -> None:
    rw.load(conn)
    tile = cut(conn, 16)
    assert names(tile) == {
        "road": [("primary", "解放大道"), ("residential", None)],
        "water": [("river", "长江"), ("water", "东湖")],
        "building": [("building", None)],
    }
    assert {v["extent"] for v in tile.values()} == {4096}
    kinds = {f["properties"]["class"]: f["geometry"]["type"] for f in tile["water"]["features"]}
    assert kinds == {"river": "LineString", "water": "Polygon"}
    assert set(tile["road"]["features"][0]["properties"]) <= {"class", "name"}


def test_classes_below_their_min_zoom_are_left_out(conn: psycopg.Connection) -> None:
    rw.load(conn)
    assert names(cut(conn, 9)) == {"water": [("river", "长江"), ("water", "东湖")]}
    assert names(cut(conn, 13))["road"] == [("primary", "解放大道")]
    assert names(cut(conn, 14))["road"] == [("primary", "解放大道"), ("residential", None)]
    assert "building" not in cut(conn, 15)
    assert names(cut(conn, 16))["building"] == [("building", None)]


def test_a_tile_with_nothing_in_it_is_empty(conn: psycopg.Connection) -> None:
    rw.load(conn)
    raw, count = cut_tile(conn, rw.REFS, TileAddress(*rw.tile_of(rw.LON + 1, rw.LAT, 14)))
    assert (raw, count) == (b"", 0)


def test_a_tile_is_cut_to_its_box_with_a_buffer(conn: psycopg.Connection) -> None:
    # A road 2 km long crosses several zoom-16 tiles; each holds only its piece.
    replace_layer(
        conn,
        "road",
        [ReferenceFeature("long", "primary", None, rw.line((-1000, 0), (1000, 0)))],
        rw.NOW,
    )
    road = cut(conn, 16)["road"]["features"][0]
    xs = [x for x, _ in road["geometry"]["coordinates"]]
    assert min(xs) >= -64 and max(xs) <= 4096 + 64


def vertices(tile: dict[str, Any], cls: str) -> int:
    feats = [f for f in tile["road"]["features"] if f["properties"]["class"] == cls]
    return sum(len(shapely.get_coordinates(shape(f["geometry"]))) for f in feats)


def test_simplification_drops_vertices_with_zoom_and_stays_within_a_pixel(
    conn: psycopg.Connection,
) -> None:
    wiggly = rw.wiggle()  # 2,000 vertices, ±3 m about a 150 m axis
    replace_layer(conn, "road", [ReferenceFeature("w", "primary", None, wiggly)], rw.NOW)
    counts = {}
    for z in range(11, 18):
        address = rw.tile_of(rw.LON, rw.LAT, z)
        raw, _ = cut_tile(conn, rw.REFS, TileAddress(*address))
        tile = decode(raw)
        counts[z] = vertices(tile, "primary")
        drawn = shape(tile["road"]["features"][0]["geometry"])
        truth = rw.to_tile_units(wiggly, *address)
        # A pixel is 4096 / 256 = 16 tile units; the grid rounding adds at most half a unit.
        assert drawn.hausdorff_distance(truth) <= 16 + 1, z
    assert [counts[z] for z in sorted(counts)] == sorted(counts.values())  # never more zoomed out
    # Zoomed out the ±3 m wiggle is under a pixel: a straight line. At zoom 17 (1.2 m a pixel)
    # its 15 waves show, with no vertex of the 2,000 finer than that.
    assert counts[11] == counts[15] == 2
    assert 30 <= counts[17] < 200


def test_the_cache_serves_a_tile_until_a_layer_is_replaced(
    conn: psycopg.Connection, pool: ConnectionPool
) -> None:
    rw.load(conn)
    clock = Clock()
    tiles = ReferenceTiles(pool, rw.REFS, clock=clock)
    at = TileAddress(*rw.tile_of(rw.LON, rw.LAT, 16))
    first = tiles.tile(at)
    assert tiles.tile(at) is first  # cut once
    renamed = ReferenceFeature("r1", "primary", "中山大道", rw.line((-100, 0), (100, 0)))
    replace_layer(conn, "road", [renamed], rw.NOW)
    clock.now += 0.5  # within the versions' TTL: the tile held is still served
    assert tiles.tile(at) is first
    clock.now += 1.0
    fresh = tiles.tile(at)
    assert fresh is not first and fresh.etag != first.etag
    assert names(decode(fresh.raw))["road"] == [("primary", "中山大道")]
    assert len(tiles.cache) == 2


def test_the_token_moves_with_every_write_and_only_then(
    conn: psycopg.Connection, pool: ConnectionPool
) -> None:
    clock = Clock()
    tiles = ReferenceTiles(pool, rw.REFS, clock=clock)
    empty = tiles.token()
    clock.now += 5
    assert tiles.token() == empty
    rw.load(conn)
    clock.now += 5
    loaded = tiles.token()
    replace_layer(conn, "building", [], rw.NOW)
    clock.now += 5
    assert len({empty, loaded, tiles.token()}) == 3
