"""The unit page: its head (with the page's route) and its body, a moment later."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output
from dash.exceptions import PreventUpdate

from twin.activity import Clock, fetch_activity, fetch_window_trend
from twin.app import ids
from twin.app.context import AppContext
from twin.app.inputs import read_state
from twin.app.unit_page import build_unit_body, build_unit_head
from twin.app.window_views import trend_title
from twin.store import NotFound, fetch_grid_detail
from twin.window import DEFAULT_WINDOW, TimeWindow


def unit_head(
    ctx: AppContext, code: str, lang: str, window: TimeWindow = DEFAULT_WINDOW
) -> list[Any]:
    """What shows at once after a click: crumbs, title, status, tiles in the window
    (NotFound if no unit)."""
    clock = Clock.current(ctx.settings.timezone)
    with ctx.pool.connection() as conn:
        detail = fetch_grid_detail(conn, code, at=clock.now, thresholds=ctx.thresholds, lists=False)
        activity = fetch_activity(conn, detail.grid["id"], clock, window.span(clock))
    return build_unit_head(detail, activity, ctx.text, lang, window)


def register_unit_page(app: Dash, ctx: AppContext) -> None:
    """The unit page's body: trend, children ranking, case table, devices."""
    settings = ctx.settings

    @app.callback(
        Output(ids.UNIT_BODY, "children", allow_duplicate=True),
        Input(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def unit_body(state: Any) -> list[Any]:
        route = read_state(state)
        if route is None or route.unit is None:
            raise PreventUpdate
        clock = Clock.current(settings.timezone)
        try:
            with ctx.pool.connection() as conn:  # the case table pages itself: no cases here
                detail = fetch_grid_detail(
                    conn,
                    route.unit,
                    at=clock.now,
                    thresholds=ctx.thresholds,
                    cases=False,
                    devices=ctx.devices,
                )
                span = route.time_window.span(clock)
                trend = fetch_window_trend(
                    conn, detail.grid["id"], span, clock.tz, ctx.terms.categories
                )
        except NotFound:
            raise PreventUpdate from None
        title = trend_title(route.time_window, span, route.lang)
        return build_unit_body(
            detail, trend, ctx.text, route.lang, settings.timezone, title, now=clock.local
        )
