"""/api/versions, /api/units/<code>/history and publishing: the grid map's versions over HTTP."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import shapely
from flask import Blueprint, Response, jsonify, request

from twin.activity import Clock
from twin.api.errors import ApiError, request_json
from twin.api.registry import Resource
from twin.plans.apply import ChangeError
from twin.plans.publish import activate, publish, rollback
from twin.plans.store import PlanError, get_plan
from twin.plans.versions import VersionError, list_versions, unit_history, units_of_version
from twin.spatial.index_ready import ready_in_background

if TYPE_CHECKING:
    from twin.app.context import AppContext


def _json(value: Any) -> Any:
    """Dates and times as ISO text, everything else as it is."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def _body() -> dict[str, Any]:
    body = request_json()
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ApiError(400, None, "the body must be a JSON object")
    return body


def _text(body: dict[str, Any], field: str, default: str = "") -> str:
    value = body.get(field, default)
    if not isinstance(value, str):
        raise ApiError(400, field, f"{field} must be text")
    return value


def _effective(body: dict[str, Any], clock: Clock) -> date:
    text = _text(body, "effective").strip()
    if not text:
        raise ApiError(400, "effective", "give the date the plan takes effect: YYYY-MM-DD or today")
    if text.lower() == "today":
        return clock.local.date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "effective", f"{text!r} is not a date (YYYY-MM-DD) or today") from None


def build_blueprint(ctx: AppContext) -> Blueprint:
    """The routes, over the app's pool."""
    bp = Blueprint("plan_versions", __name__)

    def clock() -> Clock:
        return Clock.current(ctx.settings.timezone)

    @bp.get("/api/versions")
    def versions() -> Response:
        with ctx.pool.connection() as conn:
            return jsonify({"versions": _json(list_versions(conn))})

    @bp.get("/api/versions/<int:version>/units")
    def version_units(version: int) -> Response:
        level = request.args.get("level") or None
        if level is not None and level not in ctx.terms.levels:
            raise ApiError(400, "level", f"{level!r} is not a level: {', '.join(ctx.terms.levels)}")
        with ctx.pool.connection() as conn:
            try:
                units = units_of_version(conn, version, level)
            except VersionError as exc:
                raise ApiError(404, "version", str(exc)) from None
        features = [
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(u.geom),
                "properties": {
                    "code": u.code,
                    "name": u.name,
                    "level": u.level,
                    "parent_code": u.parent,
                    "officer": u.officer,
                    "population": u.population,
                    "households": u.households,
                },
            }
            for u in units
        ]
        return jsonify({"type": "FeatureCollection", "version": version, "features": features})

    @bp.get("/api/units/<path:code>/history")
    def history(code: str) -> Response:
        with ctx.pool.connection() as conn:
            rows = unit_history(conn, code)
        if not rows:
            raise ApiError(404, "code", f"no unit with the code {code!r} was ever recorded")
        return jsonify({"code": code, "states": _json(rows)})

    @bp.post("/api/plans/<path:name>/publish")
    def publish_plan(name: str) -> Response:
        body, now = _body(), clock()
        day = _effective(body, now)
        actor = _text(body, "actor") or "api"
        with ctx.pool.connection() as conn:
            _known(conn, name)
            try:
                done = publish(conn, name, day, actor, now, _text(body, "comment"))
            except (PlanError, ChangeError) as exc:
                raise ApiError(409, "name", str(exc)) from None
        if done["version"] is not None:
            ready_in_background(ctx.pool)
        return jsonify(_json(done))

    @bp.post("/api/versions/<int:version>/restore")
    def restore(version: int) -> Response:
        body = _body()
        actor = _text(body, "actor") or "api"
        name = _text(body, "name") or None
        with ctx.pool.connection() as conn:
            try:
                done = rollback(conn, version, actor, clock(), name, _text(body, "comment"))
            except VersionError as exc:
                raise ApiError(404, "version", str(exc)) from None
            except (PlanError, ChangeError) as exc:
                raise ApiError(409, "version", str(exc)) from None
        ready_in_background(ctx.pool)
        return jsonify(_json(done))

    @bp.post("/api/plans/activate")
    def activate_due() -> Response:
        with ctx.pool.connection() as conn:
            return jsonify({"published": activate(conn, clock())})

    return bp


def _known(conn: Any, name: str) -> None:
    try:
        get_plan(conn, name)
    except PlanError as exc:
        raise ApiError(404, "name", str(exc)) from None


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {}}}


PATHS: dict[str, Any] = {
    "/api/versions": {
        "get": {
            "summary": "The versions of the grid map, newest first",
            "responses": {"200": {"description": "version, effective_at, kind, plan_name, counts"}},
        }
    },
    "/api/versions/{version}/units": {
        "get": {
            "summary": "Every unit of one version (GeoJSON), optionally of one level",
            "parameters": [
                {"name": "version", "in": "path", "required": True, "schema": {"type": "integer"}},
                {"name": "level", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {"description": "a FeatureCollection"},
                "400": _error("not a level of the catalog"),
                "404": _error("no such version"),
            },
        }
    },
    "/api/units/{code}/history": {
        "get": {
            "summary": "One unit's states, oldest first: created, reshaped, merged into what",
            "parameters": [
                {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": {"description": "the states"}, "404": _error("never recorded")},
        }
    },
    "/api/plans/{name}/publish": {
        "post": {
            "summary": "Publish an approved plan from a date (today or past: at once)",
            "parameters": [
                {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "effective": {"type": "string"},
                                "actor": {"type": "string"},
                                "comment": {"type": "string"},
                            },
                            "required": ["effective"],
                        }
                    }
                }
            },
            "responses": {
                "200": {"description": "published or scheduled"},
                "400": _error("a bad date"),
                "404": _error("no such plan"),
                "409": _error("the plan cannot be published (state, date, clashing units)"),
            },
        }
    },
    "/api/versions/{version}/restore": {
        "post": {
            "summary": "Roll back: a plan restoring that version, published now",
            "parameters": [
                {"name": "version", "in": "path", "required": True, "schema": {"type": "integer"}}
            ],
            "responses": {
                "200": {"description": "the rollback's version"},
                "404": _error("no such version"),
                "409": _error("nothing to roll back"),
            },
        }
    },
    "/api/plans/activate": {
        "post": {
            "summary": "Publish the scheduled plans whose date has come (idempotent)",
            "responses": {"200": {"description": "the plans published"}},
        }
    },
}

RESOURCE = Resource(blueprint=build_blueprint, paths=PATHS)
