"""schemathesis against /api/openapi.json (the Open311 routes are in it too): whatever it
generates, no 5xx, and every answer has a documented status, type and schema."""

from __future__ import annotations

from typing import Any

import schemathesis
from dash import Dash
from hypothesis import HealthCheck, given, note, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


EXAMPLES = 8  # per operation: the whole run stays within ~a minute


def test_every_route_answers_as_documented(app: Dash) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app.server)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15  # cases, actions, photos, devices, Open311
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_as_documented(case: Any) -> None:
            note(f"{case.method} {case.formatted_path}")
            # (identity: the app compresses, and the in-process client would not unpack it)
            case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

        answers_as_documented()
