"""Hand-made maps for plan checks: rectangles in cell units (0.01° from 114.00, 30.00)."""

from __future__ import annotations

import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from twin.plans.model import UnitState

X0, Y0, STEP = 114.0, 30.0, 0.01
LEVELS = ("district", "street", "community", "grid")
GEOD = Geod(ellps="WGS84")


def rect(x0: float, y0: float, x1: float, y1: float) -> BaseGeometry:
    """A rectangle in cell units, as a lon/lat polygon."""
    return shapely.box(X0 + x0 * STEP, Y0 + y0 * STEP, X0 + x1 * STEP, Y0 + y1 * STEP)


def multi(*geoms: BaseGeometry) -> BaseGeometry:
    """Shapes as one MultiPolygon."""
    return shapely.multipolygons([p for g in geoms for p in shapely.get_parts(g)])


def unit(code: str, level: str, parent: str | None, geom: BaseGeometry, **kw: object) -> UnitState:
    """A unit (households etc. as keywords)."""
    return UnitState(code, f"{level} {code}", level, parent, geom, **kw)  # type: ignore[arg-type]


def geodesic_m2(geom: BaseGeometry) -> float:
    """The ellipsoidal area of a lon/lat shape (the reference the checks' areas must meet)."""
    return abs(GEOD.geometry_area_perimeter(geom)[0])
