"""/api/plans/<name>/import and /export: a plan from and to GeoJSON (one level's units)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, jsonify, request

from twin.activity import Clock
from twin.api.errors import ApiError, request_json
from twin.api.registry import Resource
from twin.plans import store
from twin.plans.transfer import finest_loaded, import_rows
from twin.plans.transfer_json import rows_from_geojson, units_to_geojson

if TYPE_CHECKING:
    from twin.app.context import AppContext


def build_blueprint(ctx: AppContext) -> Blueprint:
    """The routes, over the app's pool."""
    bp = Blueprint("plan_transfer", __name__)

    def level_arg() -> str | None:
        level = request.args.get("level") or None
        if level is not None and level not in ctx.terms.levels:
            raise ApiError(400, "level", f"{level!r} is not a level: {', '.join(ctx.terms.levels)}")
        return level

    @bp.post("/api/plans/<path:name>/import")
    def import_(name: str) -> Response:
        level, actor = level_arg(), request.args.get("actor") or "api"
        rows, problems = rows_from_geojson(request_json())
        if problems:
            return _refused(400, problems[0].field, f"{len(problems)} problem(s)", problems)
        clock = Clock.current(ctx.settings.timezone)
        try:
            with ctx.pool.connection() as conn:
                conn.autocommit = True
                done = import_rows(conn, name, rows, level or finest_loaded(conn), actor, clock)
        except store.PlanConflict as exc:
            return _refused(409, None, str(exc), [])
        except store.PlanError as exc:
            return _refused(422, None, str(exc), [])
        return jsonify(
            {
                "plan": name,
                "level": done.level,
                "added": list(done.added),
                "changed": list(done.changed),
                "removed": list(done.removed),
                "revision": done.revision,
            }
        )

    @bp.get("/api/plans/<path:name>/export")
    def export(name: str) -> Response:
        level = level_arg()
        with ctx.pool.connection() as conn:
            try:
                plan = store.get_plan(conn, name)
            except store.PlanError as exc:
                raise ApiError(404, "name", str(exc)) from None
            units = store.proposed_units(conn, plan, level)
        return jsonify(units_to_geojson(units) | {"plan": name})

    return bp


def _refused(status: int, field: str | None, message: str, problems: list[Any]) -> Response:
    """The API's error shape, with every problem of the collection."""
    body = {
        "error": {"field": field, "message": message},
        "problems": [p.to_json() for p in problems],
    }
    response = jsonify(body)
    response.status_code = status
    return response


def _json(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {}}}


PARAMS = [
    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "level", "in": "query", "required": False, "schema": {"type": "string"}},
]

PATHS: dict[str, Any] = {
    "/api/plans/{name}/import": {
        "post": {
            "summary": "Make a plan's units of a level those of a GeoJSON FeatureCollection",
            "description": "lon/lat; properties code (required), name, parent_code, officer, "
            "population, households; a code of the level missing from the body is removed; "
            "all or nothing; the plan is created when new",
            "parameters": [
                *PARAMS,
                {"name": "actor", "in": "query", "required": False, "schema": {"type": "string"}},
            ],
            "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
            "responses": {
                "200": _json("what the import added, changed and removed; the new revision"),
                "400": _json("the body's problems, each by feature number and field"),
                "409": _json("the plan is not a draft, or its rebase is refused"),
                "422": _json("the change cannot be made (e.g. no units loaded)"),
            },
        }
    },
    "/api/plans/{name}/export": {
        "get": {
            "summary": "A plan's map as GeoJSON, properties as the import reads them",
            "parameters": PARAMS,
            "responses": {
                "200": _json("a FeatureCollection"),
                "400": _json("not a level"),
                "404": _json("no plan"),
            },
        }
    },
}

RESOURCE = Resource(blueprint=build_blueprint, paths=PATHS)
