"""`twin bench --hotspots` runs end to end on the small demo and prints its rows as ratios."""

from __future__ import annotations

import psycopg

from twin.bench.hotspots import run_hotspot_bench


def test_the_hotspot_bench_prints_every_row_with_a_ratio(conn: psycopg.Connection) -> None:
    table = run_hotspot_bench(conn, "small", 1, repeat=1, metro_side=12)
    rows = [line for line in table.splitlines() if line.startswith("| ") and "ms |" in line]
    measures = [r.split(" | ")[0] for r in rows]
    assert len(rows) == 6
    assert measures[0].startswith("| Gi* + FDR,") and "grids" in measures[0]
    assert "144 generated units" in measures[-1]
    assert all(r.rstrip().endswith("× |") for r in rows)
    assert "esda G_Local + BH, same weights" in table
    assert "per-view SQL recount (spatial join) + Gi*" in table
    assert "100.0% equal counts" in table
