"""The OpenAPI path items of /api/cases (kept beside the routes' module, not inside it: the
document is long, the routes short)."""

from __future__ import annotations

from typing import Any

from twin.api.schema import (
    NULLABLE_TEXT,
    TIME,
    case_schema,
    enum_values,
    errors,
    json_body,
    ok,
)
from twin.catalog.terms import CASES
from twin.ops.lifecycle import ACTIONS
from twin.ops.listing import MAX_LIMIT
from twin.ops.photos import MAX_PHOTO_BYTES, TYPE_NAMES

CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
ACTION_TEXT = {
    "dispatch": "Send the case to a department and/or officer (again: the duty officer "
    "overrides the rule; the status stays dispatched).",
    "start": "Work on the case has begun (处置).",
    "escalate": "Escalate the case (督办).",
    "resolve": "The work is done (办结).",
    "close": "Close the resolved case (归档).",
    "reopen": "Rework: the resolution is rejected and the case is in progress again.",
}


def _list_param(name: str, values: list[str], meaning: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "description": f"{meaning}; several as a comma list ({', '.join(values)})",
        "schema": {"type": "string"},
    }


def _photo() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["id", "content_type", "size", "sha256", "actor", "added_at", "url"],
        "properties": {
            "id": {"type": "integer"},
            "content_type": {"type": "string", "enum": list(TYPE_NAMES)},
            "size": {"type": "integer"},
            "sha256": {"type": "string"},
            "actor": {"type": "string"},
            "note": NULLABLE_TEXT,
            "added_at": TIME,
            "url": {"type": "string"},
        },
    }


