"""Camera coverage from the store, on the hand-made grid world (0.01° squares at 30° N)."""

import math

import numpy as np
import psycopg
import pytest
import shapely
from pyproj import Geod

from tests import gridworld
from twin.catalog import Layer
from twin.hotspots.coverage import ONLINE, cameras_covering, cameras_seeing, unit_coverage
from twin.hotspots.units import analysis_units

GEOD = Geod(ellps="WGS84")
CENTRE_G1 = gridworld.lonlat(0.5, 0.5)


def _camera(
    conn: psycopg.Connection,
    code: str,
    lonlat: tuple[float, float],
    heading: float | None,
    fov: float | None,
    range_m: float | None,
    status: str = "online",
) -> None:
    """Insert one camera."""
    conn.execute(
        "INSERT INTO camera (code, name, status, heading_deg, fov_deg, range_m, geom)"
        " VALUES (%s, %s, %s, %s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326))",
        [code, code, status, heading, fov, range_m, *lonlat],
    )


def _from_g1_centre(bearing: float, metres: float) -> tuple[float, float]:
    """The lon/lat at a geodesic bearing and distance from G1's centre."""
    lon, lat, _ = GEOD.fwd(*CENTRE_G1, bearing, metres)
    return lon, lat


def test_online_is_a_camera_status_of_the_catalog(layers: dict[str, Layer]) -> None:
    status = next(f for f in layers["camera"].fields if f.name == "status")
    assert ONLINE in [v.value for v in status.values]


@pytest.mark.parametrize(
    ("bearing", "metres", "seen"),
    [
        (0.0, 99.5, True),
        (0.0, 100.5, False),
        (29.5, 60.0, True),
        (30.5, 60.0, False),
        (-29.5, 60.0, True),
        (-30.5, 60.0, False),
    ],
)
def test_a_point_just_inside_or_outside_a_cone(
    conn: psycopg.Connection, world: dict[str, int], bearing: float, metres: float, seen: bool
) -> None:
    _camera(conn, "CAM-N", CENTRE_G1, 0.0, 60.0, 100.0)
    got = cameras_covering(conn, *_from_g1_centre(bearing, metres))
    assert list(got["code"]) == (["CAM-N"] if seen else [])


def test_covering_cameras_of_any_status_nearest_first(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    _camera(conn, "CAM-FAR", _from_g1_centre(90, 80), None, None, 120.0, status="offline")
    _camera(conn, "CAM-NEAR", _from_g1_centre(270, 30), 90.0, 40.0, 100.0)
    _camera(conn, "CAM-AWAY", _from_g1_centre(270, 30), 270.0, 40.0, 100.0)  # looks away
    _camera(conn, "CAM-NORANGE", CENTRE_G1, None, None, None)
    got = cameras_covering(conn, *CENTRE_G1)
    assert list(got["code"]) == ["CAM-NEAR", "CAM-FAR"]
    assert list(got["status"]) == ["online", "offline"]
    assert got["distance_m"].tolist() == pytest.approx([30.0, 80.0], abs=0.1)


def test_no_camera_near_gives_an_empty_table(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    got = cameras_covering(conn, *CENTRE_G1)
    assert got.empty
    assert "distance_m" in got.columns


def test_a_unit_half_covered_and_offline_cameras_do_not_count(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    # Looking east from G1's centre with a half-disc wider than the cell: G1's east half.
    _camera(conn, "CAM-E", CENTRE_G1, 90.0, 180.0, 900.0)
    # A full circle over the whole of G3, but offline.
    _camera(conn, "CAM-OFF", gridworld.lonlat(0.5, 1.5), None, None, 2000.0, status="offline")
    got = unit_coverage(conn, "grid").set_index("code")
    g1 = got.loc["G1"]
    assert g1["covered_share"] == pytest.approx(0.5, abs=1e-3)
    west_half = GEOD.geometry_area_perimeter(g1["blind_spot"])[0]
    assert abs(west_half) == pytest.approx(g1["blind_spot_m2"], rel=1e-3)
    assert g1["blind_spot"].bounds[2] == pytest.approx(gridworld.lonlat(0.5, 0)[0], abs=1e-6)
    assert got.loc["G3", "covered_share"] < 0.2  # only CAM-E's corner of it
    conn.execute("UPDATE camera SET status = 'online' WHERE code = 'CAM-OFF'")
    now_on = unit_coverage(conn, "grid").set_index("code")
    assert now_on.loc["G3", "covered_share"] == pytest.approx(1.0, abs=1e-9)
    assert now_on.loc["G3", "blind_spot"] is None
    assert now_on.loc["G3", "blind_spot_m2"] == 0.0


def test_coverage_of_an_unknown_level_is_refused_by_name(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    with pytest.raises(ValueError, match="'ward'"):
        unit_coverage(conn, "ward")


def test_coverage_of_a_hexagon_mesh(conn: psycopg.Connection, world: dict[str, int]) -> None:
    units = analysis_units(conn, "hex:500")
    lon, lat = CENTRE_G1
    xy = units.projection.to_metres(np.array([lon]), np.array([lat]))[0]
    k = int(np.flatnonzero(shapely.contains_xy(units.geoms, xy[0], xy[1]))[0])
    centre = shapely.centroid(units.geoms_lonlat[k])
    _camera(conn, "CAM-HEX", (centre.x, centre.y), None, None, 100.0)
    got = unit_coverage(conn, "hex:500").set_index("code")
    hexagon = shapely.area(units.geoms[k])
    assert got.loc[units.codes[k], "covered_share"] == pytest.approx(
        math.pi * 100**2 / hexagon, rel=1e-3
    )
    assert (got.drop(index=units.codes[k])["covered_share"] == 0).all()


def test_cameras_seeing_a_unit_with_the_share_each_sees(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    g1 = shapely.from_wkt(gridworld.square_wkt(0, 0, 1, 1).split(";")[1])
    _camera(conn, "CAM-E", CENTRE_G1, 90.0, 180.0, 900.0)  # G1's east half
    _camera(conn, "CAM-DOME", CENTRE_G1, None, None, 50.0, status="fault")
    _camera(conn, "CAM-G4", gridworld.lonlat(1.5, 1.2), None, None, 100.0)  # far from G1
    got = cameras_seeing(conn, g1)
    assert list(got["code"]) == ["CAM-E", "CAM-DOME"]
    assert got["seen_share"].iloc[0] == pytest.approx(0.5, abs=1e-3)
    dome = math.pi * 50**2 / abs(GEOD.geometry_area_perimeter(g1)[0])
    assert got["seen_share"].iloc[1] == pytest.approx(dome, rel=1e-3)
