"""Gi* z-scores against esda's G_Local (star, binary) on the same libpysal weights."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import shapely
from esda.getisord import G_Local
from libpysal.weights import DistanceBand, Queen, W
from scipy.sparse import csr_matrix
from scipy.stats import norm

from twin.hotspots.gistar import gi_star
from twin.hotspots.weights import distance_band, knn, queen

ESDA_POINTS = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
ESDA_Y = np.array([2, 3, 3.2, 5, 8, 7])


def to_libpysal(w: csr_matrix) -> W:
    """The same binary weights as a libpysal W (ids 0..n-1, islands kept)."""
    n = w.shape[0]
    neighbors = {i: [int(j) for j in w.indices[w.indptr[i] : w.indptr[i + 1]]] for i in range(n)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands; the tests mean them
        return W(neighbors, silence_warnings=True)


def esda_z(y: np.ndarray, w: csr_matrix) -> np.ndarray:
    """esda's Gi* z with binary weights, star form, no permutations."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(G_Local(y, to_libpysal(w), transform="B", star=True, permutations=0).Zs)


def test_esda_published_case_distance_band_15() -> None:
    w = distance_band(np.array(ESDA_POINTS, dtype=float), 15)
    result = gi_star(ESDA_Y, w)
    # esda's own test (test_getisord.py, test_G_star_Local_Binary): Zs[0] = -1.39727626.
    assert result.z[0] == pytest.approx(-1.39727626, abs=1e-8)
    np.testing.assert_allclose(result.z, esda_z(ESDA_Y, w), rtol=0, atol=1e-9)


def test_distance_band_equals_libpysal_distance_band() -> None:
    ours = distance_band(np.array(ESDA_POINTS, dtype=float), 15).toarray()
    theirs = DistanceBand(ESDA_POINTS, threshold=15, binary=True, silence_warnings=True)
    assert np.array_equal(ours, theirs.full()[0])


def test_two_sided_normal_p() -> None:
    result = gi_star(ESDA_Y, distance_band(np.array(ESDA_POINTS, dtype=float), 15))
    np.testing.assert_allclose(result.p_norm, 2 * norm.sf(np.abs(result.z)), atol=1e-15)


def jittered_squares(rows: int, cols: int, seed: int) -> list[shapely.Polygon]:
    """A lattice of quadrilaterals whose shared corners are moved at random (still a tiling)."""
    rng = np.random.default_rng(seed)
    xs, ys = np.meshgrid(np.arange(cols + 1) * 100.0, np.arange(rows + 1) * 100.0)
    xs += rng.uniform(-30, 30, xs.shape)
    ys += rng.uniform(-30, 30, ys.shape)
    return [
        shapely.Polygon(
            [
                (xs[r, c], ys[r, c]),
                (xs[r, c + 1], ys[r, c + 1]),
                (xs[r + 1, c + 1], ys[r + 1, c + 1]),
                (xs[r + 1, c], ys[r + 1, c]),
            ]
        )
        for r in range(rows)
        for c in range(cols)
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_queen_on_generated_polygons_equals_libpysal_and_esda(seed: int) -> None:
    polys = jittered_squares(12, 15, seed)
    w = queen(polys)
    theirs = Queen.from_iterable(polys, silence_warnings=True)
    assert np.array_equal(w.toarray(), theirs.full()[0])
    y = np.random.default_rng(seed).poisson(4, len(polys)).astype(float)
    np.testing.assert_allclose(gi_star(y, w).z, esda_z(y, w), rtol=0, atol=1e-9)


def test_knn_on_generated_points_equals_esda() -> None:
    rng = np.random.default_rng(7)
    xy = rng.uniform(0, 5000, (300, 2))
    w = knn(xy, 6)
    assert set(np.diff(w.indptr)) == {6}
    assert w.diagonal().sum() == 0
    y = rng.gamma(2.0, 3.0, 300)
    np.testing.assert_allclose(gi_star(y, w).z, esda_z(y, w), rtol=0, atol=1e-9)


def test_islands_get_nan_and_are_flagged_the_rest_equals_esda() -> None:
    xy = np.array([*ESDA_POINTS, (500, 500)], dtype=float)  # the last point has no neighbour
    y = np.append(ESDA_Y, 4.0)
    w = distance_band(xy, 15)
    result = gi_star(y, w, permutations=99)
    assert result.islands.tolist() == [False] * 6 + [True]
    assert np.isnan(result.z[6]) and np.isnan(result.p_norm[6])
    assert result.p_sim is not None and np.isnan(result.p_sim[6])
    np.testing.assert_allclose(result.z[:6], esda_z(y, w)[:6], rtol=0, atol=1e-9)


def test_all_islands_do_not_crash() -> None:
    result = gi_star(np.array([1.0, 2.0, 3.0]), csr_matrix((3, 3)), permutations=9)
    assert result.islands.all()
    assert np.isnan(result.z).all()


def test_constant_field_is_no_evidence() -> None:
    w = distance_band(np.array(ESDA_POINTS, dtype=float), 15)
    result = gi_star(np.zeros(6), w)
    assert result.z.tolist() == [0.0] * 6
    assert result.p_norm.tolist() == [1.0] * 6


def test_weights_of_wrong_size_are_refused() -> None:
    with pytest.raises(ValueError, match="6 values"):
        gi_star(ESDA_Y, csr_matrix((5, 5)))


def test_permutation_p_is_seeded_and_close_to_twice_esda_folded_p() -> None:
    polys = jittered_squares(10, 10, 4)
    w = queen(polys)
    # Continuous values: with ties the two rules differ (ours counts a tie in both tails).
    y = np.random.default_rng(4).gamma(2.0, 2.0, 100)
    y[44] = y[45] = y[54] = y[55] = 25.0  # a planted cluster
    first = gi_star(y, w, permutations=1999, seed=11)
    again = gi_star(y, w, permutations=1999, seed=11)
    assert first.p_sim is not None and again.p_sim is not None
    assert np.array_equal(first.p_sim, again.p_sim)
    assert first.p_sim[[44, 45, 54, 55]].max() <= 0.005
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = G_Local(y, to_libpysal(w), transform="B", star=True, permutations=1999, seed=3)
    # esda folds one tail ((min(#≥, #≤)+1)/(N+1)); ours is two-sided: twice that, capped at 1.
    expected = np.minimum(1.0, 2 * np.asarray(theirs.p_sim))
    np.testing.assert_allclose(first.p_sim, expected, atol=0.08)


def test_permutation_ties_count_in_both_tails() -> None:
    # Unit 1's local sum (3) is the least any draw can give: every draw ties or exceeds it. Counting
    # ties in one tail only (esda's fold) would give p = 1/100, a "cold spot" made of ties.
    y = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 5.0])
    w = distance_band(np.array([(0, 0), (1, 0), (2, 0), (50, 0), (51, 0), (90, 0)], float), 1.5)
    result = gi_star(y, w, permutations=99, seed=1)
    assert result.p_sim is not None
    assert result.p_sim[1] == 1.0


def test_a_neighbourhood_of_the_whole_area_gives_z_zero_not_nan() -> None:
    # Four units all neighbours of each other: each local sum is the total, a fixed number.
    w = csr_matrix(np.ones((4, 4)) - np.eye(4))
    result = gi_star(np.array([3.0, 1.0, 1.0, 0.0]), w)
    assert result.z.tolist() == [0.0] * 4
    assert result.p_norm.tolist() == [1.0] * 4
    assert not result.islands.any()
