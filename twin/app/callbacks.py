"""Callbacks of the unit page's case table and of the wall screen's tour and takeover."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate
from psycopg_pool import ConnectionPool

from twin.activity import Clock
from twin.app import ids
from twin.app.i18n import fmt_datetime, t
from twin.app.inputs import dict_or_none, number, read_state, strings, whole
from twin.app.mapdata import unit_bounds
from twin.app.snapshot import Snapshots
from twin.app.tables import case_count, case_filter
from twin.app.views import (
    CatalogText,
    incident_rows,
    new_severe,
    rank_attention,
    reasons_text,
    seen_before,
    tour_order,
)
from twin.catalog.terms import CASES
from twin.settings import Settings
from twin.store import NotFound, fetch_grid, fetch_incidents


def register_unit_callbacks(app: Dash, pool: ConnectionPool, text: CatalogText, tz: str) -> None:
    """The unit page's case table: the server sorts, filters and pages it."""

    @app.callback(
        Output(ids.INCIDENTS, "getRowsResponse"),
        Output(ids.CASE_COUNT, "children"),
        Output(ids.CASE_EMPTY, "children"),
        Input(ids.INCIDENTS, "getRowsRequest"),
        *[State(f, "value") for f in ids.INCIDENT_FILTERS],
        State(ids.CASE_SCOPE, "value"),
        State(ids.STATE, "data"),
    )
    def incident_page(request: Any, *rest: Any) -> tuple[Any, ...]:
        *filters, scope, state = rest
        route, chosen = read_state(state), [strings(f) for f in filters]
        if not request or route is None or route.unit is None or None in chosen:
            raise PreventUpdate
        try:
            flt = case_filter(request, chosen, text.layers[CASES], scope)
        except ValueError:  # rows out of bounds, a value the catalog does not have
            raise PreventUpdate from None  # a forged request: no answer, and no query
        clock = Clock.current(tz)
        frame, total = None, 0
        try:
            with pool.connection() as conn:
                unit = fetch_grid(conn, route.unit)
                if flt is not None:  # else the scope and the status filter leave no status
                    frame, total = fetch_incidents(conn, unit["id"], flt)
        except NotFound:
            raise PreventUpdate from None
        rows = [] if frame is None else incident_rows(frame, clock.now, text, route.lang, tz)
        lang = route.lang
        empty = t("no_cases", lang) if total == 0 else ""
        return {"rowData": rows, "rowCount": total}, case_count(total, lang), empty

    # A new filter empties the grid's cache and starts again from page one (assets/twin_grid.js).
    app.clientside_callback(
        ClientsideFunction("twinGrid", "refreshCases"),
        *[Input(f, "value") for f in (*ids.INCIDENT_FILTERS, ids.CASE_SCOPE)],
        State(ids.INCIDENTS, "id"),
        prevent_initial_call=True,
    )
    # Each refresh tick re-reads the pages the table holds, in place: page and sort stay.
    app.clientside_callback(
        ClientsideFunction("twinGrid", "refreshRows"),
        Input(ids.REFRESH, "n_intervals"),
        State(ids.STATE, "data"),
        State(ids.UNIT_CASES, "id"),
        prevent_initial_call=True,
    )


