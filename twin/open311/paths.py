"""The OpenAPI path items of the Open311 GeoReport v2 routes."""

from __future__ import annotations

from typing import Any

from twin.api.schema import enum_values, json_content
from twin.catalog.terms import CASES

ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
JURISDICTION = {
    "name": "jurisdiction_id",
    "in": "query",
    "schema": {"type": "string"},
    "description": "accepted; twin serves one jurisdiction",
}
TEXT = {"type": "string"}


def _errors(*codes: int) -> dict[str, Any]:
    return {
        str(c): {"description": "the standard's error list", "content": json_content(ERRORS)}
        for c in codes
    }


def open311_paths() -> dict[str, Any]:
    """Every /open311/v2 path item."""
    service = {
        "type": "object",
        "required": ["service_code", "service_name", "metadata", "type"],
        "properties": {
            "service_code": {"type": "string", "enum": enum_values(CASES, "category")},
            "service_name": TEXT,
            "description": TEXT,
            "metadata": {"type": "boolean"},
            "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
            "keywords": TEXT,
            "group": TEXT,
        },
    }
    one = {
        "type": "object",
        "required": [
            "service_request_id",
            "status",
            "service_code",
            "requested_datetime",
            "lat",
            "long",
        ],
        "properties": {
            "service_request_id": TEXT,
            "status": {"type": "string", "enum": ["open", "closed"]},
            "status_notes": {"type": "string", "description": "twin's stage and who handles it"},
            "service_name": TEXT,
            "service_code": TEXT,
            "description": TEXT,
            "agency_responsible": TEXT,
            "service_notice": TEXT,
            "requested_datetime": {"type": "string", "format": "date-time"},
            "updated_datetime": {"type": "string", "format": "date-time"},
            "expected_datetime": {"type": "string", "format": "date-time"},
            "address": TEXT,
            "address_id": TEXT,
            "zipcode": TEXT,
            "lat": {"type": "number"},
            "long": {"type": "number"},
            "media_url": TEXT,
        },
    }
    many = {"type": "array", "items": one}
    form = {
        "type": "object",
        "required": ["service_code", "lat", "long"],
        "properties": {
            "jurisdiction_id": TEXT,
            "api_key": TEXT,
            "service_code": {"type": "string", "enum": enum_values(CASES, "category")},
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "long": {"type": "number", "minimum": -180, "maximum": 180},
            "address_string": TEXT,
            "email": TEXT,
            "device_id": TEXT,
            "account_id": TEXT,
            "first_name": TEXT,
            "last_name": TEXT,
            "phone": TEXT,
            "description": {"type": "string", "maxLength": 4000},
            "media_url": TEXT,
        },
    }
    created = {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["service_request_id"],
            "properties": {
                "service_request_id": TEXT,
                "service_notice": TEXT,
                "account_id": {"type": ["string", "null"]},
            },
        },
    }
    query = [
        {"name": n, "in": "query", "schema": TEXT, "description": d}
        for n, d in (
            ("service_request_id", "ids, comma separated; overrides the other parameters"),
            ("service_code", "services, comma separated"),
            ("start_date", "requested at or after (W3C date-time); default 90 days ago"),
            ("end_date", "requested before; at most 90 days after start_date"),
            ("status", "open, closed, or both comma separated"),
        )
    ]
    tag = ["open311"]
    return {
        "/open311/v2/services.json": {
            "get": {
                "summary": "Open311: the services (twin's case categories)",
                "tags": tag,
                "parameters": [JURISDICTION],
                "responses": {
                    "200": {
                        "description": "the services",
                        "content": json_content({"type": "array", "items": service}),
                    }
                }
                | _errors(400),
            }
        },
        "/open311/v2/requests.json": {
            "get": {
                "summary": "Open311: service requests (twin's cases), newest first, at most 1000",
                "tags": tag,
                "parameters": [JURISDICTION, *query],
                "responses": {"200": {"description": "the requests", "content": json_content(many)}}
                | _errors(400),
            },
            "post": {
                "summary": "Open311: report a service request (filed as a citizen report)",
                "description": "Form fields as GeoReport v2 has them. lat and long are required "
                "(twin does not geocode). Filed at severity 4, source citizen_photo; names, "
                "e-mail and phone are accepted and not kept.",
                "tags": tag,
                "requestBody": {
                    "required": True,
                    "content": {"application/x-www-form-urlencoded": {"schema": form}},
                },
                "responses": {"201": {"description": "filed", "content": json_content(created)}}
                | _errors(400),
            },
        },
        "/open311/v2/requests/{service_request_id}.json": {
            "get": {
                "summary": "Open311: one service request",
                "tags": tag,
                "parameters": [
                    {"name": "service_request_id", "in": "path", "required": True, "schema": TEXT},
                    JURISDICTION,
                ],
                "responses": {
                    "200": {
                        "description": "a list of the one request",
                        "content": json_content(many),
                    }
                }
                | _errors(400, 404),
            }
        },
    }
