"""The demo city's planted hotspots are found; Gi* on the demo equals esda's."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import numpy as np
import psycopg
import pytest
from esda.getisord import G_Local

from tests.unit.test_gistar import to_libpysal
from twin.hotspots.analysis import prepare, run_hotspots
from twin.hotspots.filters import Filters, Window
from twin.hotspots.units import unit_index
from twin.synth import points
from twin.synth.city import xy_to_lonlat
from twin.synth.load import builtin_layers, generate, load_demo, rng_for

NOW = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
SEED = 7


@pytest.fixture
def demo(conn: psycopg.Connection) -> psycopg.Connection:
    assert load_demo(conn, "small", seed=SEED, now=NOW)
    return conn


def planted(size: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The lon, lat of the demo's planted hotspot centres (as twin.synth draws them)."""
    layers = builtin_layers()
    city = generate(size, seed, NOW, layers)
    grids = [a for a in city.areas if a.level == city.areas[-1].level]
    spots = points.hotspots(rng_for(seed, 4), grids, layers["incident"])
    return xy_to_lonlat(spots["x"].to_numpy(), spots["y"].to_numpy())


def test_planted_hotspots_are_found_on_a_hexagon_mesh_at_their_scale(
    conn: psycopg.Connection,
) -> None:
    # Planted spots spread 120-400 m: smaller than most grids, so on grids a spot is often one
    # high unit among ordinary neighbours (an outlier, which Gi* does not call a cluster); on
    # 200 m hexagons each spot covers a cluster of cells.
    found, planted_n = 0, 0
    for seed in (1, 2, 3, 4, 5):
        load_demo(conn, "small", seed=seed, now=NOW, replace=True)
        f = Filters(window=Window("all"), unit="hex:200")
        result = run_hotspots(conn, f, NOW)
        lon, lat = planted("small", seed)
        units = result.units
        cell = unit_index(units, None, units.projection.to_metres(lon, lat))
        assert (cell >= 0).all()
        hot = result.table["class"].str.startswith("hot").to_numpy()
        found += int(hot[cell].sum())
        planted_n += len(cell)
    print(f"planted hotspots found: {found} of {planted_n}")
    assert found / planted_n >= 0.9


@pytest.mark.parametrize("weights", ["queen", "knn:6", "band:900"])
def test_gi_star_on_the_demo_equals_esda(demo: psycopg.Connection, weights: str) -> None:
    f = Filters(window=Window("30d"))
    prepared = prepare(demo, f.unit, weights)
    result = run_hotspots(demo, f, NOW, weights=weights, prepared=prepared)
    y = result.table["count"].to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = G_Local(y, to_libpysal(prepared.w), transform="B", star=True, permutations=0)
    ok = ~np.isin(result.table["code"], result.islands)
    np.testing.assert_allclose(result.table["gi_z"][ok], np.asarray(theirs.Zs)[ok], atol=1e-9)