def register_screen(
    app: Dash, pool: ConnectionPool, snapshots: Snapshots, settings: Settings, text: CatalogText
) -> None:
    """The wall: a tour of the grids needing attention; a new severity-1 case takes over."""

    # Two callbacks, not one: Dash drops the older of two requests of the same callback, so
    # a refresh landing on a tour step would swallow the step.
    @app.callback(
        Output(ids.MAP, "viewport", allow_duplicate=True),
        Output(ids.TAKEOVER, "children"),
        Output(ids.TAKEOVER, "hidden"),
        Output(ids.ALERT, "data"),
        Input(ids.REFRESH, "n_intervals"),
        Input(ids.STATE, "data"),
        State(ids.ALERT, "data"),
        prevent_initial_call=True,
    )
    def watch_severe(_: Any, state: Any, alert: Any) -> tuple[Any, ...]:
        route = read_state(state)
        if route is None or route.mode != "screen":
            raise PreventUpdate
        snap = snapshots.current()
        feed = snap.feed
        known = whole((dict_or_none(alert) or {}).get("seen"), 0, 2**63 - 1)
        # What was there when the wall came up is not news; what came after is.
        came_up = snap.clock.now - timedelta(seconds=2 * settings.refresh_seconds)
        seen = known if known is not None else seen_before(feed, came_up)
        severe = new_severe(feed, seen)
        if severe is None:
            if known is None:
                return no_update, no_update, True, {"seen": seen}
            raise PreventUpdate
        spot = {"center": [severe["lat"], severe["lon"]], "zoom": 16, "transition": "flyTo"}
        until = time.time() + settings.takeover_seconds
        shown = takeover(severe, text, route.lang, settings.timezone)
        return spot, shown, False, {"seen": int(severe["id"]), "until": until}

    @app.callback(
        Output(ids.MAP, "viewport", allow_duplicate=True),
        Output(ids.TOUR_CARD, "children"),
        Output(ids.TAKEOVER, "hidden", allow_duplicate=True),
        Output(ids.SCREEN, "data"),
        Input(ids.TOUR_TICK, "n_intervals"),
        Input(ids.STATE, "data"),
        State(ids.SCREEN, "data"),
        State(ids.ALERT, "data"),
        prevent_initial_call=True,
    )
    def tour(_: Any, state: Any, screen: Any, alert: Any) -> tuple[Any, ...]:
        route = read_state(state)
        if route is None or route.mode != "screen":
            raise PreventUpdate
        until = number((dict_or_none(alert) or {}).get("until"))
        if (until or 0) > time.time():
            raise PreventUpdate  # the takeover holds the wall; the tour waits
        # Only a takeover whose time is up is hidden here: a tick sent before the alert store
        # changed carries no `until`, and must not hide a takeover that has just begun.
        hide: Any = True if until is not None else no_update
        lang = route.lang
        snap = snapshots.current()
        screen = dict(dict_or_none(screen) or {})
        # One round visits a fixed list: re-ranking every refresh would skip or repeat grids.
        grids = snap.leaves.set_index("code", drop=False)
        codes = [c for c in strings(screen.get("codes")) or [] if c in grids.index]
        pos = whole(screen.get("pos", -1), -1, len(codes))
        pos = 0 if pos is None else pos + 1
        if pos >= len(codes):
            codes, pos = tour_order(rank_attention(snap.leaves, 10)), 0
        if not codes:
            return no_update, [], hide, screen
        screen |= {"codes": codes, "pos": pos}
        row: Any = grids.loc[codes[pos]]
        box = unit_bounds(pool, str(row["code"]), pad=1.5)  # the grid amid its neighbours
        view: Any = {"bounds": box, "transition": "flyToBounds"} if box else no_update
        card = [
            html.Div(f"{t('tour', lang)} {pos + 1}/{len(codes)}", className="tour-step"),
            html.Div(row["name"], className="tour-name", id="tour-name"),
            html.Div(
                [t(row["composite"], lang), " · ", reasons_text(list(row["reasons"]), lang)],
                className=f"badge badge-{row['composite']}",
            ),
            html.Div(
                f"{t('open', lang)} {row['open']} · {t('overdue', lang)} {row['overdue']}",
                className="tour-counts",
            ),
        ]
        return view, card, hide, screen


def takeover(severe: dict[str, Any], text: CatalogText, lang: str, tz: str) -> list[Any]:
    """What fills the wall when a new severity-1 case arrives."""
    return [
        html.Div(t("takeover", lang), className="takeover-title"),
        html.Div(
            text.value("incident", "category", severe["category"], lang), className="takeover-what"
        ),
        html.Div(
            [
                severe["grid_name"] or t("unassigned", lang),
                " · ",
                fmt_datetime(severe["reported_at"], lang, tz),
            ],
            className="takeover-where",
        ),
        html.Div(severe["code"], className="takeover-code"),
    ]
