"""Open311's error form: a list of {"code", "description"} with the HTTP status as code."""

from __future__ import annotations

from flask import Response, json


class Open311Error(Exception):
    """A request an Open311 route refuses: answered as the standard's error list."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def open311_error(status: int, description: str) -> Response:
    """The standard's error body (a list of one error) with its status."""
    body = json.dumps([{"code": status, "description": description}], ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json")
