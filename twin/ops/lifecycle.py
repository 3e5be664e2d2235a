"""Lifecycle actions on a case (dispatch, start, escalate, resolve, close, reopen), each on
the case's timeline with who, when and a note."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from twin.activity import Clock
from twin.db.queries import query
from twin.ops.errors import CaseError, missing
from twin.ops.record import add_event, get_case

ACTIONS = ("dispatch", "start", "escalate", "resolve", "close", "reopen")
# The status each action moves a case to (the lifecycle of 005 decides from where).
TARGET = {
    "dispatch": "dispatched",
    "start": "in_progress",
    "escalate": "escalated",
    "resolve": "resolved",
    "close": "closed",
    "reopen": "in_progress",
}
# Each move stamps its stage time from the caller's clock. The first dispatch and start stay
# (they end their stage for good); escalation, resolution and closing take the latest.
STAMP = {
    "dispatched": ("dispatched_at", True),
    "in_progress": ("started_at", True),
    "escalated": ("escalated_at", False),
    "resolved": ("resolved_at", False),
    "closed": ("closed_at", False),
}
MAX_NOTE = 2000
MAX_NAME = 200


def _optional_text(value: Any, field: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CaseError(field, "must be non-empty text", "empty", {"field": field})
    if len(value) > limit or "\x00" in value:
        raise CaseError(
            field,
            f"must be at most {limit} characters, without NUL",
            "too_long",
            {"field": field, "limit": limit},
        )
    return value


def check_action(
    action: str, actor: str, note: str | None, department: str | None, officer: str | None
) -> None:
    """Refuse a malformed action before reading the case, naming the field."""
    if action not in ACTIONS:
        raise CaseError(
            "action",
            f"{action!r} is not one of {', '.join(ACTIONS)}",
            "not_action",
            {"action": action},
        )
    if _optional_text(actor, "actor", MAX_NAME) is None:
        raise CaseError("actor", "who acts must be named", "actor")
    _optional_text(note, "note", MAX_NOTE)
    _optional_text(department, "department", MAX_NAME)
    _optional_text(officer, "officer", MAX_NAME)
    if action != "dispatch" and (department is not None or officer is not None):
        raise CaseError(
            "department" if department else "officer", "only a dispatch names one", "dispatch_only"
        )


def allowed_moves(cur: psycopg.Cursor[Any], status: str) -> list[str]:
    """The statuses the lifecycle lets a case move to from this one."""
    rows = cur.execute(
        "SELECT to_status FROM incident_transition WHERE from_status = %s ORDER BY to_status",
        [status],
    ).fetchall()
    return [r["to_status"] for r in rows]


def act(
    conn: psycopg.Connection,
    code: str,
    action: str,
    *,
    actor: str,
    note: str | None = None,
    department: str | None = None,
    officer: str | None = None,
    clock: Clock,
) -> dict[str, Any]:
    """Move a case along the lifecycle and put it on its timeline; the case after.

    A dispatch of a case already dispatched re-dispatches it (the duty officer overriding
    the rule): its department and officer change, its status stays."""
    check_action(action, actor, note, department, officer)
    target = TARGET[action]
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        case = cur.execute(query("case_lock"), {"code": code}).fetchone()
        if case is None:
            raise missing(cur, code)
        status = case["status"]
        redispatch = action == "dispatch" and status == "dispatched"
        moves = allowed_moves(cur, status)
        if not redispatch and target not in moves:
            raise CaseError(
                "action",
                f"case {code} is {status}: it cannot {action} (from {status} it may move to "
                f"{', '.join(moves) or 'nothing'})",
                "cannot",
                {"code": code, "status": status, "action": action, "moves": moves},
            )
        if action == "dispatch" and not (
            department or officer or case["department"] or case["officer"]
        ):
            raise CaseError(
                "department", "a dispatch needs a department or an officer", "needs_department"
            )
        _move(cur, case["id"], target, clock, department, officer)
        data: dict[str, Any] = {"from": status, "to": target}
        if action == "dispatch":
            data |= {
                "department": department or case["department"],
                "officer": officer or case["officer"],
            }
            if redispatch:
                data["previous"] = {"department": case["department"], "officer": case["officer"]}
        add_event(cur, case["id"], clock.now, actor, action, note, data)
    return get_case(conn, code)


def _move(
    cur: psycopg.Cursor[Any],
    case_id: int,
    target: str,
    clock: Clock,
    department: str | None,
    officer: str | None,
) -> None:
    """One UPDATE: the status, its stage time, and a dispatch's department and officer."""
    column, keep_first = STAMP[target]
    stamp = (sql.SQL("coalesce({c}, %(now)s)") if keep_first else sql.SQL("%(now)s")).format(
        c=sql.Identifier(column)
    )
    statement = sql.SQL(
        "UPDATE incident SET status = %(target)s, {c} = {stamp},"
        " department = coalesce(%(department)s, department),"
        " officer = coalesce(%(officer)s, officer)"
        " WHERE id = %(id)s"
    ).format(c=sql.Identifier(column), stamp=stamp)
    params = {
        "target": target,
        "now": clock.now,
        "department": department,
        "officer": officer,
        "id": case_id,
    }
    cur.execute(statement, params)
