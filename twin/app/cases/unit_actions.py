"""The quick actions of a unit page's case table: a row's button opens the unit's dialog;
once done, the table re-reads its rows and the unit's head (its tiles) is drawn anew."""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State
from dash.exceptions import PreventUpdate

from twin.app import ids as app_ids
from twin.app.cases import ids
from twin.app.cases.dialog import lang_of, opened, opener_outputs, read_pending, register_dialog
from twin.app.cases.views import QUICK
from twin.app.context import AppContext
from twin.app.inputs import dict_or_none, read_state
from twin.app.unit_callbacks import unit_head
from twin.catalog.terms import CASES
from twin.ops.errors import CaseMerged, CaseNotFound
from twin.ops.record import get_case
from twin.store import NotFound


def register_unit_actions(app: Dash, ctx: AppContext) -> None:
    """The case table's dialog: opened from a row, and what follows an action."""
    prefix = ids.UNIT_PREFIX

    @app.callback(
        *opener_outputs(prefix),
        Input(app_ids.INCIDENTS, "cellRendererData"),
        State(app_ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def open_dialog(cell: Any, state: Any) -> tuple[Any, ...]:
        route = read_state(state)
        found = read_pending((dict_or_none(cell) or {}).get("value"))
        if route is None or route.mode != "unit" or found is None or found[1] not in QUICK:
            raise PreventUpdate  # not a button of ours (or a forged one)
        code, action = found
        try:
            with ctx.pool.connection() as conn:
                case = get_case(conn, code)
        except (CaseMerged, CaseNotFound):
            raise PreventUpdate from None
        status = ctx.text.value(CASES, "status", case["status"], route.lang)
        return opened(code, action, status, route.lang)

    register_dialog(app, ctx, prefix, lambda s: lang_of(s, ctx.settings.lang))

    app.clientside_callback(
        ClientsideFunction("twinCase", "refreshCases"),
        Output(ids.dialog(prefix, "sink"), "data"),
        Input(ids.done(prefix), "data"),
        State(app_ids.INCIDENTS, "id"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(app_ids.UNIT_HEAD, "children", allow_duplicate=True),
        Input(ids.done(prefix), "data"),
        State(app_ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def head_after(done: Any, state: Any) -> list[Any]:
        route = read_state(state)
        if not done or route is None or route.mode != "unit" or route.unit is None:
            raise PreventUpdate
        try:
            return unit_head(ctx, route.unit, route.lang, route.time_window)
        except NotFound:
            raise PreventUpdate from None
