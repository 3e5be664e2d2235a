"""Reading what a client sends: a JSON object's fields and a query's parameters, each checked
for type and range, or an ApiError naming the field (so nothing wrong reaches a write)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import request

from twin.api.errors import ApiError

MAX_TEXT = 2000  # characters of a free text (a description, a note)
MAX_NAME = 200  # characters of a name or code (an actor, a department, a unit code)
MAX_BODY = 1_000_000  # bytes of a JSON body read at all


def bad(field: str | None, message: str, status: int = 422) -> ApiError:
    """The error for a value the client sent that twin cannot take."""
    return ApiError(status, field, message)


def json_object() -> dict[str, Any]:
    """The request's JSON body as an object, or a 400/413/415 that says why not."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise bad("body", f"the body is larger than {MAX_BODY} bytes", 413)
    if not request.is_json:
        raise bad("body", "send a JSON object with Content-Type: application/json", 415)
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: not a body twin reads
        raise bad("body", "the JSON is nested too deeply", 400) from None
    if not isinstance(body, dict):
        raise bad("body", "the body is no JSON object", 400)
    return body


def no_other_fields(body: dict[str, Any], allowed: Sequence[str], where: str = "") -> None:
    """A 422 naming the first field that is not one of allowed (a typo is not ignored)."""
    for name in body:
        if name not in allowed:
            raise bad(f"{where}{name}", f"unknown field; expected one of {', '.join(allowed)}")


def text(value: Any, field: str, *, required: bool = False, max_len: int = MAX_NAME) -> str | None:
    """A string the database can store (UTF-8, no NUL, at most max_len characters)."""
    if value is None:
        if required:
            raise bad(field, "is required")
        return None
    if not isinstance(value, str):
        raise bad(field, "must be a string")
    if "\x00" in value:
        raise bad(field, "must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise bad(field, "is not valid Unicode text") from None
    if len(value) > max_len:
        raise bad(field, f"must be at most {max_len} characters")
    if required and not value.strip():
        raise bad(field, "must not be empty")
    return value


def required_text(value: Any, field: str, max_len: int = MAX_NAME) -> str:
    """A non-empty string (see text)."""
    got = text(value, field, required=True, max_len=max_len)
    assert got is not None  # required
    return got


def choice(value: Any, field: str, allowed: Sequence[str], *, required: bool = True) -> str | None:
    """One of allowed (the catalog's values), else a 422 that lists them."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or value not in allowed:
        raise bad(field, f"must be one of {', '.join(allowed)}")
    return value


def number(value: Any, field: str, low: float, high: float) -> float:
    """A finite number within [low, high] (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad(field, "must be a number")
    if not math.isfinite(value) or not low <= value <= high:
        raise bad(field, f"must be a number from {low} to {high}")
    return float(value)


def whole(value: Any, field: str, low: int, high: int) -> int:
    """An integer within [low, high] (a whole float counts; a bool does not)."""
    got = number(value, field, low, high)
    if not got.is_integer():
        raise bad(field, "must be a whole number")
    return int(got)


def timestamp(value: Any, field: str) -> datetime:
    """An ISO 8601 time with its offset (2026-05-01T08:30:00+08:00 or ...Z)."""
    if not isinstance(value, str) or len(value) > 40:
        raise bad(field, "must be an ISO 8601 time with an offset, e.g. 2026-05-01T08:30:00+08:00")
    try:
        got = datetime.fromisoformat(value)
    except ValueError:
        raise bad(field, f"{value!r} is not an ISO 8601 time") from None
    if got.tzinfo is None:
        raise bad(field, "needs an offset (Z or +08:00): a time without one is ambiguous")
    if not 1970 <= got.year <= 9000:
        raise bad(field, "must be a year from 1970 to 9000")
    return got


def query_list(name: str, allowed: Sequence[str] | None = None) -> tuple[str, ...]:
    """A query parameter given as a comma list and/or repeated (?status=a,b&status=c)."""
    values: list[str] = []
    for raw in request.args.getlist(name):
        values += [v for v in raw.split(",") if v]
    for v in values:
        if allowed is not None and v not in allowed:
            raise bad(name, f"{v[:MAX_NAME]!r} is not one of {', '.join(allowed)}", 400)
        text(v, name)
    return tuple(dict.fromkeys(values))


def query_text(name: str, max_len: int = MAX_NAME) -> str | None:
    """One query parameter's text (None when absent)."""
    raw = request.args.get(name)
    try:
        return text(raw, name, max_len=max_len)
    except ApiError as exc:
        raise bad(exc.field, exc.message, 400) from None
