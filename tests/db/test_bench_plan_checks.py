"""The plan-check benchmark rows on the hand-made world: both measures, each with its naive
alternative, and the naive checks find what the fast ones find."""

from __future__ import annotations

import psycopg

from tests.db.test_plan_impact import scatter
from tests.planworld import LEVELS
from twin.bench.plan_checks import bench_plan_checks, district_units, naive_validate
from twin.plans.rules import Rules
from twin.plans.validate import validate
from twin.plans.versions import current_version, record_version, units_of_version


def test_the_rows_time_impact_and_validation(conn: psycopg.Connection, world: dict) -> None:
    scatter(conn)
    record_version(conn, "load", effective_at=None)
    rows = bench_plan_checks(conn)
    assert [r.measure for r in rows] == [
        "impact of one edit (whole city, 7 units)",
        "validation of a 7-unit district",
    ]
    assert all(r.twin > 0 and r.naive > 0 and r.unit == "ms" for r in rows)


def test_the_naive_check_counts_the_same_problems(conn: psycopg.Connection, world: dict) -> None:
    record_version(conn, "load", effective_at=None)
    units = district_units(conn, units_of_version(conn, current_version(conn)), 500)
    rules = Rules()
    fast = [
        p for p in validate(units, rules, LEVELS) if p.kind in ("overlap", "gap", "outside_parent")
    ]
    assert naive_validate(units, rules, LEVELS) == len(fast) == 1  # G4's hole
