"""GET /tiles/reference/{z}/{x}/{y}.mvt on twin's own server: the tile, 204 when empty,
revalidation, caching for good only under the current versions, 4xx for what is no tile."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import mapbox_vector_tile
import psycopg
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import reference_world as rw
from twin.app.reference_map import MVT, overlay_config, register_tile_route
from twin.db.connect import open_pool
from twin.reference.tiles import ReferenceTiles

Z, X, Y = rw.tile_of(rw.LON, rw.LAT, 16)
HERE = f"/tiles/reference/{Z}/{X}/{Y}.mvt"


@pytest.fixture
def tiles(db_url: str, conn: psycopg.Connection) -> Iterator[ReferenceTiles]:
    rw.load(conn)
    pool = open_pool(db_url, 2)
    try:
        yield ReferenceTiles(pool, rw.REFS)
    finally:
        pool.close()


@pytest.fixture
def client(tiles: ReferenceTiles) -> FlaskClient:
    server = Flask(__name__)
    register_tile_route(server, tiles)
    return server.test_client()


def test_a_tile_is_a_vector_tile_gzipped_when_asked(client: FlaskClient) -> None:
    plain = client.get(HERE)
    assert plain.status_code == 200
    assert plain.mimetype == MVT
    assert plain.headers["Cache-Control"] == "no-cache"  # no versions named: revalidate
    assert set(mapbox_vector_tile.decode(plain.data)) == {"road", "water", "building"}
    zipped = client.get(HERE, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data


def test_a_url_naming_the_current_versions_is_cached_for_good(
    client: FlaskClient, tiles: ReferenceTiles
) -> None:
    current = client.get(f"{HERE}?v={tiles.token()}")
    assert "immutable" in current.headers["Cache-Control"]
    stale = client.get(f"{HERE}?v=0123456789ab")
    assert stale.headers["Cache-Control"] == "no-cache"
    again = client.get(HERE, headers={"If-None-Match": current.headers["ETag"]})
    assert (again.status_code, again.data) == (304, b"")


def test_an_empty_tile_is_204(client: FlaskClient) -> None:
    z, x, y = rw.tile_of(rw.LON + 1, rw.LAT, 14)
    answer = client.get(f"/tiles/reference/{z}/{x}/{y}.mvt")
    assert (answer.status_code, answer.data) == (204, b"")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/tiles/reference/a/0/0.mvt", 400),
        ("/tiles/reference/1/0/0.5.mvt", 400),
        ("/tiles/reference/-1/0/0.mvt", 400),
        ("/tiles/reference/99999999999999999999/0/0.mvt", 400),
        ("/tiles/reference/23/0/0.mvt", 404),
        ("/tiles/reference/3/8/0.mvt", 404),
        ("/tiles/reference/3/0/99999999.mvt", 404),
        ("/tiles/reference/%E4%B8%AD/0/0.mvt", 400),
    ],
)
def test_what_is_no_tile_is_a_4xx_that_says_why(
    client: FlaskClient, path: str, status: int
) -> None:
    answer = client.get(path)
    assert answer.status_code == status
    assert "tile " in answer.get_data(as_text=True)


def test_a_map_is_told_the_url_styles_and_label_in_its_language(tiles: ReferenceTiles) -> None:
    config = overlay_config(tiles, "hot-map", "en", on=False, dim=True)
    assert config is not None
    assert config["url"] == f"/tiles/reference/{{z}}/{{x}}/{{y}}.mvt?v={tiles.token()}"
    assert (config["map"], config["label"], config["on"], config["dim"]) == (
        "hot-map",
        "Streets, water, buildings",
        False,
        True,
    )
    road = config["layers"][0]
    assert road["name"] == "road"
    assert road["classes"][0] == {
        "value": "primary",
        "color": "#c05621",
        "width": 5.0,
        "fill": None,
        "min_zoom": 10,
        "label": True,
    }
    assert overlay_config(ReferenceTiles(tiles.pool, ()), "map", "en") is None
