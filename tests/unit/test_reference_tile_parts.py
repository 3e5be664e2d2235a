"""The tile service's pure parts: reading a tile address, a pixel's size, the bounded cache."""

from __future__ import annotations

import pytest

from twin.reference.tiles import BadTile, Tile, TileAddress, TileCache, pixel_m


def test_an_address_is_three_whole_numbers_inside_the_zoom_grid() -> None:
    assert TileAddress.parse("14", "13398", "6765") == TileAddress(14, 13398, 6765)
    assert TileAddress.parse("0", "0", "0") == TileAddress(0, 0, 0)


@pytest.mark.parametrize(
    ("z", "x", "y", "status"),
    [
        ("a", "0", "0", 400),
        ("1.5", "0", "0", 400),
        ("-1", "0", "0", 400),
        ("1", "0", "1e3", 400),
        ("", "0", "0", 400),
        ("9" * 40, "0", "0", 400),  # huge: refused before int() is asked to read it
        ("23", "0", "0", 404),
        ("2", "4", "0", 404),
        ("2", "0", "4", 404),
        ("0", "1", "0", 404),
    ],
)
def test_a_bad_address_says_why_and_how_bad(z: str, x: str, y: str, status: int) -> None:
    with pytest.raises(BadTile, match=f"tile {z}/{x}/{y}") as err:
        TileAddress.parse(z, x, y)
    assert err.value.status == status


def test_a_pixel_halves_with_each_zoom() -> None:
    assert pixel_m(0) == pytest.approx(156_543.03, rel=1e-6)
    assert pixel_m(16) == pytest.approx(pixel_m(15) / 2)


def _tile(n: int) -> Tile:
    return Tile.of(bytes(n), 1, f"t{n}")


def test_the_cache_drops_the_least_recently_used_past_its_bytes() -> None:
    one = _tile(1000)
    weight = len(one.raw) + len(one.gzipped) + 200
    cache = TileCache(max_bytes=3 * weight)
    for k in "abc":
        cache.put((k,), _tile(1000))
    assert cache.get(("a",)) is not None  # a is now the most recently used
    cache.put(("d",), _tile(1000))
    assert cache.get(("b",)) is None
    assert [cache.get((k,)) is not None for k in "acd"] == [True, True, True]
    assert cache.size == 3 * weight


def test_an_empty_tile_is_no_body_at_all() -> None:
    empty = Tile.of(b"", 0, "e")
    assert (empty.raw, empty.gzipped) == (b"", b"")
