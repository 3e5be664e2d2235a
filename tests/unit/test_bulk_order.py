"""The Z-order used to stage bulk loads keeps nearby points together."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.ingest.bulk import z_order


def test_z_order_is_a_permutation_that_groups_nearby_points() -> None:
    rng = np.random.default_rng(1)
    lon = pd.Series(rng.uniform(114.0, 114.5, 10_000))
    lat = pd.Series(rng.uniform(30.3, 30.8, 10_000))
    order = z_order(lon, lat)
    assert sorted(order.tolist()) == list(range(10_000))
    step = np.hypot(np.diff(lon.to_numpy()[order]), np.diff(lat.to_numpy()[order]))
    random_step = np.hypot(np.diff(lon.to_numpy()), np.diff(lat.to_numpy()))
    assert np.median(step) < np.median(random_step) / 20


def test_z_order_of_nothing_and_of_one_point() -> None:
    assert z_order(pd.Series([], dtype=float), pd.Series([], dtype=float)).tolist() == []
    assert z_order(pd.Series([114.0]), pd.Series([30.0])).tolist() == [0]
