"""What the plan editor asks of the engine: one request in, one answer out (JSON for the page).

Every edit goes through the plan's edit functions (twin.plans.edits, .boundary, .checks), the
same the /api/plans endpoints call; the answer carries the plan's map of the area shown, its
problems, its impact and what the edit said.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from twin.activity import Clock
from twin.api.plan_checks import problem_json, repair_json
from twin.app.planner.editor_cache import view_of
from twin.plans import boundary, edits, store
from twin.plans.assess import assess, plan_rules
from twin.plans.checks import fix_plan, levels_of
from twin.plans.model import EditResult
from twin.plans.store import PlanConflict, PlanError

OPS = ("add", "split", "reshape", "boundary", "merge", "delete", "set", "undo", "redo", "fix")


@dataclass(frozen=True)
class EditRequest:
    """One edit as the page asks it: the op, the revision the page holds, what was drawn."""

    op: str
    plan: str
    revision: int
    actor: str
    codes: tuple[str, ...] = ()  # the units it is about (merge: all; others: the first)
    geom: dict[str, Any] | None = None  # the drawn GeoJSON geometry, lon/lat
    fields: dict[str, Any] = field(default_factory=dict)  # code, name, officer, parent


class RequestError(ValueError):
    """A request the page cannot send to the engine; the message is a catalog key."""


def _shape(req: EditRequest) -> BaseGeometry:
    """The drawn geometry; RequestError when there is none to read."""
    try:
        return shapely.geometry.shape(req.geom or {})
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.ShapelyError):
        raise RequestError("ed_no_drawing") from None


def _one(req: EditRequest) -> str:
    if len(req.codes) != 1:
        raise RequestError("ed_pick_one")
    return req.codes[0]


def _text(req: EditRequest, name: str) -> str | None:
    value = req.fields.get(name)
    return value.strip() or None if isinstance(value, str) else None


def run_edit(conn: psycopg.Connection, req: EditRequest, clock: Clock) -> EditResult:
    """The engine's answer to one request (PlanError and RequestError propagate)."""
    a, rev, name = req.actor, req.revision, req.plan
    if req.op == "split":
        return edits.split(conn, name, _one(req), _shape(req), a, rev, clock)
    if req.op == "reshape":
        return edits.replace_geometry(conn, name, _one(req), _shape(req), a, rev, clock)
    if req.op == "boundary":
        return boundary.move_edge(conn, name, _one(req), _shape(req), a, rev, clock)
    if req.op == "merge":
        if len(req.codes) < 2:
            raise RequestError("ed_pick_two")
        return edits.merge(conn, name, list(req.codes), a, rev, clock)
    if req.op == "delete":
        return edits.delete_unit(conn, name, _one(req), a, rev, clock)
    if req.op in ("undo", "redo"):
        return (edits.undo if req.op == "undo" else edits.redo)(conn, name, a, rev, clock)
    if req.op == "add":
        code, title = _text(req, "code"), _text(req, "name")
        if not code or not title:
            raise RequestError("ed_need_code_name")
        level, parent = req.fields.get("level"), _text(req, "parent")
        return edits.add_unit(
            conn,
            name,
            code,
            title,
            str(level),
            parent,
            _shape(req),
            a,
            rev,
            clock,
            officer=_text(req, "officer"),
        )
    if req.op == "set":
        changes: dict[str, Any] = {
            k: _text(req, k) for k in ("name", "officer", "parent") if k in req.fields
        }
        return edits.set_attributes(conn, name, _one(req), changes, a, rev, clock)
    raise RequestError("ed_unknown_op")


def answer(
    conn: psycopg.Connection,
    plan_name: str,
    area: str | None,
    clock: Clock,
    result: EditResult | None = None,
) -> dict[str, Any]:
    """The page's state after an edit (or on load: result None, assessed afresh). The units
    go neither with their outlines nor as a list: the layers take those from the kept view
    (editor_cache), and every callback after an edit sends the answer back, so it carries only
    the finest level shown and the officers of the units the impact names (the chart's)."""
    plan = store.get_plan(conn, plan_name)
    if result is None:
        result = assess(conn, plan, plan.revision, (), clock)
    view = view_of(conn, plan, area)
    return {
        "plan": plan.name,
        "area": area or plan.scope,
        "state": plan.state,
        "revision": result.revision,
        "view": view.key,
        "changed": list(result.changed),
        "level": view.finest(levels_of(conn)),
        "officers": view.officers(r["code"] for r in result.impact.get("rows", [])),
        "problems": [problem_json(p) for p in result.problems],
        "impact": result.impact,
        "repairs": [],
        "message": None,
    }


def perform(
    conn: psycopg.Connection, req: EditRequest, area: str | None, clock: Clock
) -> dict[str, Any]:
    """Run one request and answer the page: the new state, or the state with the refusal
    (a conflict names who changed which units since the page's revision)."""
    started = time.perf_counter()
    try:
        if req.op == "fix":
            done = fix_plan(conn, store.get_plan(conn, req.plan), plan_rules(), req.actor, clock)
            out = answer(conn, req.plan, area, clock)
            out["repairs"] = [repair_json(r) for r in done.repairs]
            out["message"] = {"kind": "fixed", "n": len(done.repairs)}
        else:
            out = answer(conn, req.plan, area, clock, run_edit(conn, req, clock))
            out["message"] = {"kind": "done", "op": req.op, "codes": out["changed"]}
    except PlanConflict as exc:
        out = {"message": conflict(conn, req, str(exc))}
    except RequestError as exc:
        out = {"message": {"kind": "refused", "key": str(exc)}}
    except PlanError as exc:
        out = {"message": {"kind": "refused", "text": str(exc)}}
    out["server_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return out


def conflict(conn: psycopg.Connection, req: EditRequest, text: str) -> dict[str, Any]:
    """A refusal because the plan changed since the page's revision: by whom, which units."""
    plan = store.get_plan(conn, req.plan)
    since = store.changed_since(conn, plan, req.revision, _all_codes(conn, plan))
    changes = [
        {"codes": list(c["codes"]), "actor": c["actor"], "action": c["action"]} for c in since
    ]
    codes = sorted({code for c in changes for code in c["codes"]})
    return {"kind": "conflict", "codes": codes, "changes": changes, "text": text}


def _all_codes(conn: psycopg.Connection, plan: store.Plan) -> list[str]:
    """Every code the plan's steps may have written (the map in force and the plan's rows)."""
    return [u.code for u in store.base_units(conn, plan)] + list(store.plan_rows(conn, plan))
