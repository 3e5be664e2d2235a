"""Callbacks of the hotspot page: its parts on arrival, the filters into the URL, the
analysis out of the URL (through the result cache), a picked hotspot's cases."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from twin.app import ids
from twin.app.context import AppContext
from twin.app.hotspots.layout import hotspots_section
from twin.app.hotspots.results import register_results
from twin.app.hotspots.views import (
    Controls,
    HotspotPage,
    field_options,
    filters_of,
    page_search,
    read_page,
)
from twin.app.i18n import t
from twin.app.inputs import dict_or_none, read_state, text_value
from twin.hotspots.filters import FilterError


def register_hotspots(app: Dash, ctx: AppContext) -> None:
    """The hotspot page's callbacks."""
    settings = ctx.settings

    @app.callback(
        Output(ids.HOTSPOTS_PAGE, "children"),
        Output(ids.HOT_BUILT, "data"),
        Input(ids.STATE, "data"),
        State(ids.URL, "search"),
        State(ids.HOT_BUILT, "data"),
    )
    def build(state: Any, search: Any, built: Any) -> tuple[Any, Any]:
        route = read_state(state)
        if route is None:
            raise PreventUpdate
        if route.mode != "hotspots":
            return ([], None) if built is not None else (no_update, no_update)
        if built == route.lang:
            raise PreventUpdate  # a new filter: the parts stay, the analysis follows the URL
        page = read_page(search, settings.lang, ctx.layers, ctx.loaded[-1])
        return hotspots_section(ctx, page), route.lang

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Output(ids.HOT_ERROR, "children", allow_duplicate=True),
        Output(ids.HOT_RANGE, "style"),
        Output(ids.HOT_HEX, "disabled"),
        Output(ids.HOT_CATEGORY, "options"),
        Output(ids.HOT_SOURCE, "options"),
        Output(ids.HOT_SEVERITY, "options"),
        *[Input(i, "value") for i in ids.HOT_CONTROLS],
        Input(ids.HOT_RANGE, "start_date"),
        Input(ids.HOT_RANGE, "end_date"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def filters_to_url(*values: Any) -> tuple[Any, ...]:
        *chosen, start, end, search = values
        layer, cats, sources, sevs, status, window, unit, hex_m, view = chosen
        current = read_page(search, settings.lang, ctx.layers, ctx.loaded[-1])
        lang = current.lang
        controls = Controls(layer, cats, sources, sevs, status, window, start, end, unit, hex_m)
        shown = (
            {} if window == "custom" else {"display": "none"},
            unit != "hex",
            *[
                field_options(
                    ctx.layers, ctx.text, layer if isinstance(layer, str) else "", f, lang
                )
                for f in ("category", "source", "severity")
            ],
        )
        if window == "custom" and not (start and end):
            return (no_update, "", *shown)  # a range waits for both its dates
        try:
            filters = filters_of(controls, ctx.layers, settings.timezone)
        except FilterError as exc:
            return (no_update, t("bad_filter", lang, why=str(exc)), *shown)
        view = view if isinstance(view, str) else "classes"
        # A picked hotspot belongs to the filters that found it.
        pick = current.pick if filters == current.filters else None
        wanted = page_search(HotspotPage(filters, view, lang, pick))
        return (no_update if wanted == search else wanted, "", *shown)

    # A row of the ranked list is a link to its pick; a unit clicked on the map picks it here.
    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(ids.HOT_UNITS, "clickData"),
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def pick(feature: Any, search: Any) -> Any:
        props = dict_or_none((dict_or_none(feature) or {}).get("properties")) or {}
        code = text_value(props.get("code"))
        if not code:
            raise PreventUpdate
        page = read_page(search, settings.lang, ctx.layers, ctx.loaded[-1])
        wanted = page_search(HotspotPage(page.filters, page.view, page.lang, code))
        return no_update if wanted == search else wanted

    register_results(app, ctx)
