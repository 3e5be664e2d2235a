"""A real-world-like single polygon layer (public boundaries: MultiPolygons with holes, a
unit in several parts, an enclave inside another's hole) loaded alone with the command
line, as a district layer and as a grid layer, then 249 points: every covered point gets
the unit that covers it and is counted, every other one is counted as unassigned."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import psycopg
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

X0, Y0, STEP = 114.25, 30.55, 0.02  # cell units to lon/lat, around Wuhan
N_POINTS = 249


def cells(*xy: float) -> list[tuple[float, float]]:
    """A ring given in cell units, in lon/lat."""
    pairs = zip(xy[::2], xy[1::2], strict=True)
    return [(X0 + x * STEP, Y0 + y * STEP) for x, y in pairs]


def box(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    return cells(x0, y0, x1, y0, x1, y1, x0, y1, x0, y0)


def districts() -> gpd.GeoDataFrame:
    """Six districts as a boundary file would have them: no parent codes, Chinese names."""
    units = [
        # A lake in the middle, and in the lake an island that is another district.
        ("420102", "江岸区", MultiPolygon([Polygon(box(0, 0, 1, 1), [box(0.3, 0.3, 0.7, 0.7)])])),
        ("420107", "青山区", MultiPolygon([Polygon(box(0.4, 0.4, 0.6, 0.6))])),
        # Not a rectangle: a notch cut from its top edge.
        (
            "420103",
            "江汉区",
            MultiPolygon([Polygon(cells(1, 0, 2, 0, 2, 1, 1.6, 1, 1.5, 0.8, 1.4, 1, 1, 1, 1, 0))]),
        ),
        # In two parts: the main body and a detached exclave east of it.
        (
            "420104",
            "硚口区",
            MultiPolygon([Polygon(box(2, 0, 3, 1)), Polygon(box(3.2, 0.2, 3.5, 0.5))]),
        ),
        # Two holes no unit fills.
        (
            "420105",
            "汉阳区",
            MultiPolygon(
                [Polygon(box(0, 1, 1.5, 2), [box(0.2, 1.2, 0.5, 1.5), box(0.9, 1.5, 1.2, 1.8)])]
            ),
        ),
        ("420106", "武昌区", MultiPolygon([Polygon(box(1.5, 1, 3, 2), [box(2, 1.3, 2.5, 1.7)])])),
    ]
    return gpd.GeoDataFrame(
        [{"code": c, "name": n} for c, n, _ in units],
        geometry=[g for _, _, g in units],
        crs="EPSG:4326",
    )


def points() -> gpd.GeoDataFrame:
    """249 cameras: seeded random places over and around the city, and some on shared edges,
    in the notch, the holes, the lake and the exclave."""
    rng = np.random.default_rng(8)
    special = [
        (1.0, 0.5),
        (2.0, 0.5),
        (1.5, 1.0),
        (0.5, 1.0),
        (1.5, 0.95),
        (0.35, 1.35),
        (0.5, 0.5),
        (0.35, 0.5),
        (3.35, 0.35),
        (3.1, 0.35),
        (2.2, 1.5),
        (-0.5, 0.5),
    ]
    n = N_POINTS - len(special)
    xy = list(zip(rng.uniform(-0.3, 3.8, n), rng.uniform(-0.3, 2.3, n), strict=True)) + special
    return gpd.GeoDataFrame(
        [{"code": f"CAM{i:03d}", "name": f"camera {i}"} for i in range(len(xy))],
        geometry=[shapely.Point(X0 + x * STEP, Y0 + y * STEP) for x, y in xy],
        crs="EPSG:4326",
    )


def twin(*args: str, db_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twin.cli", *args],
        env=os.environ | {"TWIN_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.mark.parametrize("level", ["district", "grid"])
def test_a_lone_boundary_file_loads_at_any_level_and_its_points_are_counted(
    conn: psycopg.Connection, db_url: str, tmp_path: Path, level: str
) -> None:
    boundaries = tmp_path / "boundaries.gpkg"
    districts().to_file(boundaries, driver="GPKG")
    cameras = tmp_path / "cameras.geojson"
    points().to_file(cameras, driver="GeoJSON")

    loaded = twin("load", level, str(boundaries), db_url=db_url)
    assert loaded.returncode == 0, loaded.stderr
    assert "(6 new, 0 updated)" in loaded.stdout
    loaded = twin("load", "camera", str(cameras), db_url=db_url)
    assert loaded.returncode == 0, loaded.stderr
    assert f"({N_POINTS} new, 0 updated)" in loaded.stdout

    # What each camera should get, by shapely over the stored geometries (tie: lowest code).
    units = conn.execute(
        "SELECT id, code, level, parent_id, ST_AsBinary(geom) FROM grid ORDER BY code"
    ).fetchall()
    assert {(u[2], u[3]) for u in units} == {(level, None)}
    shapes = [(code, shapely.from_wkb(bytes(g))) for _, code, _, _, g in units]
    ids = {code: i for i, code, *_ in units}
    stored = conn.execute("SELECT code, grid_id, ST_AsBinary(geom) FROM camera").fetchall()
    expected: Counter[int] = Counter()
    for code, grid_id, wkb in stored:
        spot = shapely.from_wkb(bytes(wkb))
        covering = [c for c, geom in shapes if geom.covers(spot)]
        want = ids[covering[0]] if covering else None
        assert grid_id == want, f"{code} at {spot}: grid {grid_id}, expected {covering}"
        expected[want or 0] += 1
    assert len(stored) == N_POINTS
    counts = dict(conn.execute("SELECT grid_id, cameras FROM grid_stat").fetchall())
    assert counts == {i: expected[i] for i in [0, *ids.values()]}
    # Every kind of place was exercised: units, their parts, the holes, outside.
    assert expected[ids["420104"]] > 0 and expected[ids["420107"]] > 0
    assert 0 < expected[0] < N_POINTS / 2
