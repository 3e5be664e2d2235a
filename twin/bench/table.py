"""The benchmark table: one row per measure, twin beside the naive alternative."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One line of the benchmark table."""

    measure: str
    twin: float
    naive: float
    naive_name: str
    unit: str

    @property
    def ratio(self) -> float:
        """How many times better twin is (for rates, higher is better)."""
        if self.unit.endswith("/s"):  # a rate
            return self.twin / self.naive
        return self.naive / self.twin


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median seconds of repeat runs (after one warm-up)."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def format_table(rows: list[Row], header: str) -> str:
    """The rows as a Markdown table."""
    lines = [
        header,
        "",
        "| measure | twin | naive alternative | naive | ratio |",
        "|---|---:|---|---:|---:|",
    ]
    for r in rows:
        if r.unit == "ms":
            a, b = f"{r.twin * 1000:,.1f} ms", f"{r.naive * 1000:,.1f} ms"
        else:
            a, b = f"{r.twin:,.0f} {r.unit}", f"{r.naive:,.0f} {r.unit}"
        lines.append(f"| {r.measure} | {a} | {r.naive_name} | {b} | {r.ratio:,.1f}× |")
    return "\n".join(lines)
