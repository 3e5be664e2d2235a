"""Camera cones: points just inside and outside an edge and the range; a unit half covered."""

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from twin.hotspots.cones import Cameras, cone_polygons, cover, covering


def _north_camera(heading: float | None = 0.0, fov: float | None = 60.0) -> Cameras:
    """One camera at the origin, 100 m range."""
    return Cameras.of(["C1"], [0.0], [0.0], [heading], [fov], [100.0])


def _at(bearing_deg: float, distance: float) -> tuple[float, float]:
    """The point at a compass bearing and distance from the origin."""
    b = math.radians(bearing_deg)
    return distance * math.sin(b), distance * math.cos(b)


@pytest.mark.parametrize(
    ("bearing", "distance", "seen"),
    [
        (29.9, 50.0, True),  # just inside the right edge (fov 60: edges at ±30°)
        (30.1, 50.0, False),  # just outside it
        (-29.9, 50.0, True),  # just inside the left edge
        (330.1, 50.0, True),  # the same, as a bearing past north
        (-30.1, 50.0, False),
        (0.0, 99.9, True),  # just inside the range
        (0.0, 100.1, False),  # just beyond it
        (30.0, 100.0, True),  # the corner itself: edges and arc are included
        (180.0, 10.0, False),  # behind the camera
    ],
)
def test_a_point_near_the_cone_edge_and_range(bearing: float, distance: float, seen: bool) -> None:
    assert covering(_north_camera(), *_at(bearing, distance))[0] == seen


def test_a_cone_wraps_past_north() -> None:
    cams = _north_camera(heading=350.0, fov=40.0)  # from 330° to 10°
    assert covering(cams, *_at(9.9, 50))[0]
    assert not covering(cams, *_at(10.1, 50))[0]
    assert covering(cams, *_at(330.1, 50))[0]


@pytest.mark.parametrize(("heading", "fov"), [(None, 60.0), (90.0, 360.0), (None, None)])
def test_without_heading_or_with_full_fov_a_camera_sees_a_circle(
    heading: float | None, fov: float | None
) -> None:
    cams = _north_camera(heading=heading, fov=fov)
    assert covering(cams, *_at(180.0, 99.9))[0]
    assert not covering(cams, *_at(180.0, 100.1))[0]


def test_a_camera_without_range_sees_nothing() -> None:
    cams = Cameras.of(["C1"], [0.0], [0.0], [0.0], [60.0], [None])
    assert not covering(cams, 0.0, 1.0)[0]
    assert cone_polygons(cams)[0] is None


def test_cone_polygon_area_is_the_sector_area() -> None:
    cone = cone_polygons(_north_camera())[0]
    sector = math.pi * 100**2 * 60 / 360
    assert shapely.area(cone) == pytest.approx(sector, rel=2e-4)
    assert shapely.area(cone) < sector  # inscribed: never more than the camera sees
    circle = cone_polygons(_north_camera(heading=None))[0]
    assert shapely.area(circle) == pytest.approx(math.pi * 100**2, rel=2e-4)


def test_a_unit_half_covered() -> None:
    # A half-disc looking east from the square's centre covers its east half exactly.
    unit = box(0, 0, 100, 100)
    cams = Cameras.of(["E"], [50.0], [50.0], [90.0], [180.0], [200.0])
    got = cover(np.array([unit]), cone_polygons(cams))
    assert got.covered_share[0] == pytest.approx(0.5, abs=1e-9)
    assert got.blind_spot_m2[0] == pytest.approx(5000.0, abs=1e-6)
    assert shapely.area(shapely.symmetric_difference(got.blind_spot[0], box(0, 0, 50, 100))) < 1e-6


def test_the_blind_spot_is_the_largest_uncovered_part() -> None:
    # A disc of radius 60 across a 300 × 100 strip cuts it in two; the west part is wider.
    unit = box(0, 0, 300, 100)
    cams = Cameras.of(["M"], [170.0], [50.0], [None], [None], [60.0])
    got = cover(np.array([unit]), cone_polygons(cams))
    seen = 2 * (50 * math.sqrt(60**2 - 50**2) + 60**2 * math.asin(50 / 60))  # disc ∩ strip
    assert got.covered_share[0] == pytest.approx(seen / 30000, rel=1e-3)
    west, east = got.blind_spot[0].bounds, (230.0, 300.0)
    assert west[0] == 0.0
    assert west[2] < 170
    assert got.blind_spot_m2[0] > (east[1] - east[0]) * 100
    assert got.blind_spot_m2[0] < 30000 - seen


def test_units_without_cameras_are_blind_and_fully_covered_units_have_no_blind_spot() -> None:
    units = np.array([box(0, 0, 10, 10), box(1000, 0, 1010, 10)])
    cams = Cameras.of(["A"], [5.0], [5.0], [None], [None], [50.0])
    got = cover(units, cone_polygons(cams))
    assert list(got.covered_share) == [1.0, 0.0]
    assert got.blind_spot[0] is None
    assert got.blind_spot_m2[1] == pytest.approx(100.0)
