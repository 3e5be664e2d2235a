"""/api/plans: drafts, their review, and the edit operations the editor calls (JSON, GeoJSON)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import psycopg
import shapely
import shapely.geometry
from flask import Blueprint, Response, jsonify
from shapely.geometry.base import BaseGeometry

from twin.activity import Clock
from twin.api.errors import ApiError, request_json
from twin.api.registry import Resource
from twin.plans import edits, store
from twin.plans.drop import drop_units
from twin.plans.model import EditResult
from twin.plans.store import PlanConflict, PlanError, PlanNotFound
from twin.plans.transfer_json import unit_feature

if TYPE_CHECKING:
    from twin.app.context import AppContext

REVIEW = {"submit": "submitted", "approve": "approved", "reject": "rejected"}
Body = dict[str, Any]
Op = Callable[[psycopg.Connection, str, Body, str, int, Clock], EditResult]


def _field(body: Body, name: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
    """A field of the JSON body, of the given type; ApiError 400 naming it otherwise."""
    if name not in body or body[name] is None:
        if default is ...:
            raise ApiError(400, name, f"{name} is required")
        return default
    value = body[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ApiError(400, name, f"{name} has the wrong type ({type(value).__name__})")
    return value


def _shape(body: Body, name: str) -> BaseGeometry:
    """A GeoJSON geometry field in lon/lat."""
    value = _field(body, name, dict)
    try:
        return shapely.geometry.shape(value)
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.ShapelyError):
        raise ApiError(400, name, f"{name} is not a GeoJSON geometry") from None


def _codes(body: Body, name: str, required: bool = True) -> list[str] | None:
    """A list of unit codes."""
    value = _field(body, name, list, ... if required else None)
    if value is not None and not all(isinstance(c, str) for c in value):
        raise ApiError(400, name, f"{name} must be a list of codes")
    return value


def _drop_codes(body: Body) -> list[str]:
    """The units to drop: `code`, or a list `codes`."""
    if "codes" not in body:
        return [_field(body, "code", str)]
    codes = _codes(body, "codes") or []
    if not codes:
        raise ApiError(400, "codes", "codes must name at least one unit")
    return codes


def _snap(body: Body) -> float | None:
    """The snap tolerance in metres (None: the rules' snap_m)."""
    value = _field(body, "snap_m", (int, float), None)
    if value is None:
        return None
    if not 0 <= value <= 100:
        raise ApiError(400, "snap_m", "snap_m must be between 0 and 100 metres")
    return float(value)


def _reshape(
    conn: psycopg.Connection, name: str, b: Body, who: str, rev: int, c: Clock
) -> EditResult:
    return edits.replace_geometry(
        conn, name, _field(b, "code", str), _shape(b, "geom"), who, rev, c, _snap(b)
    )


def _split(
    conn: psycopg.Connection, name: str, b: Body, who: str, rev: int, c: Clock
) -> EditResult:
    return edits.split(
        conn,
        name,
        _field(b, "code", str),
        _shape(b, "line"),
        who,
        rev,
        c,
        _codes(b, "codes", required=False),
        _snap(b),
    )


def _merge(
    conn: psycopg.Connection, name: str, b: Body, who: str, rev: int, c: Clock
) -> EditResult:
    codes = _codes(b, "codes") or []
    return edits.merge(conn, name, codes, who, rev, c, _field(b, "into", str, None), _snap(b))


def _move(conn: psycopg.Connection, name: str, b: Body, who: str, rev: int, c: Clock) -> EditResult:
    return edits.move_boundary(
        conn,
        name,
        _field(b, "from", str),
        _field(b, "to", str),
        _shape(b, "area"),
        who,
        rev,
        c,
        _snap(b),
    )


def _add(conn: psycopg.Connection, name: str, b: Body, who: str, rev: int, c: Clock) -> EditResult:
    return edits.add_unit(
        conn,
        name,
        _field(b, "code", str),
        _field(b, "name", str),
        _field(b, "level", str),
        _field(b, "parent", str, None),
        _shape(b, "geom"),
        who,
        rev,
        c,
        _field(b, "officer", str, None),
        _field(b, "population", int, None),
        _field(b, "households", int, None),
        _snap(b),
    )


def _delete(
    conn: psycopg.Connection, name: str, b: Body, who: str, rev: int, c: Clock
) -> EditResult:
    return edits.delete_unit(conn, name, _field(b, "code", str), who, rev, c)


def _set(conn: psycopg.Connection, name: str, b: Body, who: str, rev: int, c: Clock) -> EditResult:
    return edits.set_attributes(
        conn, name, _field(b, "code", str), _field(b, "changes", dict), who, rev, c
    )


OPS: dict[str, Op] = {
    "reshape": _reshape,
    "split": _split,
    "merge": _merge,
    "move": _move,
    "add": _add,
    "delete": _delete,
    "set": _set,
}


def result_json(result: EditResult) -> dict[str, Any]:
    """An EditResult as JSON: revision, changed codes, problems (with GeoJSON), impact."""
    return {
        "revision": result.revision,
        "changed": list(result.changed),
        "problems": [
            {
                "kind": p.kind,
                "codes": list(p.codes),
                "area_m2": p.area_m2,
                "lon": p.lon,
                "lat": p.lat,
                "detail": p.detail,
                "geometry": shapely.geometry.mapping(p.geom) if p.geom is not None else None,
            }
            for p in result.problems
        ],
        "impact": result.impact,
    }


def plan_json(conn: psycopg.Connection, plan: store.Plan, with_changes: bool) -> dict[str, Any]:
    """A plan as JSON; with its changed units as GeoJSON features and its removed codes."""
    out: dict[str, Any] = {
        "name": plan.name,
        "scope": plan.scope,
        "state": plan.state,
        "base_version": plan.base_version,
        "revision": plan.revision,
        "author": plan.author,
        "effective_date": plan.effective_date.isoformat() if plan.effective_date else None,
    }
    if with_changes:
        upserts, removals = store.plan_changes(conn, plan)
        out["changes"] = {
            "type": "FeatureCollection",
            "features": [unit_feature(u, "parent") for u in upserts],
        }
        out["removed"] = removals
        out["events"] = [{**e, "at": e["at"].isoformat()} for e in store.plan_events(conn, plan)]
    return out


def _body() -> Body:
    """The request's JSON object (400 otherwise)."""
    body = request_json()
    if not isinstance(body, dict):
        raise ApiError(400, None, "the request body must be a JSON object")
    return body


def _refused(exc: PlanError) -> ApiError:
    """A plan's refusal as its 4xx: 404 no such plan, 409 a conflict, 422 otherwise."""
    status = 404 if isinstance(exc, PlanNotFound) else 409 if isinstance(exc, PlanConflict) else 422
    return ApiError(status, None, str(exc))


def blueprint(ctx: AppContext) -> Blueprint:
    """The routes of /api/plans."""
    bp = Blueprint("plan_edits", __name__)

    def clock() -> Clock:
        return Clock.current(ctx.settings.timezone)

    def run(work: Callable[[psycopg.Connection], Any], status: int = 200) -> Response:
        try:
            with ctx.pool.connection() as conn:
                conn.autocommit = True
                response = jsonify(work(conn))
        except PlanError as exc:
            raise _refused(exc) from None
        response.status_code = status
        return response

    @bp.get("/api/plans")
    def plans() -> Response:
        return run(lambda conn: {"plans": [_listed(p) for p in store.list_plans(conn)]})

    @bp.post("/api/plans")
    def new() -> Response:
        body = _body()
        name, scope = _field(body, "name", str), _field(body, "scope", str, None)
        actor = _field(body, "actor", str, "api")
        return run(
            lambda conn: plan_json(conn, store.new_plan(conn, name, scope, actor, clock()), False),
            201,
        )

    @bp.get("/api/plans/<name>")
    def one(name: str) -> Response:
        return run(lambda conn: plan_json(conn, store.get_plan(conn, name), True))

    @bp.post("/api/plans/<name>/edits/<op>")
    def edit(name: str, op: str) -> Response:
        if op not in OPS:
            raise ApiError(404, "op", f"no edit {op!r}; one of {', '.join(OPS)}")
        body = _body()
        revision, actor = _field(body, "revision", int), _field(body, "actor", str, "api")
        return run(lambda conn: result_json(OPS[op](conn, name, body, actor, revision, clock())))

    @bp.post("/api/plans/<name>/<step>")
    def replay(name: str, step: str) -> Response:
        body = _body()
        actor = _field(body, "actor", str, "api")
        if step in ("undo", "redo"):
            revision = _field(body, "revision", int)
            act = edits.undo if step == "undo" else edits.redo
            return run(lambda conn: result_json(act(conn, name, actor, revision, clock())))
        if step == "drop":
            revision, codes = _field(body, "revision", int), _drop_codes(body)
            return run(
                lambda conn: result_json(drop_units(conn, name, codes, actor, revision, clock()))
            )
        if step not in REVIEW:
            raise ApiError(404, None, f"no action {step!r} on a plan")
        comment = _field(body, "comment", str, "")

        def review(conn: psycopg.Connection) -> Any:
            plan = store.set_state(
                conn, store.get_plan(conn, name), REVIEW[step], actor, comment, clock()
            )
            return plan_json(conn, plan, False)

        return run(review)

    return bp


def _listed(p: dict[str, Any]) -> dict[str, Any]:
    """A list_plans row as JSON."""
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in p.items()}


