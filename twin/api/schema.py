"""Pieces of OpenAPI 3 the resource modules share: the error body, JSON request and response
bodies, the case and its fields (enums read from the catalog, never copied)."""

from __future__ import annotations

from typing import Any

from twin.catalog import load_catalog
from twin.catalog.terms import CASES
from twin.settings import Settings

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["field", "message"],
            "properties": {
                "field": {"type": ["string", "null"], "description": "what was wrong"},
                "message": {"type": "string"},
            },
        }
    },
}
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
NULLABLE_TEXT = {"type": ["string", "null"]}
REASONS = {
    400: "a malformed request (the field is named)",
    404: "no such case",
    409: "the request conflicts with the case's state or an earlier request",
    413: "the body is too large",
    415: "the body is not of a type this route takes",
    422: "a value twin cannot take (the field is named)",
}


def enum_values(layer: str, field: str) -> list[str]:
    """A catalog field's allowed values (the built-in catalog's, for the document)."""
    return list(load_catalog(Settings().layers_dir)[layer].field(field).allowed)


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    """A content map of one JSON schema."""
    return {"application/json": {"schema": schema}}


def errors(*codes: int) -> dict[str, Any]:
    """The error responses of a route: each the one error body."""
    return {str(c): {"description": REASONS[c], "content": json_content(ERROR)} for c in codes}


def ok(description: str, schema: dict[str, Any], status: int = 200) -> dict[str, Any]:
    """A JSON success response."""
    return {str(status): {"description": description, "content": json_content(schema)}}


def json_body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    """A JSON request body."""
    return {"required": required, "content": json_content(schema)}


def case_schema() -> dict[str, Any]:
    """A case as the API answers it (get_case adds its timeline and duplicates)."""
    props: dict[str, Any] = {
        "code": {"type": "string"},
        "category": {"type": "string", "enum": enum_values(CASES, "category")},
        "severity": {"type": "integer", "minimum": 1, "maximum": 4},
        "source": {"type": "string", "enum": enum_values(CASES, "source")},
        "status": {"type": "string", "enum": enum_values(CASES, "status")},
        "reported_at": TIME,
        "due_at": TIME,
        "department": NULLABLE_TEXT,
        "description": NULLABLE_TEXT,
        "lon": {"type": "number"},
        "lat": {"type": "number"},
        "officer": NULLABLE_TEXT,
        "grid_code": {"type": ["string", "null"], "description": "the unit it lies in"},
    }
    for stage in ("dispatched_at", "started_at", "escalated_at", "resolved_at", "closed_at"):
        props[stage] = NULLABLE_TIME
    return {
        "type": "object",
        "required": ["code", "category", "severity", "source", "status", "reported_at", "due_at"],
        "properties": props,
    }
