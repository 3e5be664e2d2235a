"""`twin bench --plans`: publishing a 50-unit redraw at city size beside a full recount."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import psycopg
import shapely
from shapely.geometry import box

from twin.activity import Clock
from twin.bench.table import Row, format_table
from twin.db.queries import query
from twin.plans import store
from twin.plans.model import UnitState
from twin.plans.publish import publish, rollback
from twin.plans.versions import current_version, units_of_version
from twin.synth.load import load_demo

CHANGED = 50  # units a plan changes: 25 pairs of neighbours trading a strip


def strip_plan(conn: psycopg.Connection, changed: int = CHANGED) -> list[UnitState]:
    """Pairs of neighbouring finest-level units of one parent, the first taking a strip of
    the second along their shared edge: `changed` units in all."""
    finest = conn.execute(query("grid_finest_level")).fetchone()
    assert finest is not None
    units = units_of_version(conn, current_version(conn), finest[0])
    tree = shapely.STRtree([u.geom for u in units])
    used: set[str] = set()
    out: list[UnitState] = []
    for a in units:
        if len(out) >= changed or a.code in used:
            continue
        for j in tree.query(a.geom, predicate="touches"):
            b = units[int(j)]
            edge = a.geom.intersection(b.geom)
            if b.code in used or b.parent != a.parent or edge.length == 0:
                continue
            x0, y0, x1, y1 = edge.bounds
            d = 0.0003  # about 30 m
            piece = b.geom.intersection(box(x0 - d, y0 - d, x1 + d, y1 + d))
            grown = shapely.union(a.geom, piece)
            shrunk = shapely.difference(b.geom, piece)
            if shrunk.is_empty or not grown.geom_type.endswith("Polygon"):
                continue
            if not shrunk.geom_type.endswith("Polygon"):
                continue
            out += [_reshaped(a, grown), _reshaped(b, shrunk)]
            used |= {a.code, b.code}
            break
    return out


def _reshaped(u: UnitState, geom: shapely.Geometry) -> UnitState:
    return UnitState(u.code, u.name, u.level, u.parent, geom, u.officer, u.population, u.households)


def _approved(conn: psycopg.Connection, name: str, units: list[UnitState], clock: Clock) -> None:
    plan = store.new_plan(conn, name, None, "bench", clock)
    store.write_changes(conn, plan, units, [], "bench", plan.revision, clock=clock)
    plan = store.set_state(conn, store.get_plan(conn, name), "submitted", "bench", "", clock)
    store.set_state(conn, plan, "approved", "bench", "", clock)


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _full_recount(conn: psycopg.Connection) -> None:
    """What a redraw cost before migration 013 whenever it removed or re-parented a unit:
    every layer recounted from its rows (rolled back here, to leave the counts alone)."""
    with conn.transaction(force_rollback=True):
        conn.execute("SELECT twin_stat_rebuild(layer) FROM twin_point_layer")


def bench_publish(conn: psycopg.Connection, repeat: int) -> list[Row]:
    """Median publish and rollback of the strip plan, each beside a full recount."""
    units = strip_plan(conn)
    row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    clock = Clock(row[0])
    stamp = f"{time.time_ns():x}"
    published: list[float] = []
    restored: list[float] = []
    naive: list[float] = []
    for i in range(max(1, repeat)):
        name = f"bench-{stamp}-{i}"
        _approved(conn, name, units, clock)
        before = current_version(conn)
        published.append(_seconds(partial(publish, conn, name, clock.local.date(), "bench", clock)))
        restored.append(_seconds(partial(rollback, conn, before, "bench", clock, f"{name}-back")))
        naive.append(_seconds(lambda: _full_recount(conn)))
    label = f"{len(units)} changed units"
    med = sorted(published)[len(published) // 2]
    back = sorted(restored)[len(restored) // 2]
    recount = sorted(naive)[len(naive) // 2]
    return [
        Row(f"publish of {label}", med, recount, "full recount of every layer", "ms"),
        Row(f"rollback of {label}", back, recount, "full recount of every layer", "ms"),
    ]


def run_plan_bench(conn: psycopg.Connection, size: str, seed: int, repeat: int = 3) -> str:
    """Load the demo city of that size (once) and print the plan rows as a table."""
    load_demo(conn, size, seed)
    rows = bench_publish(conn, repeat)
    rows += _check_rows(conn)
    points = conn.execute(query("bench_plan_sizes")).fetchone()
    assert points is not None
    header = (
        f"twin bench --plans: demo {size} (seed {seed}), {points[1]:,} units, {points[0]:,} points"
    )
    return format_table(rows, header)


def _check_rows(conn: psycopg.Connection) -> list[Row]:
    """i11-checks' rows (impact of one edit, validation of a district) once merged."""
    try:
        from twin.bench.plan_checks import bench_plan_checks  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return []
    return list(bench_plan_checks(conn))
