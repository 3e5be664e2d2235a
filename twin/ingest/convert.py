"""Coordinates to WGS 84 (from any CRS, and from GCJ-02) without opening gaps or overlaps
between neighbours that shared an edge in the source."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import CRS, Transformer

from twin.ingest.gcj02 import gcj02_to_wgs84

WGS84 = CRS.from_epsg(4326)


def to_wgs84(geoms: np.ndarray, crs: CRS, gcj02: bool, polygonal: bool) -> np.ndarray:
    """Geometries (None where missing) from crs, and GCJ-02 offsets when gcj02, to WGS 84;
    polygons keep the edges they share."""
    present = np.array([g is not None for g in geoms], dtype=bool)
    if not present.any() or (crs.equals(WGS84) and not gcj02):
        return geoms
    todo = geoms[present]
    if polygonal:
        # A neighbour's corner lying on a straight edge would leave the edge when the
        # conversion bends it: give the edge that vertex first, so shared edges stay shared.
        todo = node_shared_edges(todo, 1e-9 if crs.is_geographic else 1e-4)
    to_wgs = None if crs.equals(WGS84) else Transformer.from_crs(crs, WGS84, always_xy=True)

    def convert(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        if to_wgs is not None:
            x, y = to_wgs.transform(x, y)
        if gcj02:
            x, y = gcj02_to_wgs84(np.asarray(x), np.asarray(y))
        return np.column_stack([x, y])

    def convert_once(xy: np.ndarray) -> np.ndarray:
        # Each distinct vertex converted once: equal input vertices give equal output ones.
        unique, inverse = np.unique(xy, axis=0, return_inverse=True)
        return convert(unique)[inverse.reshape(-1)]

    out = geoms.copy()
    out[present] = shapely.transform(todo, convert_once if polygonal else convert)
    return out


def node_shared_edges(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Each polygon with the vertices of other polygons that lie on its edges (within
    tolerance) added to those edges; nothing moves further than the tolerance."""
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    unique, inverse = np.unique(coords, axis=0, return_inverse=True)
    n = len(unique)
    # (polygon, vertex) pairs as one integer: which distinct vertices each polygon has.
    has = np.unique(owner * n + inverse.reshape(-1))
    tree = shapely.STRtree(shapely.points(unique))
    poly, vertex = tree.query(shapely.boundary(geoms), predicate="dwithin", distance=tolerance)
    extra = ~np.isin(poly * n + vertex, has)
    poly, vertex = poly[extra], vertex[extra]
    out = geoms.copy()
    for i in np.unique(poly):
        snapped = shapely.snap(geoms[i], shapely.multipoints(unique[vertex[poly == i]]), tolerance)
        out[i] = snapped if shapely.is_valid(snapped) else geoms[i]
    return out
