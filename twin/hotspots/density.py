"""Kernel density of points: linear binning onto a regular grid, then one FFT convolution.

The kernel is a Gaussian of standard deviation h (the bandwidth). The default h is the spatial
variant of Silverman's rule that ArcGIS Pro's Kernel Density uses:
    h = 0.9 * min(SD, sqrt(1 / ln 2) * Dm) * n ** -0.2
where SD is the standard distance of the points from their mean centre and Dm the median of
those distances, in metres (a local equirectangular projection at the points' mean latitude).
h is floored at MIN_BANDWIDTH_M (one point, or all at one spot, has SD = 0) and can be given.
h is the Gaussian's standard deviation, as in Silverman's rule of thumb; ArcGIS uses it as the
radius of a quartic kernel (spread h/√8), so its surfaces are sharper at the same h.
The cell defaults to h / 4 (finer cells add nothing a Gaussian of width h can show), coarsened
so the grid stays within MAX_CELLS. Values are points per km².
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve

M_PER_DEG_LAT = 111_320.0
MIN_BANDWIDTH_M = 50.0
MAX_CELLS = 1_000_000
TRUNCATE = 4.0  # the kernel is cut at 4 h, where the Gaussian has fallen to 3e-4 of its peak


@dataclass(frozen=True)
class Density:
    """A density surface: grid[row, col] (row 0 north) in points per km², and its extent."""

    grid: np.ndarray
    bounds: tuple[float, float, float, float] | None  # west, south, east, north (lon/lat)
    bandwidth_m: float
    cell_m: float
    rule: str  # "silverman" (the default rule) or "given"


class _Frame:
    """A local equirectangular frame in metres around a reference lon/lat."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0, self.lat0 = lon0, lat0
        self.mx = M_PER_DEG_LAT * math.cos(math.radians(lat0))

    def to_xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lon and lat arrays to metres east and north of the reference."""
        return (lon - self.lon0) * self.mx, (lat - self.lat0) * M_PER_DEG_LAT

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        """Metres east and north of the reference to lon/lat."""
        return x / self.mx + self.lon0, y / M_PER_DEG_LAT + self.lat0


def silverman_bandwidth(xy: np.ndarray) -> float:
    """The spatial Silverman bandwidth in metres (ArcGIS Pro's default), floored."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return _silverman(xy[:, 0], xy[:, 1])


def _silverman(x: np.ndarray, y: np.ndarray) -> float:
    """silverman_bandwidth of points given as x and y arrays."""
    n = len(x)
    if n < 2:
        return MIN_BANDWIDTH_M
    d = np.hypot(x - x.mean(), y - y.mean())
    sd = math.sqrt(float((d**2).mean()))
    dm = float(np.median(d))
    h = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm) * n**-0.2
    return max(h, MIN_BANDWIDTH_M)


def density(
    xy_lonlat: np.ndarray, bandwidth_m: float | None = None, cell_m: float | None = None
) -> Density:
    """The kernel density surface of points given as lon/lat rows."""
    pts = np.asarray(xy_lonlat, dtype=float).reshape(-1, 2)
    if not np.isfinite(pts).all():
        pts = pts[np.isfinite(pts).all(axis=1)]
    if bandwidth_m is not None and not bandwidth_m > 0:
        raise ValueError(f"density: bandwidth_m must be > 0, got {bandwidth_m}")
    if cell_m is not None and not cell_m > 0:
        raise ValueError(f"density: cell_m must be > 0, got {cell_m}")
    if not len(pts):
        return Density(np.zeros((0, 0)), None, bandwidth_m or MIN_BANDWIDTH_M, cell_m or 0.0, "")
    lon, lat = pts[:, 0], pts[:, 1]
    frame = _Frame(float(lon.mean()), float(lat.mean()))
    x, y = frame.to_xy(lon, lat)
    rule = "given" if bandwidth_m is not None else "silverman"
    h = float(bandwidth_m) if bandwidth_m is not None else _silverman(x, y)
    pad = TRUNCATE * h
    x0, y0 = float(x.min()) - pad, float(y.min()) - pad
    width, height = float(x.max()) + pad - x0, float(y.max()) + pad - y0
    cell = float(cell_m) if cell_m is not None else h / 4
    cell = max(cell, math.sqrt(width * height / MAX_CELLS))
    cols, rows = math.ceil(width / cell) + 1, math.ceil(height / cell) + 1
    binned = _linear_binning((x - x0) / cell, (y - y0) / cell, rows, cols)
    grid = fftconvolve(binned, _kernel(h / cell), mode="same")
    grid = np.clip(grid, 0, None) * (1e6 / cell**2)  # FFT round-off leaves tiny negatives
    west, south = frame.to_lonlat(x0 - cell / 2, y0 - cell / 2)
    east, north = frame.to_lonlat(x0 + (cols - 0.5) * cell, y0 + (rows - 0.5) * cell)
    return Density(grid[::-1], (west, south, east, north), h, cell, rule)


