"""Live push to the browser: a version route that holds a page's question until the version
moves (a long poll, answered the moment the reader keeps a new snapshot), and the refresh it
triggers (assets/twin_push.js).

Why a held question and not server-sent events: waitress serves from a fixed pool of
threads, and an event stream holds one for as long as the page is open. A held question
holds one for at most HOLD_SECONDS, WAITERS of them at once; beyond that a question is
answered at once and the page asks again half a second later, as it did before the hold.
The WORKERS threads that answer callbacks, tiles and the API are never taken by a wait.
"""

from __future__ import annotations

import threading
from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State
from dash.exceptions import PreventUpdate
from flask import Flask, Response, g, jsonify, request

from twin.app import ids
from twin.app.i18n import t
from twin.app.inputs import read_state, whole
from twin.app.listener import listen
from twin.app.map_callbacks import map_param
from twin.app.snapshot import Snapshot, Snapshots

HOLD_SECONDS = 2.0  # how long a question waits for a new version (the page asks again then)
WAITERS = 32  # questions held at once, at most (twenty open walls, and room for more)
WORKERS = 8  # threads that do the work: callbacks, tiles, the API
THREADS = WORKERS + WAITERS  # waitress's pool
CONNECTIONS = 400  # open connections waitress accepts (below select()'s 1,024 descriptors)


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
    """GET /twin/version[?after=n]: the newest snapshot's version_body, at once or (after
    the version the page holds) as soon as there is another; no query either way."""
    holds = threading.BoundedSemaphore(WAITERS)
    working = threading.BoundedSemaphore(WORKERS)

    @server.get("/twin/version")
    def version() -> Response:
        known = whole(request.args.get("after", type=int), 0, 2**62)
        snap, held = snapshots.newest(), False
        if known is not None and (snap.version if snap else 0) == known:
            held = holds.acquire(blocking=False)  # all held: answered at once, asked again
            if held:
                try:
                    snap = snapshots.wait_newer(known, HOLD_SECONDS)
                finally:
                    holds.release()
        out = jsonify(version_body(snap) | {"held": held})
        out.headers["Cache-Control"] = "no-store"
        return out

    # Every other request waits for one of the WORKERS threads, as it did when waitress
    # had no more: twenty pages' callbacks at once share one interpreter lock, and served
    # eight at a time, the first are answered first instead of all of them last.
    @server.before_request
    def take_worker() -> None:
        if request.path != "/twin/version":
            working.acquire()
            g.twin_worker = True

    @server.teardown_request
    def give_worker(_: BaseException | None) -> None:
        if g.pop("twin_worker", False):
            working.release()


def version_body(snap: Snapshot | None) -> dict[str, Any]:
    """A snapshot's version, its map's fingerprint (the outlines' `map` parameter) and when
    its read ended (epoch ms: how a benchmark tells the server's part of a push from the
    page's); version 0 before the first read."""
    if snap is None:
        return {"version": 0, "map": None, "read": None}
    read = round(snap.clock.now.timestamp() * 1000 + snap.took_ms)
    return {"version": snap.version, "map": map_param(snap.map_version), "read": read}
