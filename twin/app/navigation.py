"""Callbacks of the page frame: words in the page's language, the URL's page, search, clicks."""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State
from dash.exceptions import PreventUpdate

from twin.activity import Clock, search_units
from twin.app import ids
from twin.app.context import AppContext
from twin.app.hotspots.views import hotspots_href
from twin.app.i18n import dropdown_labels, other_lang, t
from twin.app.inputs import read_state, text_value
from twin.app.own_pages import OWN_PAGES, own_page
from twin.app.pages import (
    cockpit_titles,
    control_options,
    lang_href,
    nav,
    own_lang_href,
    parse_route,
)
from twin.app.unit_callbacks import unit_head
from twin.store import NotFound


def register_navigation(app: Dash, ctx: AppContext) -> None:
    """The words, the page the URL asks for, the search box and map-click navigation."""
    settings, metrics, text = ctx.settings, ctx.metrics, ctx.text

    # Three callbacks, so a click paints its page first: words that change only with the
    # language, the page itself, and the map's move (re-drawing thousands of outlines).
    @app.callback(
        Output(ids.TITLE, "children"),
        Output(ids.SEARCH, "placeholder"),
        Output(ids.SEARCH, "labels"),
        Output(ids.METRIC, "labels"),
        Output(ids.LANG_LINK, "children"),
        Output(ids.METRIC_LABEL, "children"),
        Output(ids.METRIC, "options"),
        Output(ids.LEVEL_LABEL, "children"),
        Output(ids.LEVEL, "options"),
        Output(ids.LAYERS_LABEL, "children"),
        Output(ids.LAYERS, "options"),
        *[Output(i, "children") for i in ids.COCKPIT_TITLES],
        Input(ids.URL, "search"),
    )
    def words(search: Any) -> tuple[Any, ...]:
        r = parse_route("/", search, settings.lang)
        lang = r.lang
        metric_opts, level_opts, layer_opts = control_options(
            tuple(metrics.values()), text, lang, ctx.loaded
        )
        return (
            t("title", lang),
            t("search", lang),
            dropdown_labels(lang),
            dropdown_labels(lang),
            t("lang_switch", lang),
            t("metric", lang),
            metric_opts,
            t("level", lang),
            level_opts,
            t("layers", lang),
            layer_opts,
            *cockpit_titles(r, Clock.current(settings.timezone)),
        )

    @app.callback(
        Output(ids.STATE, "data"),
        Output(ids.SHELL, "className"),
        Output(ids.NAV, "children"),
        Output(ids.LANG_LINK, "href"),
        Output(ids.COCKPIT, "hidden"),
        Output(ids.UNIT_PAGE, "hidden"),
        Output(ids.UNIT_HEAD, "children"),
        Output(ids.UNIT_BODY, "children"),
        Output(ids.UNIT_CASES, "children"),
        Output(ids.UNIT_DEVICES, "children"),
        Output(ids.TOUR_TICK, "disabled"),
        *[Output(p.container, "hidden") for p in OWN_PAGES],
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
    )
    def route(pathname: Any, search: Any) -> tuple[Any, ...]:
        r = parse_route(pathname, search, settings.lang)
        head: list[Any] = []
        if r.mode == "unit" and r.unit:
            try:
                head = unit_head(ctx, r.unit, r.lang, r.time_window)
            except NotFound:
                head = [t("not_found", r.lang, code=r.unit)]
        elif r.mode == "missing":
            head = [t("not_found", r.lang, code=text_value(pathname) or "")]
        on_cockpit = r.mode in ("cockpit", "screen")
        own = own_page(r.mode) is not None
        return (
            r.data(),
            "shell screen" if r.mode == "screen" else f"shell mode-{r.mode}" + " own" * own,
            nav(r),
            hotspots_href(search, other_lang(r.lang), ctx.layers, ctx.loaded[-1])
            if r.mode == "hotspots"
            else own_lang_href(r, search)
            if own
            else lang_href(r),
            not on_cockpit,
            on_cockpit,
            head,
            [],  # the body follows from its own callback; the last unit's must not linger
            [],  # a new case table for each unit: the grid asks for its rows as it is made
            [],
            r.mode != "screen",
            *[p.mode != r.mode for p in OWN_PAGES],
        )

    # Navigation happens in the browser (assets/twin_map.js): no round trip before the page.
    # The search is set with the path, so the page keeps its language.
    app.clientside_callback(
        ClientsideFunction("twin", "goToUnit"),
        Output(ids.URL, "pathname"),
        Output(ids.URL, "search"),
        Input(ids.UNITS, "clickData"),
        Input(ids.SEARCH, "value"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(ids.SEARCH, "options"),
        Input(ids.SEARCH, "search_value"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def search_options(typed: Any, state: Any) -> list[dict[str, str]]:
        typed = text_value(typed)
        if not typed:
            raise PreventUpdate
        route = read_state(state)
        lang = route.lang if route else settings.lang
        with ctx.pool.connection() as conn:
            found = search_units(conn, typed)
        return [
            {
                "label": f"{u['name']} · {text.level(u['level'], lang)} {u['code']}",
                "value": u["code"],
            }
            for u in found
        ]
