"""The API's one error shape: a 4xx whose JSON names the field and what is wrong with it."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, request


class ApiError(Exception):
    """A client's mistake: answered with `status` and {"error": {"field", "message"}}."""

    def __init__(self, status: int, field: str | None, message: str) -> None:
        super().__init__(message)
        self.status, self.field, self.message = status, field, message


def request_json() -> Any:
    """The request's JSON body, None when it has none or is not JSON; a 400 when it nests
    deeper than the parser goes (a RecursionError that Flask's silent mode lets through)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise ApiError(400, "body", "the JSON is nested too deeply") from None


def register_errors(server: Flask) -> None:
    """Answer every ApiError raised by a route as its JSON 4xx."""

    @server.errorhandler(ApiError)
    def answer(exc: ApiError) -> Response:
        response = jsonify({"error": {"field": exc.field, "message": exc.message}})
        response.status_code = exc.status
        return response
