"""Callbacks of the unit page's case table and of the wall screen's tour and takeover."""

from __future__ import annotations

import time
from typing import Any

from dash import Dash, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate
from psycopg_pool import ConnectionPool

from twin.activity import Clock
from twin.app import ids
from twin.app.i18n import fmt_datetime, t
from twin.app.mapdata import unit_bounds
from twin.app.snapshot import Snapshots
from twin.app.views import (
    CatalogText,
    incident_rows,
    new_severe,
    rank_attention,
    reasons_text,
    tour_order,
)
from twin.settings import Settings
from twin.store import IncidentFilter, NotFound, fetch_grid, fetch_incidents

# Table columns that sort by a stored field (age runs opposite to the report time).
SORT_FIELDS = {
    "code": ("code", False),
    "category": ("category", False),
    "severity": ("severity", False),
    "status": ("status", False),
    "reported_at": ("reported_at", False),
    "age": ("reported_at", True),
    "time_to_due": ("due_at", False),
}


def incident_filter(
    page: int, size: int, sort_by: list[dict[str, str]] | None, filters: list[Any]
) -> IncidentFilter:
    """The store filter for the table's page, sort and the three dropdowns."""
    column, direction = "reported_at", "desc"
    if sort_by:
        column, direction = sort_by[0]["column_id"], sort_by[0]["direction"]
    field, flip = SORT_FIELDS.get(column, ("reported_at", False))
    statuses, categories, severities = (tuple(f or ()) for f in filters)
    return IncidentFilter(
        statuses=statuses,
        categories=categories,
        severities=tuple(int(s) for s in severities),
        sort=field,
        descending=(direction == "desc") != flip,
        limit=size,
        offset=page * size,
    )


def register_unit_callbacks(app: Dash, pool: ConnectionPool, text: CatalogText, tz: str) -> None:
    """The unit page's case table: the server sorts, filters and pages it."""

    @app.callback(
        Output(ids.INCIDENTS, "data"),
        Output(ids.INCIDENTS, "page_count"),
        Output(ids.INCIDENTS, "page_current"),
        Input(ids.INCIDENTS, "page_current"),
        Input(ids.INCIDENTS, "page_size"),
        Input(ids.INCIDENTS, "sort_by"),
        *[Input(f, "value") for f in ids.INCIDENT_FILTERS],
        State(ids.STATE, "data"),
    )
    def incident_page(page: int | None, size: int, sort_by: Any, *rest: Any) -> tuple[Any, ...]:
        *filters, state = rest
        if not state or not state.get("unit"):
            raise PreventUpdate
        if ctx.triggered_id in ids.INCIDENT_FILTERS:
            page = 0  # a new filter starts from its first page
        flt = incident_filter(page or 0, size, sort_by, list(filters))
        clock = Clock.current(tz)
        try:
            with pool.connection() as conn:
                unit = fetch_grid(conn, state["unit"])
                frame, total = fetch_incidents(conn, unit["id"], flt)
        except NotFound:
            raise PreventUpdate from None
        rows = incident_rows(frame, clock.now, text, state["lang"], tz)
        return rows, max(1, -(-total // size)), page or 0


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
    def watch_severe(_: Any, state: Any, alert: dict[str, Any] | None) -> tuple[Any, ...]:
        if not state or state["mode"] != "screen":
            raise PreventUpdate
        feed = snapshots.current().feed
        if alert is None:  # what was there when the wall came up is not news
            return no_update, no_update, True, {"seen": int(feed["id"].max()) if len(feed) else 0}
        severe = new_severe(feed, alert["seen"])
        if severe is None:
            raise PreventUpdate
        spot = {"center": [severe["lat"], severe["lon"]], "zoom": 16, "transition": "flyTo"}
        until = time.time() + settings.takeover_seconds
        shown = takeover(severe, text, state["lang"], settings.timezone)
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
    def tour(_: Any, state: Any, screen: dict[str, Any] | None, alert: Any) -> tuple[Any, ...]:
        if not state or state["mode"] != "screen":
            raise PreventUpdate
        if alert and alert.get("until", 0) > time.time():
            raise PreventUpdate  # the takeover holds the wall; the tour waits
        lang = state["lang"]
        snap = snapshots.current()
        screen = dict(screen or {})
        # One round visits a fixed list: re-ranking every refresh would skip or repeat grids.
        grids = snap.levels["grid"].set_index("code", drop=False)
        codes = [c for c in screen.get("codes", []) if c in grids.index]
        pos = screen.get("pos", -1) + 1
        if pos >= len(codes):
            codes, pos = tour_order(rank_attention(snap.levels["grid"], 10)), 0
        if not codes:
            return no_update, [], True, screen
        screen |= {"codes": codes, "pos": pos}
        row = grids.loc[codes[pos]]
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
        return view, card, True, screen


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
