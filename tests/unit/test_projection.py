"""The local projection of twin.hotspots.units, given as a PROJ pipeline, gives the numbers of
the same projection looked up from its EPSG code, both ways."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer

from twin.hotspots.units import Projection


def test_the_pipeline_gives_the_numbers_of_the_epsg_lookup() -> None:
    proj = Projection(114.3052, 30.5928)
    lon, lat = np.array([114.25, 114.3052, 114.41]), np.array([30.51, 30.5928, 30.66])
    looked_up = Transformer.from_crs(
        "EPSG:4326",
        f"+proj=tmerc +lon_0={proj.lon} +lat_0={proj.lat} +k=1 +x_0=0 +y_0=0 +ellps=WGS84",
        always_xy=True,
    )
    x, y = looked_up.transform(lon, lat)
    assert np.array_equal(proj.to_metres(lon, lat), np.column_stack([x, y]))
    assert np.array_equal(proj.to_metres(proj.lon, proj.lat), [[0.0, 0.0]])


def test_metres_go_back_to_the_same_lon_lat() -> None:
    proj = Projection(114.3052, 30.5928)
    square = shapely.box(114.30, 30.59, 114.31, 30.60)
    back = proj.geoms_to_lonlat(proj.geoms_to_metres(np.array([square])))[0]
    assert shapely.equals_exact(back, square, 1e-9)
    assert abs(proj.geoms_to_metres(np.array([square]))[0].area - 1.03e6) < 0.05e6
