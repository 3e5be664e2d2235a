"""Undo and redo within a plan: each edit is a step holding its units' rows before and after."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row

from twin.activity import Clock
from twin.db.queries import query
from twin.plans import store
from twin.plans.assess import assess
from twin.plans.model import EditResult
from twin.plans.store import PlanError, Row


def _side(
    conn: psycopg.Connection, plan: store.Plan, step: int, side: str
) -> dict[str, Row | None]:
    """The plan rows of a step's units on one side (None: no row)."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            query("plan_step_units"), {"plan_id": plan.id, "step": step, "side": side}
        ).fetchall()
    return {r["code"]: _row(r) for r in rows}


def _row(r: dict[str, Any]) -> Row | None:
    """A plan row from a step row."""
    if r["op"] is None:
        return None
    unit = store.unit_from_row(r) if r["op"] == "upsert" else None
    return Row(r["code"], r["op"], unit, r["base_digest"])


def _replay(
    conn: psycopg.Connection,
    plan_name: str,
    actor: str,
    revision: int,
    clock: Clock,
    undoing: bool,
) -> EditResult:
    """Undo the latest step, or redo the earliest undone one."""
    word = "undo" if undoing else "redo"
    with conn.transaction():
        plan = store.editable(conn, plan_name)
        store.check_revision(conn, plan, revision, [])  # a revision that never was
        found = conn.execute(
            query("plan_step_to_undo" if undoing else "plan_step_to_redo"), {"plan_id": plan.id}
        ).fetchone()
        if found is None:
            raise PlanError(f"plan {plan_name!r}: nothing to {word}")
        step, action, _ = found
        rows = _side(conn, plan, step, "before" if undoing else "after")
        store.check_revision(conn, plan, revision, list(rows))
        new_revision = store.put_rows(conn, plan, rows, actor, f"{word} {action}", clock)
        conn.execute(query("plan_step_mark"), {"plan_id": plan.id, "step": step, "undone": undoing})
    return assess(conn, store.get_plan(conn, plan_name), new_revision, sorted(rows), clock)


def undo(
    conn: psycopg.Connection, plan_name: str, actor: str, revision: int, clock: Clock
) -> EditResult:
    """Take back the plan's latest edit not yet undone."""
    return _replay(conn, plan_name, actor, revision, clock, undoing=True)


def redo(
    conn: psycopg.Connection, plan_name: str, actor: str, revision: int, clock: Clock
) -> EditResult:
    """Make again the edit undone first among those undone."""
    return _replay(conn, plan_name, actor, revision, clock, undoing=False)
