"""Under a spatially uniform random field, Gi* with FDR finds no hotspot (in ≥ 95 % of seeds)."""

from __future__ import annotations

import numpy as np
import shapely

from tests.unit.test_gistar import jittered_squares
from twin.hotspots.classes import classify
from twin.hotspots.fdr import benjamini_hochberg
from twin.hotspots.gistar import gi_star
from twin.hotspots.units import HexMesh
from twin.hotspots.weights import queen

SEEDS = range(20)


SIGNIFICANT = ("hot_99", "hot_95", "cold_95", "cold_99")


def significant_units(counts: np.ndarray, polygons: np.ndarray) -> int:
    """How many units Gi* + BH classes significant at the 95 % level (adjusted p ≤ 0.05).

    At the 90 % level BH lets a null field show a discovery in up to 10 % of draws by design
    (that is its false discovery rate), so "no significant hotspot in ≥ 95 % of seeds" is a
    claim about the 95 % classes.
    """
    g = gi_star(counts, queen(polygons, tolerance=1e-6))
    classes = classify(g.z, benjamini_hochberg(g.p_norm))
    return int(np.isin(classes, SIGNIFICANT).sum())


def uniform_counts(polygons: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Counts per polygon of n points drawn uniformly over the polygons' extent."""
    west, south, east, north = shapely.total_bounds(polygons)
    rng = np.random.default_rng(seed)
    pts = shapely.points(rng.uniform(west, east, n), rng.uniform(south, north, n))
    hit = shapely.STRtree(polygons).query(pts, predicate="within")
    return np.bincount(hit[1], minlength=len(polygons)).astype(float)


def test_uniform_field_on_irregular_polygons_gives_no_hotspot() -> None:
    clean = 0
    for seed in SEEDS:
        polygons = np.array(jittered_squares(20, 25, 1000 + seed))
        counts = uniform_counts(polygons, 10_000, seed)
        clean += significant_units(counts, polygons) == 0
    assert clean >= 19


def test_uniform_field_on_a_hexagon_mesh_gives_no_hotspot() -> None:
    mesh = HexMesh(100.0, 0.0, 0.0)
    col, row = (a.ravel() for a in np.meshgrid(np.arange(30), np.arange(30)))
    cells = mesh.polygons(col, row)
    clean = 0
    for seed in SEEDS:
        counts = uniform_counts(cells, 20_000, seed)
        clean += significant_units(counts, cells) == 0
    assert clean >= 19


def test_a_planted_cluster_in_the_same_field_is_found() -> None:
    # The same test is not blind: one 3×3 block with three times the rate is hot.
    polygons = np.array(jittered_squares(20, 25, 1000))
    counts = uniform_counts(polygons, 10_000, 0)
    block = [r * 25 + c for r in range(8, 11) for c in range(10, 13)]
    counts[block] *= 3
    g = gi_star(counts, queen(polygons))
    classes = classify(g.z, benjamini_hochberg(g.p_norm))
    assert classes[9 * 25 + 11] == "hot_99"


def test_hex_cell_of_a_point_is_the_hexagon_that_contains_it() -> None:
    mesh = HexMesh(250.0, -40.0, 15.0)
    rng = np.random.default_rng(3)
    xy = rng.uniform(-2000, 2000, (2000, 2))
    col, row = mesh.cell_of(xy)
    cells = mesh.polygons(col, row)
    inside = [shapely.intersects(c, shapely.Point(p)) for c, p in zip(cells, xy, strict=True)]
    assert all(inside)


def test_inner_hexagons_have_six_queen_neighbours() -> None:
    mesh = HexMesh(100.0, 0.0, 0.0)
    col, row = (a.ravel() for a in np.meshgrid(np.arange(6), np.arange(6)))
    w = queen(mesh.polygons(col, row), tolerance=1e-4)
    inner = (col > 0) & (col < 5) & (row > 0) & (row < 5)
    assert set(np.diff(w.indptr)[inner]) == {6}
