"""Live push to the browser: a version route the page asks twice a second (one lookup in
memory, no SQL), and the refresh it triggers when the version moved (assets/twin_push.js).

Why not server-sent events: waitress serves from a fixed pool of threads, and each open
event stream would hold one for as long as the page is open (20 walls: 20 threads); a 1 s
question that costs well under a millisecond holds none.
"""

from __future__ import annotations

import threading
from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State
from dash.exceptions import PreventUpdate
from flask import Flask, Response, jsonify

from twin.app import ids
from twin.app.i18n import t
from twin.app.inputs import read_state
from twin.app.listener import listen
from twin.app.snapshot import Snapshot, Snapshots


def register_push(app: Dash, snapshots: Snapshots, conninfo: str) -> threading.Event:
    """The version route, the listener that wakes the reader, and the page's side of it;
    returns the event that stops the listener."""
    register_version_route(app.server, snapshots)
    stop = threading.Event()
    listen(conninfo, snapshots.changed, lambda: stop.is_set() or snapshots.pool.closed)
    # A new version heard: tick the refresh every live part already follows.
    app.clientside_callback(
        ClientsideFunction("twinPush", "tick"),
        Output(ids.REFRESH, "n_intervals"),
        Input(ids.PUSH, "data"),
        State(ids.REFRESH, "n_intervals"),
        prevent_initial_call=True,
    )
    # Each tick (pushed or the interval's) reaches only the parts of the page's mode: the
    # cockpit's and the map's callbacks follow the interval itself; the unit page's, the
    # wall's and the hotspot page's follow their own tick, set in the browser (no request).
    app.clientside_callback(
        ClientsideFunction("twinPush", "gate"),
        Output(ids.TICK_UNIT, "data"),
        Output(ids.TICK_SCREEN, "data"),
        Output(ids.TICK_HOT, "data"),
        Input(ids.REFRESH, "n_intervals"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )

    @app.callback(Output(ids.OFFLINE, "children"), Input(ids.STATE, "data"))
    def offline_text(state: Any) -> str:
        route = read_state(state)
        if route is None:
            raise PreventUpdate
        return t("offline", route.lang)

    return stop


def register_version_route(server: Flask, snapshots: Snapshots) -> None:
    """GET /twin/version: {"version": n, "read": ms}, the newest snapshot's (no query)."""

    @server.get("/twin/version")
    def version() -> Response:
        out = jsonify(version_body(snapshots.newest()))
        out.headers["Cache-Control"] = "no-store"
        return out


def version_body(snap: Snapshot | None) -> dict[str, Any]:
    """A snapshot's version and when its read ended (epoch ms: how a benchmark tells the
    server's part of a push from the page's); version 0 before the first read."""
    if snap is None:
        return {"version": 0, "read": None}
    return {
        "version": snap.version,
        "read": round(snap.clock.now.timestamp() * 1000 + snap.took_ms),
    }
