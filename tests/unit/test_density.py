"""Kernel density by binning and FFT equals a direct per-point Gaussian KDE."""

import math
import struct
import zlib

import numpy as np
import pytest

from twin.hotspots.density import (
    M_PER_DEG_LAT,
    MIN_BANDWIDTH_M,
    cell_centres,
    density,
    density_png,
    silverman_bandwidth,
)

LON0, LAT0 = 114.05, 22.55


def _points(n: int, seed: int = 1) -> np.ndarray:
    """Two clusters of lon/lat points a few km apart."""
    rng = np.random.default_rng(seed)
    xy = np.concatenate([rng.normal(0, 400, (n // 2, 2)), rng.normal(1500, 250, (n - n // 2, 2))])
    mx = M_PER_DEG_LAT * math.cos(math.radians(LAT0))
    return np.column_stack([LON0 + xy[:, 0] / mx, LAT0 + xy[:, 1] / M_PER_DEG_LAT])


def _direct_kde(pts: np.ndarray, lon: np.ndarray, lat: np.ndarray, h: float) -> np.ndarray:
    """The per-point Gaussian KDE in points per km², evaluated at the given lon/lat."""
    lat0 = pts[:, 1].mean()
    mx = M_PER_DEG_LAT * math.cos(math.radians(lat0))
    dx = (lon.ravel()[:, None] - pts[:, 0]) * mx
    dy = (lat.ravel()[:, None] - pts[:, 1]) * M_PER_DEG_LAT
    k = np.exp(-(dx**2 + dy**2) / (2 * h * h)).sum(axis=1) / (2 * math.pi * h * h)
    return (k * 1e6).reshape(lon.shape)


@pytest.mark.parametrize("bandwidth", [None, 120.0])
def test_fft_density_is_close_to_direct_kde(bandwidth: float | None) -> None:
    pts = _points(300)
    d = density(pts, bandwidth_m=bandwidth)
    lon, lat = cell_centres(d)
    direct = _direct_kde(pts, lon, lat, d.bandwidth_m)
    assert np.abs(d.grid - direct).max() <= 0.02 * direct.max()


def test_density_integrates_to_the_number_of_points() -> None:
    pts = _points(500)
    d = density(pts)
    assert d.grid.sum() * (d.cell_m / 1000) ** 2 == pytest.approx(500, rel=1e-6)


def test_silverman_rule_follows_the_arcgis_formula() -> None:
    xy = np.random.default_rng(4).normal(0, 1000, (400, 2))
    dist = np.hypot(*(xy - xy.mean(axis=0)).T)
    sd, dm = math.sqrt((dist**2).mean()), np.median(dist)
    expected = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * 400**-0.2
    assert silverman_bandwidth(xy) == pytest.approx(expected)
    assert density(_points(400)).rule == "silverman"


def test_one_point_gets_the_minimum_bandwidth_and_a_peak_where_it_is() -> None:
    d = density(np.array([[LON0, LAT0]]))
    assert d.bandwidth_m == MIN_BANDWIDTH_M
    row, col = np.unravel_index(d.grid.argmax(), d.grid.shape)
    lon, lat = cell_centres(d)
    assert abs(lon[row, col] - LON0) * 100_000 < d.cell_m
    assert abs(lat[row, col] - LAT0) * 111_320 < d.cell_m


def test_given_bandwidth_and_cell_are_used() -> None:
    d = density(_points(100), bandwidth_m=300, cell_m=40)
    assert (d.bandwidth_m, d.cell_m, d.rule) == (300, 40, "given")


def test_north_is_the_first_row() -> None:
    pts = np.array([[LON0, LAT0], [LON0, LAT0 + 0.02]] + [[LON0, LAT0 + 0.02]] * 5)
    d = density(pts, bandwidth_m=100)
    assert d.grid[: d.grid.shape[0] // 2].sum() > 3 * d.grid[d.grid.shape[0] // 2 :].sum()


def test_no_points_give_an_empty_surface_and_a_clear_png() -> None:
    d = density(np.empty((0, 2)))
    assert d.grid.shape == (0, 0)
    assert d.bounds is None
    assert density_png(d).startswith(b"\x89PNG")


@pytest.mark.parametrize("bad", [0.0, -5.0, float("nan")])
def test_a_bad_bandwidth_is_refused_by_name(bad: float) -> None:
    with pytest.raises(ValueError, match="bandwidth_m"):
        density(_points(10), bandwidth_m=bad)


def _decode_png(data: bytes) -> np.ndarray:
    """An RGBA array from a PNG written with filter 0 (what density_png writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])[0]
        assert zlib.crc32(kind + body) == crc
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
            assert body[8:10] == b"\x08\x06"  # 8-bit RGBA
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, width * 4 + 1)
    assert (raw[:, 0] == 0).all()
    return raw[:, 1:].reshape(height, width, 4)


def test_png_is_clear_where_nothing_is_and_opaque_red_at_the_peak() -> None:
    d = density(_points(300))
    img = _decode_png(density_png(d))
    assert img.shape == (*d.grid.shape, 4)
    assert img[0, 0, 3] == 0  # the padded corner is empty
    row, col = np.unravel_index(d.grid.argmax(), d.grid.shape)
    assert tuple(img[row, col]) == (215, 35, 35, 220)


def test_a_cell_wider_than_the_padding_keeps_every_point() -> None:
    pts = _points(200)
    d = density(pts, bandwidth_m=50, cell_m=900)
    assert d.grid.sum() * 0.9**2 == pytest.approx(200, rel=1e-9)
