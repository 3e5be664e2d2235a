"""GCJ-02 (the offset coordinates of AMap/Tencent exports) to WGS 84, vectorised.

GCJ-02 = WGS 84 + a published obfuscation offset of hundreds of metres inside China. The
forward offset is the widely used formula (Krasovsky ellipsoid constants); the inverse is
found by fixed-point iteration to below a millimetre. Outside China there is no offset.
"""

from __future__ import annotations

import numpy as np

A = 6378245.0  # Krasovsky 1940 semi-major axis, as the formula uses
EE = 0.00669342162296594323  # its first eccentricity squared


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    d_lat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    d_lon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad = lat / 180.0 * np.pi
    magic = 1 - EE * np.sin(rad) ** 2
    d_lat = d_lat * 180.0 / ((A * (1 - EE)) / (magic * np.sqrt(magic)) * np.pi)
    d_lon = d_lon * 180.0 / (A / np.sqrt(magic) * np.cos(rad) * np.pi)
    return d_lon, d_lat


def in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Where the offset applies (the rough bounding box the formula is used within)."""
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS 84 lon/lat to GCJ-02."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    d_lon, d_lat = _offset(lon, lat)
    inside = in_china(lon, lat)
    return np.where(inside, lon + d_lon, lon), np.where(inside, lat + d_lat, lat)


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 lon/lat to WGS 84, accurate to well under a millimetre.

    Each point iterates until it alone has converged, so a vertex converts to the same
    value whichever other points share the call (neighbours' shared edges stay shared)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    w_lon, w_lat = lon.copy(), lat.copy()
    todo = np.ones(lon.shape, dtype=bool)
    for _ in range(30):
        g_lon, g_lat = wgs84_to_gcj02(w_lon[todo], w_lat[todo])
        e_lon, e_lat = g_lon - lon[todo], g_lat - lat[todo]
        w_lon[todo], w_lat[todo] = w_lon[todo] - e_lon, w_lat[todo] - e_lat
        still = (np.abs(e_lon) >= 1e-10) | (np.abs(e_lat) >= 1e-10)
        todo[todo] = still
        if not todo.any():
            break
    return w_lon, w_lat
