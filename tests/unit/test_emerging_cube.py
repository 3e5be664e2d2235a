"""Emerging hotspots on generated lattices: planted trends are found, noise emerges nothing."""

import numpy as np
import pytest

from twin.bench.emerging import lattice
from twin.hotspots.emerging import emerging_cube

SIDE = 20
W = lattice(SIDE * SIDE)


def _block(i0: int, j0: int) -> list[int]:
    """The 9 units of a 3 × 3 block with its south-west unit at (i0, j0)."""
    return [i * SIDE + j for i in range(i0, i0 + 3) for j in range(j0, j0 + 3)]


@pytest.mark.parametrize("seed", range(5))
def test_planted_trends_get_their_categories(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rate = np.full((SIDE * SIDE, 13), 10.0)
    up, down, new = _block(3, 3), _block(14, 14), _block(3, 14)
    rate[up] *= np.linspace(2, 5, 13)
    rate[down] *= np.linspace(6, 3, 13)
    rate[new, -1] *= 4
    cube = emerging_cube(rng.poisson(rate).astype(float), W)
    # The centre of each block: its own and all its neighbours' counts are raised.
    assert cube.category[up[4]] == "intensifying"
    assert cube.category[down[4]] == "diminishing"
    assert cube.category[new[4]] == "new"
    assert cube.trend_z[up[4]] > 0 > cube.trend_z[down[4]]


def test_a_uniform_random_field_emerges_nothing_in_most_seeds() -> None:
    found = []
    for seed in range(20):
        counts = np.random.default_rng(seed).poisson(10, (SIDE * SIDE, 13)).astype(float)
        found.append(int((emerging_cube(counts, W).category != "none").sum()))
    assert sum(f == 0 for f in found) >= 15
    assert max(found) <= 4  # at most 1 % of the units in any seed


def test_islands_get_no_category_and_no_trend() -> None:
    w = W.tolil()
    w[0, :] = 0
    w[:, 0] = 0
    cube = emerging_cube(
        np.random.default_rng(1).poisson(10, (SIDE * SIDE, 13)).astype(float), w.tocsr()
    )
    assert cube.category[0] == ""
    assert np.isnan(cube.trend_z[0])
    assert cube.islands[0]
    assert not cube.islands[1:].any()


def test_lags_add_the_previous_steps_to_each_neighbourhood() -> None:
    counts = np.random.default_rng(2).poisson(10, (SIDE * SIDE, 13)).astype(float)
    summed = counts.copy()
    summed[:, 1:] += counts[:, :-1]
    summed[:, 2:] += counts[:, :-2]
    lagged = emerging_cube(counts, W, lags=2)
    by_hand = emerging_cube(summed, W)
    assert np.allclose(lagged.z, by_hand.z)
    assert (lagged.counts == counts).all()  # the cube keeps each step's own counts
    assert not np.allclose(emerging_cube(counts, W).z, lagged.z)


def test_a_burst_three_steps_back_is_gone_without_lags_and_lingers_with_them() -> None:
    rate = np.full((SIDE * SIDE, 13), 10.0)
    burst = _block(8, 8)
    rate[burst, 10] *= 4  # three weeks before the end
    counts = np.random.default_rng(3).poisson(rate).astype(float)
    assert emerging_cube(counts, W).category[burst[4]] == "none"
    assert emerging_cube(counts, W, lags=2).category[burst[4]] == "consecutive"
