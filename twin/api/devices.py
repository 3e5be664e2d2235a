"""POST /api/sensors/readings and /api/cameras/heartbeats: batches from the devices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response

from twin.activity import Clock
from twin.api.answer import answer
from twin.api.payload import bad, choice, json_object, no_other_fields, number, required_text
from twin.api.payload import timestamp as read_time
from twin.api.registry import Resource
from twin.api.schema import enum_values, errors, json_body, ok
from twin.ops.cases import FUTURE_SLACK
from twin.ops.devices import DeviceError, Heartbeat, Reading, apply_heartbeats, apply_readings

if TYPE_CHECKING:
    from twin.app.context import AppContext

MAX_BATCH = 5000  # items of one batch
READING_FIELDS = ("code", "value", "status", "at")
BEAT_FIELDS = ("code", "status", "at")


def blueprint(ctx: AppContext) -> Blueprint:
    """The device routes over the app's pool."""
    bp = Blueprint("api_devices", __name__)
    sensor_statuses = ctx.layers["sensor"].field("status").allowed
    camera_statuses = ctx.layers["camera"].field("status").allowed

    @bp.post("/api/sensors/readings")
    def readings() -> Response:
        now = Clock.current(ctx.settings.timezone).now
        items = _batch(json_object(), "readings")
        batch = [_reading(item, f"readings[{i}].", sensor_statuses, now) for i, item in items]
        with ctx.pool.connection() as conn:
            return _applied(lambda: apply_readings(conn, batch))

    @bp.post("/api/cameras/heartbeats")
    def heartbeats() -> Response:
        now = Clock.current(ctx.settings.timezone).now
        items = _batch(json_object(), "heartbeats")
        batch = [_beat(item, f"heartbeats[{i}].", camera_statuses, now) for i, item in items]
        with ctx.pool.connection() as conn:
            return _applied(lambda: apply_heartbeats(conn, batch))

    return bp


def _applied(write: Callable[[], dict[str, int]]) -> Response:
    try:
        return answer(write())
    except DeviceError as exc:
        raise bad(exc.field, exc.message) from None


def _batch(body: dict[str, Any], name: str) -> list[tuple[int, dict[str, Any]]]:
    """The batch's items, each an object."""
    no_other_fields(body, (name,))
    items = body.get(name)
    if not isinstance(items, list) or not items:
        raise bad(name, "must be a non-empty list")
    if len(items) > MAX_BATCH:
        raise bad(name, f"at most {MAX_BATCH} items in one batch", 413)
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise bad(f"{name}[{i}]", "must be an object")
    return list(enumerate(items))


def _time(item: dict[str, Any], where: str, now: datetime) -> datetime:
    """The item's time (now when it has none); a time ahead of the clock is refused: a
    device dated 8999 would make every later, real report look stale."""
    if item.get("at") is None:
        return now
    at = read_time(item["at"], f"{where}at")
    if at > now + FUTURE_SLACK:
        raise bad(f"{where}at", f"{at.isoformat()} is in the future")
    return at


def _reading(item: dict[str, Any], where: str, statuses: tuple[str, ...], now: datetime) -> Reading:
    no_other_fields(item, READING_FIELDS, where)
    value = item.get("value")
    status = choice(item.get("status"), f"{where}status", statuses, required=False)
    if value is None and status is None:
        raise bad(f"{where}value", "a reading needs a value, a status or both")
    return Reading(
        code=required_text(item.get("code"), f"{where}code"),
        at=_time(item, where, now),
        value=None if value is None else number(value, f"{where}value", -1e12, 1e12),
        status=status,
    )


def _beat(item: dict[str, Any], where: str, statuses: tuple[str, ...], now: datetime) -> Heartbeat:
    no_other_fields(item, BEAT_FIELDS, where)
    status = choice(item.get("status", "online"), f"{where}status", statuses)
    assert status is not None  # required
    return Heartbeat(
        code=required_text(item.get("code"), f"{where}code"),
        at=_time(item, where, now),
        status=status,
    )


def _paths() -> dict[str, Any]:
    applied = {
        "type": "object",
        "required": ["received", "applied"],
        "properties": {
            "received": {"type": "integer", "description": "items in the batch"},
            "applied": {
                "type": "integer",
                "description": "devices changed (an item older than the device's last is not)",
            },
        },
    }
    at = {"type": "string", "format": "date-time", "description": "when (default: now)"}
    code = {"type": "string", "minLength": 1, "maxLength": 200}

    def batch(name: str, item: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": [name],
            "additionalProperties": False,
            "properties": {
                name: {"type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": item}
            },
        }

    reading = {
        "type": "object",
        "required": ["code"],
        "additionalProperties": False,
        "properties": {
            "code": code,
            "value": {"type": "number", "minimum": -1e12, "maximum": 1e12},
            "status": {"type": "string", "enum": enum_values("sensor", "status")},
            "at": at,
        },
    }
    beat = {
        "type": "object",
        "required": ["code"],
        "additionalProperties": False,
        "properties": {
            "code": code,
            "status": {
                "type": "string",
                "enum": enum_values("camera", "status"),
                "default": "online",
            },
            "at": at,
        },
    }
    return {
        "/api/sensors/readings": {
            "post": {
                "summary": "Record a batch of sensor readings",
                "description": "Each reading sets the sensor's last value and time, and its "
                "status when given (an offline sensor that reads becomes normal). All or none: "
                "an unknown code refuses the whole batch. A reading older than the sensor's "
                "last changes nothing.",
                "tags": ["devices"],
                "requestBody": json_body(batch("readings", reading)),
                "responses": ok("the batch was applied", applied) | errors(400, 413, 415, 422),
            }
        },
        "/api/cameras/heartbeats": {
            "post": {
                "summary": "Record a batch of camera heartbeats",
                "description": "Each heartbeat sets the camera's last-seen time and status "
                "(online unless told). All or none, as for readings.",
                "tags": ["devices"],
                "requestBody": json_body(batch("heartbeats", beat)),
                "responses": ok("the batch was applied", applied) | errors(400, 413, 415, 422),
            }
        },
    }


RESOURCE = Resource(blueprint=blueprint, paths=_paths())
