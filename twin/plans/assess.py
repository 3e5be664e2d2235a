"""What every edit answers: the plan's new revision with its validation and impact."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from twin.activity import Clock
from twin.plans.checks import impact_of, maps_of, validate_plan
from twin.plans.model import EditResult
from twin.plans.rules import Rules, rules_for
from twin.plans.store import Plan
from twin.settings import Settings


def plan_rules() -> Rules:
    """The plan rules beside the configured layer catalog (plans.toml)."""
    return rules_for(Settings.from_env().layers_dir)


def snap_tolerance(snap_m: float | None) -> float:
    """The snap tolerance in metres: as given, else the rules' snap_m."""
    return plan_rules().snap_m if snap_m is None else snap_m


def assess(
    conn: psycopg.Connection, plan: Plan, revision: int, changed: Sequence[str], clock: Clock
) -> EditResult:
    """The EditResult of an edit that brought `plan` to `revision`, touching `changed`."""
    rules = plan_rules()
    maps = maps_of(conn, plan)  # read once for both
    return EditResult(
        revision=revision,
        changed=tuple(changed),
        problems=tuple(validate_plan(conn, plan, rules, maps)),
        impact=impact_of(conn, plan, clock, rules, maps).to_json(),
    )
