"""Answering in JSON: times as ISO 8601 with their offset (Flask's default would write an
HTTP date without the seconds' fraction), decimals as numbers, bytes never."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response, json


def plain(value: Any) -> Any:
    """The value with every time, date and decimal in it made JSON's."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def answer(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response of data."""
    body = json.dumps(plain(data), ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json", headers=headers)
