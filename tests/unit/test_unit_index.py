"""The in-memory unit index decides only points deep inside one unit; the rest stay for PostGIS."""

from __future__ import annotations

import numpy as np
import shapely

from twin.spatial.unit_index import MARGIN, UNDECIDED, build_unit_index, decide


def squares(*cells: tuple[float, float, float, float]) -> np.ndarray:
    return np.array([shapely.box(*c) for c in cells], dtype=object)


def test_points_deep_inside_take_their_unit_and_points_near_an_edge_stay_undecided() -> None:
    index = build_unit_index("grid", np.array([10, 20]), squares((0, 0, 1, 1), (1, 0, 2, 1)))
    assert index is not None
    x = np.array([0.5, 1.5, 1.0, 1.0 - MARGIN / 2, 1.0 + MARGIN / 2, 1 - 3 * MARGIN, 0.0, 3.0])
    y = np.full(len(x), 0.5)
    assert decide(index, x, y).tolist() == [10, 20, -1, -1, -1, 10, -1, -1]


def test_every_point_of_a_unit_that_overlaps_another_is_left_to_postgis() -> None:
    index = build_unit_index(
        "grid", np.array([1, 2, 3]), squares((0, 0, 1, 1), (0.9, 0, 2, 1), (5, 5, 6, 6))
    )
    assert index is not None
    assert index.units == 1
    got = decide(index, np.array([0.5, 1.5, 0.95, 5.5]), np.array([0.5, 0.5, 0.5, 5.5]))
    assert got.tolist() == [UNDECIDED, UNDECIDED, UNDECIDED, 3]


def test_a_unit_too_thin_to_erode_and_points_without_coordinates_are_undecided() -> None:
    index = build_unit_index("grid", np.array([1, 2]), squares((0, 0, 1, 1), (1, 0, 1 + MARGIN, 1)))
    assert index is not None
    assert index.units == 1
    got = decide(index, np.array([0.5, 1 + MARGIN / 2, np.nan]), np.array([0.5, 0.5, 0.5]))
    assert got.tolist() == [1, UNDECIDED, UNDECIDED]


def test_holes_and_concave_units_are_decided_as_their_outline_says() -> None:
    ring = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (1, 3), (3, 3), (3, 1)]])
    ell = shapely.Polygon([(5, 0), (9, 0), (9, 1), (6, 1), (6, 4), (5, 4)])
    index = build_unit_index("grid", np.array([7, 8]), np.array([ring, ell], dtype=object))
    assert index is not None
    rng = np.random.default_rng(3)
    x, y = rng.uniform(-1, 10, 20_000), rng.uniform(-1, 5, 20_000)
    got = decide(index, x, y)
    inside = np.where(
        shapely.contains_xy(ring, x, y), 7, np.where(shapely.contains_xy(ell, x, y), 8, -1)
    )
    decided = got != UNDECIDED
    assert (got[decided] == inside[decided]).all()
    assert decided.mean() > 0.99 * (inside != -1).mean()  # near edges only are left over