def _post(summary: str, fields: str) -> dict[str, Any]:
    """An OpenAPI POST item taking a JSON object."""
    return {
        "post": {
            "summary": summary,
            "description": fields,
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {
                "200": {"description": "done"},
                "400": {"description": "a field is missing or malformed"},
                "404": {"description": "no such plan"},
                "409": {"description": "stale revision, plan not a draft, or rebase refused"},
                "422": {"description": "the edit cannot be made (e.g. the line does not cross)"},
            },
        }
    }


PATHS: dict[str, Any] = {
    "/api/plans": {
        "get": {"summary": "every plan", "responses": {"200": {"description": "plans"}}},
        **_post("start a draft plan", "name, scope (a unit code; none: the city), actor"),
    },
    "/api/plans/{name}": {
        "get": {
            "summary": "a plan with its changed units (GeoJSON), removed codes and events",
            "responses": {"200": {"description": "the plan"}, "404": {"description": "none"}},
        }
    },
    "/api/plans/{name}/edits/{op}": _post(
        "edit the plan: op one of reshape, split, merge, move, add, delete, set",
        "revision (the plan revision edited), actor, snap_m, and per op: reshape code, geom; "
        "split code, line, codes; merge codes, into; move from, to, area; add code, name, "
        "level, parent, geom, officer, population, households; delete code; set code, changes",
    ),
    "/api/plans/{name}/drop": _post(
        "take units' changes out of a draft (each back to the map in force); undoable",
        "code (or codes, a list), revision, actor",
    ),
    "/api/plans/{name}/undo": _post("take back the latest edit", "revision, actor"),
    "/api/plans/{name}/redo": _post("make again the edit undone first", "revision, actor"),
    "/api/plans/{name}/submit": _post("submit the plan for review", "actor, comment"),
    "/api/plans/{name}/approve": _post("approve a submitted plan", "actor, comment"),
    "/api/plans/{name}/reject": _post("reject a submitted or approved plan", "actor, comment"),
}

RESOURCE = Resource(blueprint=blueprint, paths=PATHS)
