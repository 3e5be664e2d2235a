"""The case page (/case/<code>), a page of its own (twin.app.own_pages): built on arrival
from the route, its body redrawn after each action its dialog confirms."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from twin.activity import Clock
from twin.app import ids as app_ids
from twin.app.cases import ids
from twin.app.cases.dialog import DIALOG_ACTIONS, lang_of, opened, opener_outputs, register_dialog
from twin.app.cases.layout import body, frame
from twin.app.cases.reads import fetch_moves, read_case
from twin.app.cases.unit_actions import register_unit_actions
from twin.app.context import AppContext
from twin.app.inputs import read_state
from twin.catalog.terms import CASES
from twin.ops.errors import CaseMerged, CaseNotFound
from twin.ops.record import get_case


def page_body(ctx: AppContext, code: str, lang: str) -> list[Any]:
    """The body of a case's page, read now."""
    settings = ctx.settings
    with ctx.pool.connection() as conn:
        read = read_case(conn, code, settings.case_camera_radius_m)
        moves = fetch_moves(conn)
    now = Clock.current(settings.timezone).now
    return body(
        read,
        ctx.text,
        moves,
        now,
        lang,
        settings.timezone,
        settings.case_camera_radius_m,
        settings.basemap_url,
    )


def register(app: Dash, ctx: AppContext) -> None:
    """The case page's callbacks: its parts on arrival, its dialog, its body after an action."""

    @app.callback(
        Output(ids.PAGE, "children"),
        Input(app_ids.STATE, "data"),
    )
    def build(state: Any) -> list[Any]:
        route = read_state(state)
        if route is None:
            raise PreventUpdate
        if route.mode != "case" or route.unit is None:
            return []
        return frame(route.unit, route.lang, page_body(ctx, route.unit, route.lang))

    @app.callback(
        Output(ids.BODY, "children"),
        Input(ids.done(ids.CASE_PREFIX), "data"),
        State(app_ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def redraw(done: Any, state: Any) -> list[Any]:
        route = read_state(state)
        if route is None or route.mode != "case" or route.unit is None or not done:
            raise PreventUpdate
        return page_body(ctx, route.unit, route.lang)

    @app.callback(
        *opener_outputs(ids.CASE_PREFIX),
        *[Input(ids.act(a), "n_clicks") for a in DIALOG_ACTIONS],
        State(app_ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def open_dialog(*values: Any) -> tuple[Any, ...]:
        *clicks, state = values
        route = read_state(state)
        pressed = {ids.act(a): (a, c) for a, c in zip(DIALOG_ACTIONS, clicks, strict=True)}
        action, count = pressed.get(str(dash_ctx.triggered_id), (None, None))
        if route is None or route.unit is None or action is None:
            raise PreventUpdate
        if not (isinstance(count, int) and count > 0):
            raise PreventUpdate  # the buttons were drawn anew, none was pressed
        status, into = _status(ctx, route.unit, route.lang)
        return opened(route.unit, action, status, route.lang, into)

    register_dialog(app, ctx, ids.CASE_PREFIX, lambda s: lang_of(s, ctx.settings.lang))
    register_unit_actions(app, ctx)  # the same dialog on a unit page's case table


def _status(ctx: AppContext, code: str, lang: str) -> tuple[str, str]:
    """The case's status in words and the case it likely duplicates ("" when none)."""
    try:
        with ctx.pool.connection() as conn:
            case = get_case(conn, code)
    except (CaseMerged, CaseNotFound):
        return "", ""
    label = ctx.text.value(CASES, "status", case["status"], lang)
    return label, case["duplicate_of"] or ""
