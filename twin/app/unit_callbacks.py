"""The unit page: its head (with the page's route), its body a moment later, and every
refresh interval what changed since (the case table re-reads its page in place)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from dash import Dash, Input, Output, State, no_update
from dash import ctx as dash_ctx
from dash.exceptions import PreventUpdate

from twin.activity import Clock, fetch_activity, fetch_window_trend
from twin.app import ids
from twin.app.context import AppContext
from twin.app.i18n import fmt_datetime, t
from twin.app.inputs import dict_or_none, read_state
from twin.app.unit_history import build_history_panel
from twin.app.unit_page import build_unit_body, build_unit_head, devices, incident_block
from twin.app.window_views import trend_title
from twin.plans.versions import unit_history
from twin.store import GridDetail, NotFound, fetch_grid_detail
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


def unit_digest(code: str, lang: str, detail: GridDetail, activity: dict[str, Any]) -> str:
    """A short digest of what the unit's head and lists show: it changes when a case does."""
    shown = [code, lang, detail.kpis, detail.composite, detail.reasons, activity]
    return hashlib.sha1(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()[:12]


def register_unit_page(app: Dash, ctx: AppContext) -> None:
    """The unit page's body (trend, children ranking, case table, devices) and its refresh."""
    settings = ctx.settings

    def read_body(code: str, window: TimeWindow, lang: str) -> tuple[GridDetail, list[Any]]:
        """The unit's trend (in the window) and children ranking, drawn."""
        clock = Clock.current(settings.timezone)
        span = window.span(clock)
        with ctx.pool.connection() as conn:  # the case table pages itself: no cases here
            detail = fetch_grid_detail(
                conn,
                code,
                at=clock.now,
                thresholds=ctx.thresholds,
                cases=False,
                devices=ctx.devices,
            )
            trend = fetch_window_trend(
                conn, detail.grid["id"], span, clock.tz, ctx.terms.categories
            )
            history = unit_history(conn, code)
        title = trend_title(window, span, lang)
        body = build_unit_body(detail, trend, ctx.text, lang, title, now=clock.local)
        return detail, body + build_history_panel(history, lang, settings.timezone)

    @app.callback(
        Output(ids.UNIT_BODY, "children", allow_duplicate=True),
        Output(ids.UNIT_CASES, "children", allow_duplicate=True),
        Output(ids.UNIT_DEVICES, "children", allow_duplicate=True),
        Input(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def unit_body(state: Any) -> tuple[list[Any], ...]:
        route = read_state(state)
        if route is None or route.mode != "unit" or route.unit is None:
            raise PreventUpdate
        try:
            detail, body = read_body(route.unit, route.time_window, route.lang)
        except NotFound:
            raise PreventUpdate from None
        lang, text = route.lang, ctx.text
        # Three parts: a refresh redraws the first and the last, never the case table.
        return (
            body,
            incident_block(text, lang),
            devices(detail, text, lang, settings.timezone),
        )

    @app.callback(
        Output(ids.UPDATED, "children", allow_duplicate=True),
        Output(ids.UNIT_KEY, "data"),
        Output(ids.UNIT_HEAD, "children", allow_duplicate=True),
        Output(ids.UNIT_BODY, "children", allow_duplicate=True),
        Output(ids.UNIT_DEVICES, "children", allow_duplicate=True),
        Input(ids.TICK_UNIT, "data"),
        Input(ids.STATE, "data"),
        State(ids.UNIT_KEY, "data"),
        prevent_initial_call=True,
    )
    def refresh_unit(_: Any, state: Any, held: Any) -> tuple[Any, ...]:
        route = read_state(state)
        if route is None or route.mode != "unit" or route.unit is None:
            raise PreventUpdate
        clock = Clock.current(settings.timezone)
        try:
            with ctx.pool.connection() as conn:
                detail = fetch_grid_detail(
                    conn, route.unit, at=clock.now, thresholds=ctx.thresholds, lists=False
                )
                span = route.time_window.span(clock)
                activity = fetch_activity(conn, detail.grid["id"], clock, span)
        except NotFound:
            raise PreventUpdate from None
        lang = route.lang
        updated = t("updated", lang, time=fmt_datetime(clock.now, lang, settings.timezone))
        digest = unit_digest(f"{route.unit}|{route.window}", lang, detail, activity)
        # A new page is drawn by the route and the body callbacks: here only its time and key.
        ticked = dash_ctx.triggered_id == ids.TICK_UNIT
        key = {"digest": digest, "at": clock.now.isoformat()}
        if not ticked or (dict_or_none(held) or {}).get("digest") == digest:
            return updated, key, no_update, no_update, no_update
        head = build_unit_head(detail, activity, ctx.text, lang, route.time_window)
        full, top = read_body(route.unit, route.time_window, lang)
        return updated, key, head, top, devices(full, ctx.text, lang, settings.timezone)
