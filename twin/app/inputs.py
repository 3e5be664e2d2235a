"""What the browser sends, checked in one place: every callback and route reads it through
these functions, so a forged or malformed value is an empty answer or a 4xx, never a 500."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from dash import Dash
from flask import Flask, Response, abort, request
from psycopg import errors

from twin.app.i18n import LANGS
from twin.app.own_pages import OWN_PAGES
from twin.window import DEFAULT, TimeWindow, WindowError

MAX_TEXT = 200  # characters of a code or search text read at all
MODES = ("cockpit", "unit", "screen", "hotspots", "missing", *(p.mode for p in OWN_PAGES))
# The modes whose route carries a key in Route.unit (a unit code, a case code, a plan id).
KEYED = ("unit", *(p.mode for p in OWN_PAGES if p.keyed))


@dataclass(frozen=True)
class Route:
    """A parsed URL: mode (cockpit, unit, screen, missing), unit code, language, and the
    time window of its figures (twin.window's text)."""

    mode: str
    lang: str
    unit: str | None = None
    window: str = DEFAULT

    def data(self) -> dict[str, Any]:
        """As kept in the page's state store."""
        return {"mode": self.mode, "lang": self.lang, "unit": self.unit, "window": self.window}

    @property
    def time_window(self) -> TimeWindow:
        """The page's time window."""
        return TimeWindow.read(self.window)


def text_value(value: Any, max_len: int = MAX_TEXT) -> str | None:
    """A string the database can take (no NUL, at most max_len characters), else None."""
    if not isinstance(value, str) or "\x00" in value or len(value) > max_len:
        return None
    return value


def read_state(state: Any) -> Route | None:
    """The page's state store as a Route, or None when absent or not one the server wrote."""
    if not isinstance(state, dict):
        return None
    mode, lang, unit = state.get("mode"), state.get("lang"), state.get("unit")
    window = state.get("window", DEFAULT)
    if mode not in MODES or lang not in LANGS:
        return None
    if (mode in KEYED) != (unit is not None) or (unit is not None and not text_value(unit)):
        return None
    try:
        TimeWindow.parse(window)
    except WindowError:
        return None
    return Route(mode, lang, unit, window)


def number(value: Any) -> float | None:
    """A finite number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value) if math.isfinite(value) else None
    except OverflowError:  # an integer of hundreds of digits (a forged value) is no number
        return None


def whole(value: Any, low: int, high: int) -> int | None:
    """An integer within [low, high] (a float that is whole counts), else None."""
    got = number(value)
    if got is None or not got.is_integer() or not low <= got <= high:
        return None
    return int(got)


def leaflet_bounds(value: Any) -> list[list[float]] | None:
    """Leaflet bounds [[south, west], [north, east]] inside lon/lat, else None."""
    try:
        (s, w), (n, e) = value
    except (TypeError, ValueError):
        return None
    corners = [c for c in (number(v) for v in (s, w, n, e)) if c is not None]
    if len(corners) < 4:
        return None
    south, west, north, east = corners
    if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
        return None
    return [[south, west], [north, east]]


def strings(value: Any) -> list[str] | None:
    """A list of strings ([] for none sent), else None."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return list(value)


def dict_or_none(value: Any) -> dict[str, Any] | None:
    """The value when it is a dict, else None (a store the page holds, maybe forged)."""
    return value if isinstance(value, dict) else None


def register_request_checks(server: Flask) -> None:
    """A NUL byte anywhere in a request's path, query or callback body is a 400; a statement
    that runs past the pool's statement_timeout is a 503 that says so."""

    @server.before_request
    def refuse_nul() -> None:
        path, query = request.path, request.query_string  # the path arrives decoded, not the query
        if "\x00" in path or b"\x00" in query or b"%00" in query:
            abort(Response("a NUL byte in the request", status=400))
        if request.method == "POST" and b"\\u0000" in request.get_data():
            abort(Response("a NUL byte in the request body", status=400))

    @server.errorhandler(errors.QueryCanceled)  # a slow database is not the client's fault
    def too_slow(exc: errors.QueryCanceled) -> Response:
        return Response(f"the database took too long: {exc.diag.message_primary}", status=503)


def register_callback_checks(app: Dash) -> None:
    """A callback request must name a server callback and send exactly its inputs and
    states (their values are the callbacks' to check); anything else is a 400, not the
    KeyError deep inside Dash that would be a 500."""
    path = app.config.routes_pathname_prefix + "_dash-update-component"

    @app.server.before_request
    def check_callback_request() -> None:
        if request.path != path:
            return
        problem = callback_problem(app, request.get_json(silent=True))
        if problem:
            abort(Response(f"not a callback request of this page: {problem}", status=400))


def _sent_as_declared(sent: Any, declared: dict[str, str]) -> bool:
    """One input or state as its callback declares it: the id and property; for a pattern
    (an id like {"type": "x", "index": ALL}) a list of matching ids, or one for MATCH."""
    if not declared["id"].startswith("{"):
        return isinstance(sent, dict) and (sent.get("id"), sent.get("property")) == (
            declared["id"],
            declared["property"],
        )
    pattern = json.loads(declared["id"])
    fixed = {k: v for k, v in pattern.items() if not isinstance(v, list)}  # ["ALL"] etc.
    items = sent if isinstance(sent, list) else [sent]
    return all(
        isinstance(i, dict)
        and i.get("property") == declared["property"]
        and isinstance(i.get("id"), dict)
        and i["id"].keys() == pattern.keys()
        and all(i["id"][k] == v for k, v in fixed.items())
        for i in items
    )


def callback_problem(app: Dash, body: Any) -> str | None:
    """What makes body not a request for one of app's server callbacks (None: nothing)."""
    if not isinstance(body, dict):
        return "the body is no JSON object"
    spec = app.callback_map.get(body.get("output")) if isinstance(body.get("output"), str) else None
    if spec is None or "callback" not in spec:
        return "no such callback"
    for part in ("inputs", "state"):
        sent = body.get(part, [])
        if not isinstance(sent, list) or not all(isinstance(i, dict | list) for i in sent):
            return f"{part} is no list of objects"
        if len(sent) != len(spec[part]) or not all(
            _sent_as_declared(i, d) for i, d in zip(sent, spec[part], strict=True)
        ):
            return f"{part} are not the callback's"
    outputs = body.get("outputs", [])
    outputs = outputs if isinstance(outputs, list) else [outputs]
    if not all(isinstance(o, dict) and isinstance(o.get("id"), str) for o in outputs):
        return "outputs are no list of objects"
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(c, str) for c in changed):
        return "changedPropIds is no list of strings"
    return None