def case_paths() -> dict[str, Any]:
    """Every /api/cases path item."""
    case = case_schema()
    whole = case | {
        "properties": case["properties"]
        | {
            "timeline": {"type": "array", "items": {"type": "object"}},
            "duplicates": {"type": "array", "items": {"type": "object"}},
            "escalations": {"type": "array", "items": {"type": "object"}},
        }
    }
    created = {
        "type": "object",
        "required": ["case", "created"],
        "properties": {
            "case": whole,
            "created": {"type": "boolean", "description": "false: the same key replayed"},
            "rule": {"type": ["string", "null"], "description": "the dispatch rule that fired"},
            "duplicate_of": {"type": ["string", "null"], "description": "a likely duplicate"},
        },
    }
    new_case = {
        "type": "object",
        "required": ["category", "severity", "source", "lon", "lat"],
        "additionalProperties": False,
        "properties": {
            "category": {"type": "string", "enum": enum_values(CASES, "category")},
            "severity": {
                "type": "integer",
                "minimum": 1,
                "maximum": 4,
                "description": "1 = most serious",
            },
            "source": {"type": "string", "enum": enum_values(CASES, "source")},
            "lon": {"type": "number", "minimum": -180, "maximum": 180},
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "description": {"type": "string", "maxLength": 4000},
            "reported_at": TIME | {"description": "when it was seen (default: now)"},
            "code": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"},
            "actor": {"type": "string", "maxLength": 200, "description": "who reports"},
            "key": {"type": "string", "maxLength": 200, "description": "idempotency key"},
        },
    }
    paths: dict[str, Any] = {
        "/api/cases": {
            "post": {
                "summary": "Create a case",
                "description": "Files a report as a case: stage deadlines set, dispatched by "
                "the first matching rule, flagged when it likely repeats an open case. Send "
                "an Idempotency-Key header (or a key field): a retry with the same key and "
                "body answers the first case with 200 and writes nothing; the same key with "
                "another body is a 409.",
                "tags": ["cases"],
                "parameters": [
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "schema": {"type": "string", "maxLength": 200},
                    }
                ],
                "requestBody": json_body(new_case),
                "responses": ok("the case was created", created, 201)
                | ok("the same key was replayed: the first case", created)
                | errors(400, 409, 413, 415, 422),
            },
            "get": {
                "summary": "List cases",
                "description": "Newest report first. Pass `next` back as `cursor` for the next "
                "page; it is null on the last page.",
                "tags": ["cases"],
                "parameters": [
                    _list_param("status", enum_values(CASES, "status"), "status"),
                    _list_param("category", enum_values(CASES, "category"), "category"),
                    _list_param("severity", ["1", "2", "3", "4"], "severity"),
                    _list_param("source", enum_values(CASES, "source"), "source"),
                    {
                        "name": "unit",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "a unit's code: the cases in it and in every unit under it",
                    },
                    {
                        "name": "bbox",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "west,south,east,north in degrees (WGS 84)",
                    },
                    {
                        "name": "from",
                        "in": "query",
                        "schema": TIME,
                        "description": "reported at or after (ISO 8601 with an offset)",
                    },
                    {"name": "to", "in": "query", "schema": TIME, "description": "reported before"},
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_LIMIT,
                            "default": 100,
                        },
                    },
                ],
                "responses": ok(
                    "a page of cases",
                    {
                        "type": "object",
                        "required": ["cases", "next"],
                        "properties": {
                            "cases": {"type": "array", "items": case},
                            "next": {"type": ["string", "null"]},
                        },
                    },
                )
                | errors(400),
            },
        },
        "/api/cases/{code}": {
            "get": {
                "summary": "Read one case",
                "description": "With its timeline, escalated stages and linked reports.",
                "tags": ["cases"],
                "parameters": [CODE],
                "responses": ok("the case", whole) | errors(404, 409),
            }
        },
        "/api/cases/{code}/photos": {
            "post": {
                "summary": "Attach a photo",
                "description": f"The body is the image itself ({', '.join(TYPE_NAMES)}, at most "
                f"{MAX_PHOTO_BYTES} bytes), its type told by Content-Type and checked against "
                "its bytes. The same bytes again are the photo already there (200).",
                "tags": ["photos"],
                "parameters": [
                    CODE,
                    {
                        "name": "actor",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                    },
                    {"name": "note", "in": "query", "schema": {"type": "string"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        kind: {"schema": {"type": "string", "format": "binary"}}
                        for kind in TYPE_NAMES
                    },
                },
                "responses": ok("the photo was added", _photo(), 201)
                | ok("the same photo was there already", _photo())
                | errors(400, 404, 409, 413, 415, 422),
            },
            "get": {
                "summary": "List a case's photos",
                "tags": ["photos"],
                "parameters": [CODE],
                "responses": ok(
                    "the photos, oldest first",
                    {
                        "type": "object",
                        "required": ["photos"],
                        "properties": {"photos": {"type": "array", "items": _photo()}},
                    },
                )
                | errors(404, 409),
            },
        },
        "/api/cases/{code}/photos/{photo_id}": {
            "get": {
                "summary": "One photo's image",
                "tags": ["photos"],
                "parameters": [
                    CODE,
                    {
                        "name": "photo_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "the image",
                        "content": {
                            k: {"schema": {"type": "string", "format": "binary"}}
                            for k in TYPE_NAMES
                        },
                    },
                    "304": {"description": "not modified (If-None-Match)"},
                }
                | errors(404, 409),
            }
        },
    }
    action_body = {
        "type": "object",
        "required": ["actor"],
        "additionalProperties": False,
        "properties": {
            "actor": {"type": "string", "minLength": 1, "maxLength": 200},
            "note": {"type": "string", "maxLength": 2000},
            "department": {"type": "string", "maxLength": 200, "description": "dispatch only"},
            "officer": {"type": "string", "maxLength": 200, "description": "dispatch only"},
        },
    }
    paths["/api/cases/{code}/merge"] = {
        "post": {
            "summary": "Merge the case into another",
            "description": "The case joins the other as a linked report: counted once, as the "
            "surviving case; reversible by unmerge. Answers the surviving case.",
            "tags": ["lifecycle"],
            "parameters": [CODE],
            "requestBody": json_body(
                {
                    "type": "object",
                    "required": ["into", "actor"],
                    "additionalProperties": False,
                    "properties": {
                        "into": {"type": "string", "description": "the surviving case's code"},
                        "actor": {"type": "string", "minLength": 1, "maxLength": 200},
                    },
                }
            ),
            "responses": ok("the surviving case", whole) | errors(400, 404, 409, 413, 415, 422),
        }
    }
    paths["/api/cases/{code}/unmerge"] = {
        "post": {
            "summary": "Make a merged case its own case again",
            "tags": ["lifecycle"],
            "parameters": [CODE],
            "requestBody": json_body(
                {
                    "type": "object",
                    "required": ["actor"],
                    "additionalProperties": False,
                    "properties": {"actor": {"type": "string", "minLength": 1, "maxLength": 200}},
                }
            ),
            "responses": ok("the case, as it was", whole) | errors(400, 404, 409, 413, 415, 422),
        }
    }
    for action in ACTIONS:
        paths[f"/api/cases/{{code}}/{action}"] = {
            "post": {
                "summary": f"{action.capitalize()} the case",
                "description": ACTION_TEXT[action]
                + " Answers the case after; a move the lifecycle does not allow from the "
                "case's status is a 409 naming the moves it allows.",
                "tags": ["lifecycle"],
                "parameters": [CODE],
                "requestBody": json_body(action_body),
                "responses": ok("the case after the action", whole)
                | errors(400, 404, 409, 413, 415, 422),
            }
        }
    return paths
