"""Plans in the database: named drafts of changed units over a scope, their states and revisions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import psycopg
from psycopg.rows import dict_row

from twin.activity import Clock
from twin.db.queries import query
from twin.plans import versions
from twin.plans.model import UnitState
from twin.plans.records import (
    Plan,
    PlanConflict,
    PlanError,
    PlanNotFound,
    Row,
    digests,
    get_plan,
    lock_plan,
    plan_rows,
    same_unit,
    to_multi,
    unit_from_row,
    unit_params,
)

__all__ = [
    "Plan",
    "PlanConflict",
    "PlanError",
    "PlanNotFound",
    "Row",
    "UnitState",
    "get_plan",
    "lock_plan",
    "plan_rows",
    "to_multi",
    "unit_from_row",
    "unit_params",
]

STATES = ("draft", "submitted", "approved", "scheduled", "published", "rejected")
# The moves a plan may make between states, and the word a person says for each.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submitted"): "submit",
    ("submitted", "approved"): "approve",
    ("submitted", "rejected"): "reject",
    ("approved", "rejected"): "reject",
    ("submitted", "draft"): "withdraw",
    ("rejected", "draft"): "reopen",
    ("approved", "scheduled"): "schedule",
    ("approved", "published"): "publish",
    ("scheduled", "published"): "publish",
    ("scheduled", "approved"): "unschedule",
}


def current_version(conn: psycopg.Connection) -> int:
    """The version of the grid in force now."""
    return versions.current_version(conn)


def new_plan(
    conn: psycopg.Connection, name: str, scope: str | None, author: str, clock: Clock
) -> Plan:
    """Create a draft plan over the whole city (scope None) or one unit's subtree."""
    name = name.strip()
    if not name:
        raise PlanError("a plan needs a name")
    if (
        scope is not None
        and conn.execute(query("grid_by_code"), {"code": scope}).fetchone() is None
    ):
        raise PlanError(f"plan {name!r}: scope {scope!r} is not a unit of the grid map")
    with conn.transaction():
        if conn.execute(query("plan_by_name"), {"name": name}).fetchone() is not None:
            raise PlanConflict(f"a plan named {name!r} exists already")
        row = conn.execute(
            query("plan_insert"),
            {
                "name": name,
                "scope": scope,
                "base_version": current_version(conn),
                "author": author,
                "at": clock.now,
            },
        ).fetchone()
        assert row is not None
        plan = get_plan(conn, name)
        _event(conn, plan, "new", None, "draft", author, "", clock)
    return plan


def list_plans(conn: psycopg.Connection) -> list[dict[str, Any]]:
    """Every plan: name, scope, state, base version, revision, author, changed units, times."""
    with conn.cursor(row_factory=dict_row) as cur:
        return list(cur.execute(query("plan_list")).fetchall())


def plan_events(conn: psycopg.Connection, plan: Plan) -> list[dict[str, Any]]:
    """Who moved the plan between states, when, with which comment; oldest first."""
    with conn.cursor(row_factory=dict_row) as cur:
        return list(cur.execute(query("plan_events"), {"plan_id": plan.id}).fetchall())


def plan_changes(conn: psycopg.Connection, plan: Plan) -> tuple[list[UnitState], list[str]]:
    """The units the plan adds or changes (whole proposed states), and the codes it removes."""
    rows = plan_rows(conn, plan).values()
    upserts = [r.unit for r in rows if r.unit is not None]
    return upserts, [r.code for r in rows if r.op == "remove"]


def base_units(conn: psycopg.Connection, plan: Plan, level: str | None = None) -> list[UnitState]:
    """The units in force now in the plan's scope (the scope unit and its subtree)."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query("plan_scope_units"), {"scope": plan.scope, "level": level})
        return [unit_from_row(r) for r in rows.fetchall()]


def proposed_units(
    conn: psycopg.Connection, plan: Plan, level: str | None = None
) -> list[UnitState]:
    """The plan's map of its scope: the units in force with the plan's changes laid over."""
    return laid_over(base_units(conn, plan), plan_rows(conn, plan), level)


def laid_over(
    base: Sequence[UnitState], rows: Mapping[str, Row], level: str | None = None
) -> list[UnitState]:
    """The units in force with a plan's rows laid over, in code order (of one level, if given)."""
    units = {u.code: u for u in base}
    for row in rows.values():
        if row.unit is None:
            units.pop(row.code, None)
        else:
            units[row.code] = row.unit
    return sorted((u for u in units.values() if level in (None, u.level)), key=lambda u: u.code)


