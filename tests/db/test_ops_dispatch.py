"""Automatic dispatch on hand-made cases with known answers: the first matching rule, the
unit's officer for patrol-level cases, severity overriding category."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.db.test_ops_cases import report
from tests.opsworld import CLOCK, config
from twin.ops.cases import create_case

CONFIG = config()


@pytest.mark.parametrize(
    ("fields", "rule", "department", "officer"),
    [
        # severity 1 overrides the category's own rule
        ({"severity": 1}, "critical", "command centre", None),
        ({"category": "fire_hazard", "severity": 1}, "critical", "command centre", None),
        ({"category": "fire_hazard", "severity": 2}, "fire", "fire brigade", None),
        # patrol level: the grid officer of the unit the case lies in (G2 here)
        ({"severity": 4, "x": 1.5}, "patrol-level", None, "officer G2"),
        # a rule limited to a source
        ({"source": "hotline"}, "hotline-sanitation", "sanitation hotline desk", None),
        ({"source": "citizen_photo"}, "sanitation", "sanitation", None),
        ({"category": "dispute"}, None, None, None),
    ],
)
def test_a_new_case_goes_by_the_first_matching_rule(
    conn: psycopg.Connection,
    world: dict[str, int],
    fields: dict[str, Any],
    rule: str | None,
    department: str | None,
    officer: str | None,
) -> None:
    made = create_case(conn, report(**fields), CLOCK, CONFIG)
    case = made.case
    assert (made.rule, case["dispatch_rule"]) == (rule, rule)
    assert (case["department"], case["officer"]) == (department, officer)
    assert case["status"] == ("dispatched" if rule else "reported")


def test_the_officer_of_the_unit_above_serves_a_grid_without_one(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    conn.execute("UPDATE grid SET officer = NULL WHERE code = 'G3'")
    conn.execute("UPDATE grid SET officer = 'community lead' WHERE code = 'C'")
    case = create_case(conn, report(severity=4, x=0.5, y=1.5), CLOCK, CONFIG).case
    assert (case["grid_code"], case["officer"]) == ("G3", "community lead")


def test_a_patrol_level_case_in_no_unit_falls_to_the_next_rule(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    # outside every grid nobody patrols it: the sanitation rule takes it
    made = create_case(conn, report(severity=4, x=5, y=5), CLOCK, CONFIG)
    assert made.rule == "sanitation" and made.case["officer"] is None
    # and with no later rule it waits for the duty officer
    made = create_case(conn, report(category="other", severity=4, x=5, y=5), CLOCK, CONFIG)
    assert made.rule is None and made.case["status"] == "reported"
