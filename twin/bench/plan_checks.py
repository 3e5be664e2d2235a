"""Plan checks at city size: the impact of one edit beside a full recount of the new map, and
the validation of one district beside a naive pairwise check."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import timedelta

import numpy as np
import psycopg
import shapely

from twin.activity import Clock
from twin.bench.plans import strip_plan
from twin.bench.table import Row, timed
from twin.plans.checks import levels_of
from twin.plans.impact import OPEN, RECENT_DAYS, impact
from twin.plans.model import UnitState
from twin.plans.rules import Rules, rules_for
from twin.plans.validate import Frame, coverage, validate
from twin.plans.versions import current_version, units_of_version
from twin.settings import Settings

DISTRICT_UNITS = 500  # the size of the district validated (its subtree, cut to this many)

# The naive recount: every unit of the new map counts its points by a polygon-driven spatial
# join (the fast form of that join, DESIGN.md), then the rule picks each point's unit.
NAIVE_RECOUNT = """
SELECT a.code,
       (SELECT count(*) FROM camera c WHERE ST_Covers(a.geom, c.geom)),
       (SELECT count(*) FROM sensor s WHERE ST_Covers(a.geom, s.geom)),
       x.open, x.overdue, x.recent
FROM bench_after_unit a
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE i.status = ANY(%(open)s)) AS open,
           count(*) FILTER (WHERE i.status = ANY(%(open)s) AND i.due_at < %(at)s) AS overdue,
           count(*) FILTER (WHERE i.reported_at >= %(since)s AND i.reported_at <= %(at)s)
               AS recent
    FROM incident i WHERE ST_Covers(a.geom, i.geom)
) x
"""


def _seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def naive_recount(conn: psycopg.Connection, after: Sequence[UnitState], clock: Clock) -> None:
    """Recount every finest unit of the new map from all points (rolled back)."""
    finest = levels_of(conn)[-1]
    with conn.transaction(force_rollback=True):
        conn.execute("CREATE TEMP TABLE bench_after_unit (code text, geom geometry) ON COMMIT DROP")
        with conn.cursor().copy("COPY bench_after_unit (code, geom) FROM STDIN") as copy:
            for u in after:
                if u.level == finest:
                    copy.write_row((u.code, shapely.to_wkt(u.geom)))
        conn.execute("UPDATE bench_after_unit SET geom = ST_SetSRID(geom, 4326)")
        conn.execute("CREATE INDEX ON bench_after_unit USING gist (geom)")
        since = clock.now - timedelta(days=RECENT_DAYS)
        conn.execute(
            NAIVE_RECOUNT, {"open": list(OPEN), "at": clock.now, "since": since}
        ).fetchall()


def naive_validate(units: Sequence[UnitState], rules: Rules, levels: Sequence[str]) -> int:
    """Every pair of units of one level intersected (no index), then the same coverage
    checks: how many overlapping pairs."""
    frame = Frame.of(units, levels, None)
    found = 0
    for depth in np.unique(frame.depth):
        idx = np.flatnonzero(frame.depth == depth)
        a, b = np.triu_indices(len(idx), k=1)
        pieces = shapely.intersection(frame.geoms[idx[a]], frame.geoms[idx[b]])
        found += int((frame.metric.area(pieces) > rules.tolerance_m2).sum())
    return found + len(coverage(frame, rules))


def district_units(conn: psycopg.Connection, units: list[UnitState], size: int) -> list[UnitState]:
    """One district's subtree (the first district's), cut to `size` units, parents first."""
    levels = levels_of(conn)
    by_parent: dict[str | None, list[UnitState]] = {}
    for u in units:
        by_parent.setdefault(u.parent, []).append(u)
    top = sorted((u for u in units if u.level == levels[0]), key=lambda u: u.code)
    out: list[UnitState] = []
    queue = [top[0]] if top else []
    while queue and len(out) < size:
        u = queue.pop(0)
        out.append(u)
        queue += sorted(by_parent.get(u.code, []), key=lambda c: c.code)
    return out


def bench_plan_checks(conn: psycopg.Connection) -> list[Row]:
    """The rows of the plan checks (on the city loaded in conn's database)."""
    rules = rules_for(Settings().layers_dir)
    clock = Clock.current()
    levels = levels_of(conn)
    before = units_of_version(conn, current_version(conn))
    edited = {u.code: u for u in strip_plan(conn, 2)}
    after = [edited.get(u.code, u) for u in before]
    twin = timed(lambda: impact(conn, before, after, clock, rules, levels), repeat=5)
    naive = _seconds(lambda: naive_recount(conn, after, clock))
    rows = [
        Row(
            f"impact of one edit (whole city, {len(before):,} units)",
            twin,
            naive,
            "full recount of every unit",
            "ms",
        )
    ]
    district = district_units(conn, before, DISTRICT_UNITS)
    twin = timed(lambda: validate(district, rules, levels), repeat=3)
    naive = _seconds(lambda: naive_validate(district, rules, levels))
    rows.append(
        Row(
            f"validation of a {len(district)}-unit district",
            twin,
            naive,
            "pairwise check, no index",
            "ms",
        )
    )
    return rows
