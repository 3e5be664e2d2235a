"""Hand-made reference layers for the tile tests: styles as the catalog would give them, a few
roads, a river, a lake and a building near (114.3, 30.5), and tile arithmetic done by hand."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import psycopg
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from twin.catalog.model import Label
from twin.reference.store import ReferenceFeature, replace_layer
from twin.reference.styles import ClassStyle, ReferenceLayer

NOW = datetime(2030, 1, 1, tzinfo=UTC)  # a pinned load time; nothing compares it with the clock
LON, LAT = 114.3, 30.5
R = 6378137.0
HALF = math.pi * R  # half of EPSG:3857's width


def _c(value: str, min_zoom: int, **style: object) -> ClassStyle:
    return ClassStyle(value, Label(value, value), min_zoom=min_zoom, **style)  # type: ignore[arg-type]


REFS = (
    ReferenceLayer(
        "road",
        Label("道路", "Roads"),
        "line",
        (
            _c("primary", 10, color="#c05621", width=5.0, label=True),
            _c("residential", 14, color="#9aa5b1", width=1.5),
        ),
    ),
    ReferenceLayer(
        "water",
        Label("水系", "Water"),
        "any",
        (_c("river", 0, color="#3b82c4", width=3.0), _c("water", 0, fill="#a5c8ed")),
    ),
    ReferenceLayer("building", Label("建筑", "Buildings"), "polygon", (_c("building", 16),)),
)


def offset(dx_m: float, dy_m: float) -> tuple[float, float]:
    """Lon/lat of a point dx_m east and dy_m north of (LON, LAT)."""
    return (
        LON + dx_m / (111_320.0 * math.cos(math.radians(LAT))),
        LAT + dy_m / 111_320.0,
    )


def line(*points: tuple[float, float]) -> LineString:
    """A line through points given in metres from (LON, LAT)."""
    return LineString([offset(x, y) for x, y in points])


def wiggle(length_m: float = 150.0, amplitude_m: float = 3.0, n: int = 2000) -> LineString:
    """A line of n vertices wiggling amplitude_m either side of an east-west axis."""
    x = np.linspace(-length_m / 2, length_m / 2, n)
    y = amplitude_m * np.sin(x * 2 * math.pi / 10.0)
    return line(*zip(x, y, strict=True))


def square(x0: float, y0: float, side: float) -> Polygon:
    """A square in metres from (LON, LAT)."""
    pts = [(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side)]
    return Polygon([offset(x, y) for x, y in pts])


def load(conn: psycopg.Connection, when: datetime = NOW) -> None:
    """Write the hand-made layers through the store."""
    roads = [
        ReferenceFeature("r1", "primary", "解放大道", line((-100, 0), (100, 0))),
        ReferenceFeature("r2", "residential", None, line((0, -60), (0, 60))),
    ]
    water = [
        ReferenceFeature("w1", "river", "长江", line((-100, -40), (100, -45))),
        ReferenceFeature("w2", "water", "东湖", square(40, 20, 30)),
    ]
    buildings = [ReferenceFeature("b1", "building", None, square(-40, 10, 12))]
    for layer, features in (("road", roads), ("water", water), ("building", buildings)):
        replace_layer(conn, layer, features, when)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The XYZ tile holding a point."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def to_tile_units(geom: BaseGeometry, z: int, x: int, y: int, extent: int = 4096) -> BaseGeometry:
    """A lon/lat geometry in the tile's own coordinates (0..extent, y down)."""
    side = 2 * HALF / 2**z
    west, north = -HALF + x * side, HALF - y * side

    def project(xy: np.ndarray) -> np.ndarray:
        mx = np.radians(xy[:, 0]) * R
        my = np.log(np.tan(math.pi / 4 + np.radians(xy[:, 1]) / 2)) * R
        return np.column_stack([(mx - west) / side * extent, (north - my) / side * extent])

    return shapely.transform(geom, project)
