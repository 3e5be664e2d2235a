"""`twin bench --plans` runs end to end on the small demo and prints its rows as ratios."""

from __future__ import annotations

import psycopg

from twin.bench.plans import run_plan_bench
from twin.db.verify import verify


def test_the_plan_bench_publishes_and_rolls_back_50_units(conn: psycopg.Connection) -> None:
    table = run_plan_bench(conn, "small", 1, repeat=1)
    rows = [line for line in table.splitlines() if line.startswith("| ") and "ms |" in line]
    assert [r.split(" | ")[0] for r in rows[:2]] == [
        "| publish of 50 changed units",
        "| rollback of 50 changed units",
    ]
    assert all("full recount of every layer" in r for r in rows[:2])
    assert all(r.rstrip().endswith("× |") for r in rows)
    assert len(rows) > 2  # i11-checks' rows: impact of one edit, validation of a district
    kinds = conn.execute("SELECT kind FROM grid_version ORDER BY version").fetchall()
    assert kinds == [("initial",), ("load",), ("plan",), ("rollback",)]
    assert verify(conn).problems == []