def cell_centres(d: Density) -> tuple[np.ndarray, np.ndarray]:
    """The lon and lat of each cell centre of a surface (arrays shaped like its grid)."""
    assert d.bounds is not None
    west, south, east, north = d.bounds
    rows, cols = d.grid.shape
    lon = west + (np.arange(cols) + 0.5) * (east - west) / cols
    lat = north - (np.arange(rows) + 0.5) * (north - south) / rows
    return np.meshgrid(lon, lat)


def _linear_binning(u: np.ndarray, v: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Each point's unit weight shared among the 4 nearest cell centres (bilinear). The grid
    has a column and a row past the farthest point (u < cols - 1), so no neighbour is outside."""
    cu, cv = np.floor(u), np.floor(v)
    fu, fv = u - cu, v - cv
    index = cv.astype(np.int64) * cols + cu.astype(np.int64)
    size = rows * cols
    out = np.bincount(index, weights=(1 - fu) * (1 - fv), minlength=size)
    out += np.bincount(index + 1, weights=fu * (1 - fv), minlength=size)
    out += np.bincount(index + cols, weights=(1 - fu) * fv, minlength=size)
    out += np.bincount(index + cols + 1, weights=fu * fv, minlength=size)
    return out.reshape(rows, cols)


def _kernel(sigma_cells: float) -> np.ndarray:
    """A Gaussian sampled at cell centres out to TRUNCATE sigma, summing to 1."""
    half = max(1, math.ceil(TRUNCATE * sigma_cells))
    t = np.arange(-half, half + 1)
    g = np.exp(-0.5 * (t / sigma_cells) ** 2)
    k = np.outer(g, g)
    return k / k.sum()


# The heat ramp: (share of the top value, red, green, blue, alpha); below the first stop the
# image is clear, so the map under a quiet area stays readable.
RAMP = np.array(
    [
        (0.03, 40, 90, 220, 0),
        (0.15, 40, 160, 230, 110),
        (0.35, 90, 200, 90, 160),
        (0.60, 250, 220, 60, 190),
        (1.00, 215, 35, 35, 220),
    ]
)


def density_png(d: Density, vmax: float | None = None) -> bytes:
    """The surface as a transparent RGBA PNG heat image (row 0 north), scaled to vmax."""
    if d.grid.size == 0:
        return _png(np.zeros((1, 1, 4), dtype=np.uint8))
    top = float(vmax) if vmax is not None else float(d.grid.max())
    share = d.grid / top if top > 0 else np.zeros_like(d.grid)
    share = np.clip(share, 0, 1)
    rgba = np.stack([np.interp(share, RAMP[:, 0], RAMP[:, k]) for k in range(1, 5)], axis=-1)
    rgba[share < RAMP[0, 0]] = 0
    return _png(np.round(rgba).astype(np.uint8))


def _png(rgba: np.ndarray) -> bytes:
    """A minimal PNG encoder for an 8-bit RGBA array (filter 0 on every row, zlib)."""
    height, width, _ = rgba.shape
    raw = np.zeros((height, width * 4 + 1), dtype=np.uint8)
    raw[:, 1:] = rgba.reshape(height, width * 4)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + chunk(b"IEND", b"")
    )
