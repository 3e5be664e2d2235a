"""Dropping units' changes from a draft: each dropped unit goes back to the map in force.

The way out of a refused rebase: every other edit first rebases the plan, which is refused
while the map in force changed a unit the plan changes too; a drop takes those units out
without rebasing first, then rebases when nothing else clashes. It is an undoable step.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from twin.activity import Clock
from twin.plans import store
from twin.plans.assess import assess
from twin.plans.model import EditResult
from twin.plans.store import PlanConflict, PlanError, Row


def drop_units(
    conn: psycopg.Connection,
    plan_name: str,
    codes: Sequence[str],
    actor: str,
    revision: int,
    clock: Clock,
) -> EditResult:
    """Take these units' changes out of the draft (refused for a unit it does not change)."""
    wanted = sorted(set(codes))
    if not wanted:
        raise PlanError(f"plan {plan_name!r}: name the unit(s) to drop")
    with conn.transaction():
        plan = store.lock_plan(conn, plan_name)
        if plan.state != "draft":
            raise PlanConflict(f"plan {plan_name!r} is {plan.state}: only a draft can be edited")
        rows = store.plan_rows(conn, plan)
        missing = [c for c in wanted if c not in rows]
        if missing:
            raise PlanError(
                f"plan {plan_name!r} does not change unit(s) {', '.join(missing)}"
                + (f"; it changes {', '.join(sorted(rows))}" if rows else "; it changes none")
            )
        store.check_revision(conn, plan, revision, wanted)
        dropped: dict[str, Row | None] = dict.fromkeys(wanted)
        new_revision = store.write_step(conn, plan, dropped, actor, "drop", clock)
        if not store.conflicts_with_base(conn, plan):
            store.rebase(conn, plan)
    return assess(conn, store.get_plan(conn, plan_name), new_revision, wanted, clock)