def conflicts_with_base(conn: psycopg.Connection, plan: Plan) -> list[str]:
    """The plan's units that the map in force changed since the plan first touched them."""
    rows = plan_rows(conn, plan)
    now = digests(conn, rows)
    return sorted(code for code, row in rows.items() if now.get(code) != row.base_digest)


def rebase(conn: psycopg.Connection, plan: Plan) -> Plan:
    """Move the plan onto the version in force; refused naming the units both changed."""
    clashes = conflicts_with_base(conn, plan)
    if clashes:
        raise PlanConflict(
            f"plan {plan.name!r} cannot be rebased onto version {current_version(conn)}: "
            f"the map in force changed unit(s) the plan also changes: {', '.join(clashes)}"
        )
    version = current_version(conn)
    if version != plan.base_version:
        conn.execute(query("plan_rebased"), {"plan_id": plan.id, "base_version": version})
        plan = replace(plan, base_version=version)
    return plan


def changed_since(
    conn: psycopg.Connection, plan: Plan, revision: int, codes: Iterable[str]
) -> list[dict[str, Any]]:
    """The plan's revisions after `revision` that wrote any of `codes`."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            query("plan_changed_since"),
            {"plan_id": plan.id, "since": revision, "codes": sorted(set(codes))},
        )
        return list(rows.fetchall())


def check_revision(
    conn: psycopg.Connection, plan: Plan, revision: int, codes: Sequence[str]
) -> None:
    """Refuse an edit of `codes` based on `revision` when another edit wrote them since."""
    if revision > plan.revision or revision < 0:
        raise PlanError(
            f"plan {plan.name!r} has no revision {revision} (it is at revision {plan.revision})"
        )
    if revision == plan.revision:
        return
    clashes = changed_since(conn, plan, revision, codes)
    if clashes:
        said = "; ".join(
            f"{', '.join(c['codes'])} by {c['actor']} ({c['action']}, revision {c['revision']})"
            for c in clashes
        )
        raise PlanConflict(
            f"plan {plan.name!r} changed since revision {revision} (now {plan.revision}): {said};"
            " reload the plan and edit again"
        )


def editable(conn: psycopg.Connection, name: str) -> Plan:
    """Lock the named draft for an edit, rebased onto the map in force (or refused)."""
    plan = lock_plan(conn, name)
    if plan.state != "draft":
        raise PlanConflict(f"plan {name!r} is {plan.state}: only a draft can be edited")
    return rebase(conn, plan)


def write_changes(
    conn: psycopg.Connection,
    plan: Plan,
    upserts: Sequence[UnitState],
    removals: Sequence[str],
    actor: str,
    expected_revision: int,
    *,
    action: str = "edit",
    clock: Clock,
) -> int:
    """Write proposed units and removals to the plan as one undoable step; the new revision.

    Refused (PlanError) when the plan is not a draft, a unit is outside its scope, or another
    edit wrote one of these units after `expected_revision`. A unit proposed exactly as in
    force, or the removal of one the plan added, drops the plan's row for it.
    """
    with conn.transaction():
        plan = editable(conn, plan.name)
        codes = [u.code for u in upserts] + list(removals)
        if len(set(codes)) != len(codes):
            raise PlanError(f"plan {plan.name!r}: a unit is both changed and removed in one edit")
        check_revision(conn, plan, expected_revision, codes)
        _check_scope(conn, plan, upserts, removals)
        rows = _normalise(conn, plan, upserts, removals)
        return write_step(conn, plan, rows, actor, action, clock)


def _check_scope(
    conn: psycopg.Connection, plan: Plan, upserts: Sequence[UnitState], removals: Sequence[str]
) -> None:
    """Refuse changes to units outside the plan's scope (or to the scope unit's outline)."""
    if plan.scope is None:
        return
    inside = {u.code for u in proposed_units(conn, plan)} | {u.code for u in upserts}
    outside = [u.code for u in upserts if u.parent not in inside or u.code == plan.scope]
    outside += [c for c in removals if c not in inside or c == plan.scope]
    if outside:
        raise PlanError(
            f"plan {plan.name!r} covers the subtree of {plan.scope}: "
            f"unit(s) {', '.join(sorted(set(outside)))} lie outside it"
        )


def _normalise(
    conn: psycopg.Connection, plan: Plan, upserts: Sequence[UnitState], removals: Sequence[str]
) -> dict[str, Row | None]:
    """The plan's new row per touched code (None: no row, the unit as in force)."""
    existing = plan_rows(conn, plan)
    codes = [u.code for u in upserts] + list(removals)
    with conn.cursor(row_factory=dict_row) as cur:
        found = cur.execute(query("plan_units_by_code"), {"codes": sorted(set(codes))})
        base = {r["code"]: unit_from_row(r) for r in found.fetchall()}
    now = digests(conn, codes)
    rows: dict[str, Row | None] = {}
    for code, unit in [(u.code, u) for u in upserts] + [(c, None) for c in removals]:
        digest = existing[code].base_digest if code in existing else now.get(code)
        was = base.get(code)
        if unit is None:
            rows[code] = None if was is None else Row(code, "remove", None, digest)
        else:
            rows[code] = None if was and same_unit(was, unit) else Row(code, "upsert", unit, digest)
    return rows


