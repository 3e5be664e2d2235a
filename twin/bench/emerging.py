"""Benchmarks of emerging hotspots and kernel density against their naive alternatives.

Both run on generated arrays (the analysis is pure; the SQL that feeds it is measured with Gi*):
a square lattice of units with queen weights and Poisson counts per unit and week, and points
clustered round a few centres. The naive alternatives need the dev dependencies (esda,
libpysal, pymannkendall) and are sampled then scaled where a full run would take minutes.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from functools import partial

import numpy as np
import psycopg
import shapely
from scipy.sparse import csr_matrix

from twin.bench.table import Row, timed
from twin.hotspots.analysis import filtered_points, prepare
from twin.hotspots.density import M_PER_DEG_LAT, cell_centres, density
from twin.hotspots.emerging import emerging_cube, run_emerging
from twin.hotspots.filters import Filters, Window
from twin.hotspots.weights import queen

STEPS = 13
MK_SAMPLE = 500  # units whose trend pymannkendall computes; its time is scaled to all units
KDE_SAMPLE = 1_000  # points of the direct KDE; its time is scaled to all points
KDE_CELLS = 2e8  # point × cell pairs the direct KDE may evaluate (metro grids are large)


def lattice(units: int) -> csr_matrix:
    """Queen weights of a square lattice of about `units` unit squares."""
    side = round(math.sqrt(units))
    i, j = np.divmod(np.arange(side * side), side)
    return queen(shapely.box(i, j, i + 1, j + 1))


def weekly_points(w: csr_matrix, points: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each point's unit and week: uniform, save 1 % of units warming up towards the end."""
    rng = np.random.default_rng(seed)
    n = w.shape[0]
    rate = np.ones((n, STEPS))
    hot = rng.choice(n, size=max(1, n // 100), replace=False)
    rate[hot] *= np.linspace(1.0, 3.0, STEPS)
    cell = rng.choice(n * STEPS, size=points, p=(rate / rate.sum()).ravel())
    return np.divmod(cell, STEPS)


def cube_of(unit: np.ndarray, week: np.ndarray, n: int) -> np.ndarray:
    """The units × weeks counts of the points (what run_emerging bins)."""
    return np.bincount(unit * STEPS + week, minlength=n * STEPS).reshape(n, STEPS).astype(float)


def naive_emerging(counts: np.ndarray, w: csr_matrix) -> float:
    """Seconds of esda's Gi* per step plus pymannkendall per unit (sampled, scaled)."""
    import esda
    import pymannkendall
    from libpysal.weights import WSP

    lw = WSP(w).to_W(silence_warnings=True)
    start = time.perf_counter()
    z = np.column_stack(
        [
            esda.G_Local(counts[:, s], lw, transform="B", star=True, permutations=0).Zs
            for s in range(counts.shape[1])
        ]
    )
    gi = time.perf_counter() - start
    start = time.perf_counter()
    for row in z[:MK_SAMPLE]:
        pymannkendall.original_test(row)
    mk = (time.perf_counter() - start) * len(z) / min(MK_SAMPLE, len(z))
    return gi + mk


def clustered_points(n: int, seed: int) -> np.ndarray:
    """n lon/lat points: half uniform over 30 km, half round 20 centres."""
    rng = np.random.default_rng(seed)
    half = n // 2
    xy = np.concatenate(
        [
            rng.uniform(-15_000, 15_000, (half, 2)),
            rng.uniform(-12_000, 12_000, (20, 2))[rng.integers(0, 20, n - half)]
            + rng.normal(0, 400, (n - half, 2)),
        ]
    )
    lat0 = 22.55
    mx = M_PER_DEG_LAT * math.cos(math.radians(lat0))
    return np.column_stack([114.05 + xy[:, 0] / mx, lat0 + xy[:, 1] / M_PER_DEG_LAT])


def naive_density(pts: np.ndarray, seed: int) -> float:
    """Seconds of a direct per-point Gaussian KDE on the same grid (sampled, scaled)."""
    d = density(pts)
    lon, lat = cell_centres(d)
    size = max(10, min(KDE_SAMPLE, int(KDE_CELLS / d.grid.size)))
    sample = pts[np.random.default_rng(seed).choice(len(pts), size, replace=False)]
    mx = M_PER_DEG_LAT * math.cos(math.radians(float(pts[:, 1].mean())))
    h2 = 2 * d.bandwidth_m**2
    gx, gy = lon.ravel() * mx, lat.ravel() * M_PER_DEG_LAT
    start = time.perf_counter()
    total = np.zeros(gx.shape)
    for chunk in np.array_split(sample, max(1, len(sample) // 50)):
        dx = gx[:, None] - chunk[:, 0] * mx
        dy = gy[:, None] - chunk[:, 1] * M_PER_DEG_LAT
        total += np.exp(-(dx**2 + dy**2) / h2).sum(axis=1)
    return (time.perf_counter() - start) * len(pts) / size


def emerging_rows(units: int, points: int, seed: int, repeat: int) -> list[Row]:
    """The emerging-hotspot and density rows of the hotspot benchmark."""
    w = lattice(units)
    n = w.shape[0]
    unit, week = weekly_points(w, points, seed)
    counts = cube_of(unit, week, n)
    twin_emerging = timed(lambda: emerging_cube(cube_of(unit, week, n), w), repeat)
    pts = clustered_points(points, seed)
    twin_density = timed(lambda: density(pts), repeat)
    return [
        Row(
            f"emerging hotspots, {n:,} units × {STEPS} weekly steps, {points:,} points",
            twin_emerging,
            naive_emerging(counts, w),
            f"esda G_Local per step + pymannkendall per unit (sampled {MK_SAMPLE}, scaled)",
            "ms",
        ),
        Row(
            f"kernel density, {points:,} points",
            twin_density,
            naive_density(pts, seed),
            "direct per-point Gaussian KDE on the same grid (a sample, scaled)",
            "ms",
        ),
    ]


def emerging_view_row(conn: psycopg.Connection, now: datetime, repeat: int) -> Row:
    """run_emerging over the loaded demo's grids in weekly steps (SQL + cube), against the same
    points with esda per step and pymannkendall per unit."""
    f = Filters(window=Window("all"))
    prepared = prepare(conn, "grid", "queen")
    got = run_emerging(conn, f, now, "7d", prepared=prepared)
    ours = timed(partial(run_emerging, conn, f, now, "7d", prepared=prepared), repeat)
    start = time.perf_counter()
    filtered_points(conn, f, now)
    fetch = time.perf_counter() - start
    theirs = fetch + naive_emerging(got.cube.counts, prepared.w)
    steps = got.cube.counts.shape[1]
    what = (
        f"{len(prepared.units):,} grids × {steps} weekly steps, {int(got.table['count'].sum()):,}"
    )
    return Row(
        f"emerging view, recomputed: {what} incidents",
        ours,
        theirs,
        "fetch the points + esda G_Local per step + pymannkendall per unit",
        "ms",
    )
