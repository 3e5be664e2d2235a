"""`twin bench --hotspots`: Gi* + FDR beside esda, and a hotspot view beside a SQL recount."""

from __future__ import annotations

import time
import warnings
from datetime import datetime
from functools import partial
from typing import Any

import numpy as np
import psycopg
from scipy.sparse import csr_matrix
from scipy.stats import false_discovery_control

from twin.bench.table import Row, format_table, timed
from twin.db.queries import query
from twin.hotspots.analysis import hotspot_table, prepare, run_hotspots
from twin.hotspots.cache import HotspotCache
from twin.hotspots.filters import Filters, Window
from twin.hotspots.units import Projection, Units
from twin.hotspots.weights import queen
from twin.synth.load import DEMO_KEY, load_demo


def _libpysal_w(w: csr_matrix) -> Any:
    """The same binary weights as a libpysal W (built once, outside the timings)."""
    from libpysal.weights import W

    n = w.shape[0]
    neighbors = {i: w.indices[w.indptr[i] : w.indptr[i + 1]].tolist() for i in range(n)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return W(neighbors, silence_warnings=True)


def _esda(y: np.ndarray, lw: object) -> None:
    """esda's Gi* (star, binary, no permutations) and BH, as a PySAL user would run them."""
    from esda.getisord import G_Local

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = G_Local(y, lw, transform="B", star=True, permutations=0)
    p = 2 * np.asarray(g.p_norm)  # esda's p_norm is one-sided
    false_discovery_control(np.minimum(p, 1.0))


def bench_statistic(units: Units, w: csr_matrix, y: np.ndarray, repeat: int, label: str) -> Row:
    """Gi* + BH + classes against esda's G_Local + scipy's BH on the same weights."""
    lw = _libpysal_w(w)
    ours = timed(partial(hotspot_table, units, y, w), repeat)
    theirs = timed(partial(_esda, y, lw), max(1, repeat // 2))
    return Row(label, ours, theirs, "esda G_Local + BH, same weights", "ms")


def lattice_units(side: int, seed: int) -> tuple[Units, csr_matrix, np.ndarray]:
    """A metro-sized generated set: side² jittered quadrilaterals, Poisson counts, queen w."""
    from shapely import polygons

    rng = np.random.default_rng(seed)
    xs, ys = np.meshgrid(np.arange(side + 1) * 250.0, np.arange(side + 1) * 250.0)
    xs += rng.uniform(-60, 60, xs.shape)
    ys += rng.uniform(-60, 60, ys.shape)
    r, c = (a.ravel() for a in np.meshgrid(np.arange(side), np.arange(side), indexing="ij"))
    rings = np.stack(
        [
            np.stack([xs[r, c], ys[r, c]], 1),
            np.stack([xs[r, c + 1], ys[r, c + 1]], 1),
            np.stack([xs[r + 1, c + 1], ys[r + 1, c + 1]], 1),
            np.stack([xs[r + 1, c], ys[r + 1, c]], 1),
            np.stack([xs[r, c], ys[r, c]], 1),
        ],
        axis=1,
    )
    geoms = polygons(rings)
    codes = np.array([f"L{i:06d}" for i in range(len(geoms))], dtype=object)
    units = Units("lattice", codes, codes, geoms, geoms, Projection(0.0, 0.0))
    return units, queen(geoms), rng.poisson(200, len(geoms)).astype(float)


def bench_views(conn: psycopg.Connection, now: datetime, window: str, repeat: int) -> list[Row]:
    """A hotspot view of the grids in a window: recomputed and cached, against SQL recounts."""
    f = Filters(window=Window(window))
    prepared = prepare(conn, "grid", "queen")
    n = int(run_hotspots(conn, f, now, prepared=prepared).table["count"].sum())
    recompute = timed(partial(run_hotspots, conn, f, now, prepared=prepared), repeat)
    start, end = f.window.bounds(now)

    def naive() -> np.ndarray:
        # What a dashboard without stored assignment must do on every request.
        rows = conn.execute(query("bench_spatial_recount"), {"start": start, "end": end})
        y = np.array([r[1] for r in rows.fetchall()], dtype=float)
        hotspot_table(prepared.units, y, prepared.w)
        return y

    ours = run_hotspots(conn, f, now, prepared=prepared).table
    # The ratio means something only if both count the same: say how many grids agree (both
    # in code order; ST_Covers counts a point on a shared edge in both grids, twin in one).
    same = (naive() == ours["count"].to_numpy()).mean()
    recount = timed(naive, 1)
    cache = HotspotCache()
    cached = timed(partial(cache.get, conn, f, now), repeat)
    what = f"{len(prepared.units):,} grids, {n:,} incidents ({window}; {same:.1%} equal counts)"
    return [
        Row(
            f"hotspot view, recomputed: {what}",
            recompute,
            recount,
            "per-view SQL recount (spatial join) + Gi*",
            "ms",
        ),
        Row(
            f"hotspot view, cached: {what}",
            cached,
            recompute,
            "recompute per view (SQL count + Gi* + FDR)",
            "ms",
        ),
    ]


def run_hotspot_bench(
    conn: psycopg.Connection, size: str, seed: int, repeat: int = 5, metro_side: int = 224
) -> str:
    """Load the demo of that size if needed, measure, and return the table (autocommit conn)."""
    try:
        import esda  # noqa: F401
        import libpysal  # noqa: F401
    except ImportError as exc:
        raise ValueError(
            "twin bench --hotspots measures beside esda and libpysal, the dev extra: "
            "pip install -e '.[dev]'"
        ) from exc
    start = time.perf_counter()
    loaded = load_demo(conn, size, seed, progress=True)
    load_s = time.perf_counter() - start
    row = conn.execute("SELECT value->>'now' FROM twin_meta WHERE key = %s", [DEMO_KEY]).fetchone()
    assert row is not None and row[0] is not None
    now = datetime.fromisoformat(row[0])
    prepared = prepare(conn, "grid", "queen")
    f = Filters(window=Window("30d"))
    y = run_hotspots(conn, f, now, prepared=prepared).table["count"].to_numpy(float)
    n = len(prepared.units)
    rows = [bench_statistic(prepared.units, prepared.w, y, repeat, f"Gi* + FDR, {n:,} grids")]
    rows += bench_views(conn, now, "30d", repeat)
    rows += bench_views(conn, now, "all", repeat)
    units, w, counts = lattice_units(metro_side, seed)
    label = f"Gi* + FDR, {len(units):,} generated units (metro size)"
    rows.append(bench_statistic(units, w, counts, repeat, label))
    header = f"twin bench --hotspots — size {size}, seed {seed}" + (
        f"; demo loaded in {load_s:,.1f} s" if loaded else "; demo was already loaded"
    )
    return format_table(rows, header)
