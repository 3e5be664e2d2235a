"""/api/plans/<name>/problems, /impact, /fix and /api/diff: a plan's checks over HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import shapely
from flask import Blueprint, Response, jsonify, request

from twin.activity import Clock
from twin.api.errors import ApiError, request_json
from twin.api.registry import Resource
from twin.plans import store
from twin.plans.checks import diff_of, fix_plan, impact_of, validate_plan
from twin.plans.model import Problem, Repair
from twin.plans.rules import rules_for
from twin.plans.versions import VersionError

if TYPE_CHECKING:
    from twin.app.context import AppContext


def problem_json(p: Problem) -> dict[str, Any]:
    """A problem as a GeoJSON feature (its own shape, or its location)."""
    geom = p.geom if p.geom is not None and not p.geom.is_empty else shapely.Point(p.lon, p.lat)
    return {
        "type": "Feature",
        "geometry": shapely.geometry.mapping(geom),
        "properties": {
            "kind": p.kind,
            "codes": list(p.codes),
            "area_m2": p.area_m2,
            "lon": p.lon,
            "lat": p.lat,
            "detail": p.detail,
        },
    }


def repair_json(r: Repair) -> dict[str, Any]:
    """A repair as JSON."""
    return {
        "kind": r.kind,
        "to_code": r.to_code,
        "from_codes": list(r.from_codes),
        "area_m2": r.area_m2,
        "detail": r.detail,
    }


def build_blueprint(ctx: AppContext) -> Blueprint:
    """The routes, over the app's pool."""
    bp = Blueprint("plan_checks", __name__)
    rules = rules_for(ctx.settings.layers_dir)

    def clock() -> Clock:
        return Clock.current(ctx.settings.timezone)

    def plan_of(conn: Any, name: str) -> store.Plan:
        try:
            return store.get_plan(conn, name)
        except store.PlanError as exc:
            raise ApiError(404, "name", str(exc)) from None

    @bp.get("/api/plans/<path:name>/problems")
    def problems(name: str) -> Response:
        with ctx.pool.connection() as conn:
            found = validate_plan(conn, plan_of(conn, name), rules)
        features = [problem_json(p) for p in found]
        return jsonify({"type": "FeatureCollection", "plan": name, "features": features})

    @bp.get("/api/plans/<path:name>/impact")
    def impact(name: str) -> Response:
        with ctx.pool.connection() as conn:
            result = impact_of(conn, plan_of(conn, name), clock(), rules)
        return jsonify({"plan": name} | result.to_json())

    @bp.post("/api/plans/<path:name>/fix")
    def fix(name: str) -> Response:
        body = request_json() or {}
        if not isinstance(body, dict) or not isinstance(body.get("actor", ""), str):
            raise ApiError(400, "actor", "the body must be a JSON object; actor must be text")
        actor = body.get("actor") or "api"
        with ctx.pool.connection() as conn:
            plan = plan_of(conn, name)
            try:
                done = fix_plan(conn, plan, rules, actor, clock())
            except store.PlanError as exc:
                raise ApiError(409, "name", str(exc)) from None
        return jsonify(
            {
                "plan": name,
                "revision": done.revision,
                "repairs": [repair_json(r) for r in done.repairs],
                "problems": [problem_json(p) for p in done.problems],
            }
        )

    @bp.get("/api/diff")
    def diff() -> Response:
        a, b = request.args.get("a", "").strip(), request.args.get("b", "").strip()
        for field, value in (("a", a), ("b", b)):
            if not value:
                raise ApiError(400, field, f"give {field}: a plan name or a version number")
        with ctx.pool.connection() as conn:
            try:
                result = diff_of(conn, a, b)
            except (store.PlanError, VersionError) as exc:
                raise ApiError(404, "a", str(exc)) from None
        return jsonify({"a": a, "b": b} | result.to_json())

    return bp


def _name_param() -> dict[str, Any]:
    return {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {}}}


PATHS: dict[str, Any] = {
    "/api/plans/{name}/problems": {
        "get": {
            "summary": "Every validation problem of a plan's map (GeoJSON)",
            "parameters": [_name_param()],
            "responses": {"200": {"description": "a FeatureCollection"}, "404": _error("no plan")},
        }
    },
    "/api/plans/{name}/impact": {
        "get": {
            "summary": "Counts per touched unit before/after, moved points, workload balance",
            "parameters": [_name_param()],
            "responses": {"200": {"description": "the impact"}, "404": _error("no plan")},
        }
    },
    "/api/plans/{name}/fix": {
        "post": {
            "summary": "Give slivers and small gaps to the neighbour with the longest edge",
            "parameters": [_name_param()],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {"type": "object", "properties": {"actor": {"type": "string"}}}
                    }
                }
            },
            "responses": {
                "200": {"description": "repairs, new revision, problems left"},
                "400": _error("the body is not a JSON object, or actor is not text"),
                "404": _error("no plan"),
                "409": _error("the plan is not a draft"),
            },
        }
    },
    "/api/diff": {
        "get": {
            "summary": "The diff of two plans or versions: rows and the areas that moved",
            "parameters": [
                {"name": "a", "in": "query", "required": True, "schema": {"type": "string"}},
                {"name": "b", "in": "query", "required": True, "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {"description": "rows and exchanges (GeoJSON)"},
                "400": _error("a or b missing"),
                "404": _error("no such plan or version"),
            },
        }
    },
}

RESOURCE = Resource(blueprint=build_blueprint, paths=PATHS)
