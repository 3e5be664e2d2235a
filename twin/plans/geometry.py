"""Metres for lon/lat shapes of one city: areas, border lengths, polygonal parts, locations."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

A, E2 = 6_378_137.0, 0.00669437999014  # WGS 84
TOUCH_DEG = 1e-8  # about a millimetre: a piece this close to a unit borders it
EMPTY = shapely.from_wkt("MULTIPOLYGON EMPTY")


@dataclass(frozen=True)
class Metric:
    """Equal-area metres around one point of a city: x = N·cos(lat)·Δlon, y = M·Δlat.

    With the ellipsoid's radii of curvature taken at the centre, areas within a city are
    right to better than 0.01 %; set operations stay in lon/lat so shared vertices stay
    shared, and only measures go through here."""

    lon0: float
    lat0: float

    @classmethod
    def around(cls, geoms: Iterable[BaseGeometry | None]) -> Metric:
        """The metric centred on the bounds of some shapes (0, 0 when there are none)."""
        kept = [g for g in geoms if g is not None and not g.is_empty]
        if not kept:
            return cls(0.0, 0.0)
        west, south, east, north = shapely.total_bounds(np.array(kept, dtype=object))
        return cls((west + east) / 2, (south + north) / 2)

    def _radii(self) -> tuple[float, float]:
        s = math.sin(math.radians(self.lat0))
        w = 1 - E2 * s * s
        return A / math.sqrt(w), A * (1 - E2) / w**1.5

    def to_metres(self, geoms: np.ndarray) -> np.ndarray:
        """The shapes in this metric's metres."""
        n, m = self._radii()
        lon0, lat0 = self.lon0, self.lat0

        def forward(xy: np.ndarray) -> np.ndarray:
            lat = np.radians(xy[:, 1])
            return np.column_stack(
                [n * np.cos(lat) * np.radians(xy[:, 0] - lon0), m * (lat - math.radians(lat0))]
            )

        return shapely.transform(np.asarray(geoms, dtype=object), forward)

    def area(self, geoms: np.ndarray | BaseGeometry) -> np.ndarray:
        """Area in m² of each shape (0 for None or empty)."""
        arr = np.atleast_1d(np.asarray(geoms, dtype=object))
        return np.nan_to_num(shapely.area(self.to_metres(arr)))

    def area_of(self, geom: BaseGeometry | None) -> float:
        """Area in m² of one shape."""
        return 0.0 if geom is None else float(self.area(np.array([geom], dtype=object))[0])

    def border(self, piece: BaseGeometry, unit: BaseGeometry) -> float:
        """Metres of the piece's outline that runs along the unit."""
        shared = shapely.intersection(piece.boundary, shapely.buffer(unit, TOUCH_DEG))
        return float(shapely.length(self.to_metres(np.array([shared], dtype=object)))[0])


def polygonal(geom: BaseGeometry | None) -> BaseGeometry:
    """The polygons of a shape as one MultiPolygon (lines and points of a set operation
    dropped)."""
    if geom is None or geom.is_empty:
        return EMPTY
    polys = [
        q
        for p in shapely.get_parts(geom)
        if p.geom_type in ("Polygon", "MultiPolygon")
        for q in shapely.get_parts(p)
    ]
    return shapely.multipolygons(polys) if polys else EMPTY


def parts(geom: BaseGeometry | None) -> list[BaseGeometry]:
    """The separate polygons of a shape."""
    return list(shapely.get_parts(polygonal(geom)))


def location(geom: BaseGeometry) -> tuple[float, float]:
    """A lon, lat inside the shape (on it, for a line or point)."""
    p = shapely.point_on_surface(geom)
    return round(float(p.x), 7), round(float(p.y), 7)