def write_step(
    conn: psycopg.Connection,
    plan: Plan,
    rows: dict[str, Row | None],
    actor: str,
    action: str,
    clock: Clock,
) -> int:
    """Record an undo step with the rows before and after, then write them as a new revision."""
    before = plan_rows(conn, plan)
    conn.execute(query("plan_step_drop_undone"), {"plan_id": plan.id})
    step = conn.execute(
        query("plan_step_insert"),
        {"plan_id": plan.id, "action": action, "actor": actor, "at": clock.now},
    ).fetchone()
    assert step is not None
    for code, row in rows.items():
        for side, side_row in (("before", before.get(code)), ("after", row)):
            conn.execute(
                query("plan_step_unit_insert"),
                {
                    "plan_id": plan.id,
                    "step": step[0],
                    "side": side,
                    "base_digest": side_row.base_digest if side_row else None,
                    **unit_params(
                        code, side_row.op if side_row else None, side_row.unit if side_row else None
                    ),
                },
            )
    return put_rows(conn, plan, rows, actor, action, clock)


def put_rows(
    conn: psycopg.Connection,
    plan: Plan,
    rows: dict[str, Row | None],
    actor: str,
    action: str,
    clock: Clock,
) -> int:
    """Write the plan's rows for these codes (None: drop the row) as its next revision."""
    revision = plan.revision + 1
    for code, row in rows.items():
        if row is None:
            conn.execute(query("plan_unit_drop"), {"plan_id": plan.id, "code": code})
            continue
        conn.execute(
            query("plan_unit_put"),
            {
                "plan_id": plan.id,
                "revision": revision,
                "base_digest": row.base_digest,
                **unit_params(code, row.op, row.unit),
            },
        )
    conn.execute(
        query("plan_revision_insert"),
        {
            "plan_id": plan.id,
            "revision": revision,
            "at": clock.now,
            "actor": actor,
            "action": action,
            "codes": sorted(rows),
        },
    )
    return revision


def set_state(
    conn: psycopg.Connection,
    plan: Plan,
    to_state: str,
    actor: str,
    comment: str,
    clock: Clock,
    *,
    effective_date: date | None = None,
) -> Plan:
    """Move the plan to `to_state` (see TRANSITIONS), recording who, when and why."""
    if to_state not in STATES:
        raise PlanError(f"unknown plan state {to_state!r}; one of {', '.join(STATES)}")
    with conn.transaction():
        plan = lock_plan(conn, plan.name)
        action = TRANSITIONS.get((plan.state, to_state))
        if action is None:
            allowed = [t for (f, t) in TRANSITIONS if f == plan.state]
            raise PlanConflict(
                f"plan {plan.name!r} is {plan.state}: it cannot become {to_state}"
                + (f" (it can become {', '.join(allowed)})" if allowed else "")
            )
        if action == "submit" and not plan_rows(conn, plan):
            raise PlanError(f"plan {plan.name!r} changes nothing: there is nothing to submit")
        _event(conn, plan, action, plan.state, to_state, actor, comment, clock, effective_date)
    return get_plan(conn, plan.name)


def _event(
    conn: psycopg.Connection,
    plan: Plan,
    action: str,
    from_state: str | None,
    to_state: str,
    actor: str,
    comment: str,
    clock: Clock,
    effective_date: date | None = None,
) -> None:
    """Set the plan's state and record the move."""
    conn.execute(
        query("plan_set_state"),
        {
            "plan_id": plan.id,
            "to_state": to_state,
            "effective_date": effective_date,
            "at": clock.now,
            "actor": actor,
            "action": action,
            "from_state": from_state,
            "comment": comment,
        },
    )
