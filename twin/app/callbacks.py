"""Callbacks of the unit page's case table and of the wall screen's tour and takeover."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import dash_leaflet as dl
from dash import ClientsideFunction, Dash, Input, Output, State, html, no_update
from dash.exceptions import PreventUpdate
from psycopg_pool import ConnectionPool

from twin.activity import Clock, fetch_pin_cases
from twin.app import ids
from twin.app.cases.reads import fetch_moves
from twin.app.cases.views import with_case_actions
from twin.app.hotspots.wall import WallHotspots
from twin.app.i18n import fmt_datetime, t
from twin.app.inputs import dict_or_none, number, read_state, strings, whole
from twin.app.map_callbacks import outline_url
from twin.app.mapdata import padded, unit_bounds
from twin.app.shown import already_shown
from twin.app.snapshot import Snapshots
from twin.app.tables import case_count, case_filter
from twin.app.views import (
    CatalogText,
    incident_rows,
    new_severe,
    rank_attention,
    reasons_text,
    seen_before,
    status_glyph,
    tour_order,
)
from twin.app.wall import (
    TAKEN_KEPT,
    first_status,
    pinned_cases,
    remember_taken,
    tour_label,
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
        if not request or route is None or route.mode != "unit" or route.unit is None:
            raise PreventUpdate
        if None in chosen:
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
                moves = fetch_moves(conn)
        except NotFound:
            raise PreventUpdate from None
        rows = [] if frame is None else incident_rows(frame, clock.now, text, route.lang, tz)
        if frame is not None:  # each row links to its case page and offers its quick actions
            opens = text.layers[CASES].field("status").open_values
            rows = with_case_actions(rows, list(frame["status"]), moves, opens, route.lang)
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
        Input(ids.TICK_UNIT, "data"),
        State(ids.STATE, "data"),
        State(ids.UNIT_CASES, "id"),
        prevent_initial_call=True,
    )


def register_screen(
    app: Dash,
    pool: ConnectionPool,
    snapshots: Snapshots,
    settings: Settings,
    text: CatalogText,
    hotspots: WallHotspots | None = None,
) -> None:
    """The wall: a tour of the grids needing attention, then of the strongest hotspots; a
    new severity-1 case takes over."""

    # Two callbacks, not one: Dash drops the older of two requests of the same callback, so
    # a refresh landing on a tour step would swallow the step.
    @app.callback(
        Output(ids.MAP, "viewport", allow_duplicate=True),
        Output(ids.TAKEOVER, "children"),
        Output(ids.TAKEOVER, "hidden"),
        Output(ids.ALERT, "data"),
        Input(ids.TICK_SCREEN, "data"),
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
        taken = taken_ids(alert)
        # What was there when the wall came up is not news; what came after is.
        came_up = snap.clock.now - timedelta(seconds=2 * settings.refresh_seconds)
        seen = known if known is not None else seen_before(feed, came_up)
        severe = new_severe(feed, seen)
        if severe is None:
            if known is None:
                return no_update, no_update, True, {"seen": seen, "taken": taken}
            raise PreventUpdate
        spot = {"center": [severe["lat"], severe["lon"]], "zoom": 16, "transition": "flyTo"}
        until = time.time() + settings.takeover_seconds
        shown = takeover(severe, text, route.lang, settings.timezone)
        case_id = int(severe["id"])
        alert = {"seen": case_id, "until": until, "taken": remember_taken(taken, case_id)}
        return spot, shown, False, alert

    @app.callback(
        Output(ids.MAP, "viewport", allow_duplicate=True),
        Output(ids.TOUR_CARD, "children"),
        Output(ids.TAKEOVER, "hidden", allow_duplicate=True),
        Output(ids.SCREEN, "data"),
        Output(ids.TOUR_MARK, "url"),
        Output(ids.TOUR_LABEL, "children"),
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
            if hotspots is not None:  # then the hotspots (a unit may be both: visited once)
                codes += [c for c in hotspots.codes() if c in grids.index and c not in codes]
        if not codes:
            return no_update, [], hide, screen, None, []
        screen |= {"codes": codes, "pos": pos}
        row: Any = grids.loc[codes[pos]]
        code = str(row["code"])
        box = unit_bounds(pool, code, pad=0)
        # The grid amid its neighbours, outlined and labelled for its whole step.
        view: Any = {"bounds": padded(box, 1.5), "transition": "flyToBounds"} if box else no_update
        mark = outline_url(code, snap.map_version)  # redrawn after a publish
        label = tour_marker(box, tour_label(row.to_dict(), lang)) if box else []
        card = [
            html.Div(f"{t('tour', lang)} {pos + 1}/{len(codes)}", className="tour-step"),
            html.Div(row["name"], className="tour-name", id="tour-name"),
            html.Div(
                [
                    status_glyph(row["composite"]),
                    t(row["composite"], lang),
                    " · ",
                    reasons_text(list(row["reasons"]), lang),
                ],
                className=f"badge badge-{row['composite']}",
            ),
            html.Div(
                f"{t('open', lang)} {row['open']} · {t('overdue', lang)} {row['overdue']}",
                className="tour-counts",
            ),
        ]
        hot = hotspots.note(code, lang) if hotspots is not None else None
        if hot:
            card.append(html.Div(hot, className="tour-hot", id="tour-hot"))
        return view, card, hide, screen, mark, label

    @app.callback(
        Output(ids.PINS, "children"),
        Input(ids.TICK_SCREEN, "data"),
        Input(ids.ALERT, "data"),
        State(ids.STATE, "data"),
        State(ids.PINS, "children"),
        prevent_initial_call=True,
    )
    def pins(_: Any, alert: Any, state: Any, shown: Any) -> list[Any]:
        route = read_state(state)
        if route is None or route.mode != "screen":
            raise PreventUpdate
        taken = taken_ids(alert)
        built: list[Any] = []
        if taken:
            with pool.connection() as conn:
                cases = fetch_pin_cases(conn, taken)
            built = [pin_marker(c, text, route.lang) for c in pinned_cases(cases, taken, first)]
        if already_shown(built, shown):
            raise PreventUpdate
        return built

    first = first_status(text.layers[CASES])

    # The clock and the watchdog tick in the browser (assets/twin_wall.js): a wall whose server
    # is gone must still say so. This only tells it each new snapshot and the page's language.
    app.clientside_callback(
        ClientsideFunction("twinWall", "sawData"),
        Output(ids.WATCHED, "data"),
        Input(ids.FRESH, "data"),
        Input(ids.STATE, "data"),
    )


def taken_ids(alert: Any) -> list[int]:
    """The severity-1 cases that took this wall over, as its alert store holds them."""
    taken = (dict_or_none(alert) or {}).get("taken")
    if not isinstance(taken, list):
        return []
    ids_ = [whole(i, 0, 2**63 - 1) for i in taken[:TAKEN_KEPT]]
    return [i for i in ids_ if i is not None]


def tour_marker(box: list[list[float]], label: dict[str, str]) -> list[Any]:
    """The toured grid's label: above its north edge, its name and key figure."""
    (_, w), (n, e) = box
    return [
        dl.CircleMarker(
            center=[n, (w + e) / 2],
            radius=1,
            opacity=0,
            fillOpacity=0,
            interactive=False,
            children=dl.Tooltip(
                [
                    html.Div(label["name"], className="tour-label-name"),
                    html.Div(label["figure"], className="tour-label-figure"),
                ],
                permanent=True,
                direction="top",
                className="tour-label",
            ),
        )
    ]


def pin_marker(case: dict[str, Any], text: CatalogText, lang: str) -> Any:
    """A pinned severity-1 case: a large ringed marker and a label that stays."""
    what = text.value("incident", "category", case["category"], lang)
    return dl.CircleMarker(
        center=[case["lat"], case["lon"]],
        radius=14,
        color="#ffffff",
        weight=4,
        fillColor="#b3261e",
        fillOpacity=1,
        className="pin-marker",
        interactive=False,
        children=dl.Tooltip(
            f"{t('pinned', lang)} · {what} · {case['code']}",
            permanent=True,
            direction="right",
            offset=[16, 0],
            className="pin-label",
        ),
        **{"id": f"pin-{case['id']}"},
    )


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
