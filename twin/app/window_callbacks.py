"""Callbacks of the time window: its words and choice from the URL, the URL from the choice."""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State

from twin.app import ids
from twin.app.context import AppContext
from twin.app.i18n import t
from twin.app.pages import parse_route
from twin.app.window_views import control_state, window_options


def register_window(app: Dash, ctx: AppContext) -> None:
    """The window bar follows the URL; a new choice goes into the URL (in the browser)."""
    settings = ctx.settings

    @app.callback(
        Output(ids.WINDOW_LABEL, "children"),
        Output(ids.WINDOW, "options"),
        Output(ids.WINDOW, "value"),
        Output(ids.WINDOW_RANGE, "start_date"),
        Output(ids.WINDOW_RANGE, "end_date"),
        Output(ids.WINDOW_RANGE, "start_date_placeholder_text"),
        Output(ids.WINDOW_RANGE, "end_date_placeholder_text"),
        Output(ids.WINDOW_SEEN, "data"),
        Input(ids.URL, "search"),
    )
    def window_words(search: Any) -> tuple[Any, ...]:
        route = parse_route("/", search, settings.lang)
        lang = route.lang
        choice, first, last = control_state(route.time_window)
        searched = search if isinstance(search, str) else ""
        return (
            t("window", lang),
            window_options(lang),
            choice,
            first,
            last,
            t("start_date", lang),
            t("end_date", lang),
            {"search": searched, "choice": choice, "start": first, "end": last},
        )

    # The URL is the page's state: a choice changes it, and the route follows (no reload).
    # What the bar was set to for an older URL (an answer that arrived after a second back)
    # is not a choice: WINDOW_SEEN tells the two apart.
    app.clientside_callback(
        ClientsideFunction("twinWindow", "toSearch"),
        Output(ids.URL, "search", allow_duplicate=True),
        Input(ids.WINDOW, "value"),
        Input(ids.WINDOW_RANGE, "start_date"),
        Input(ids.WINDOW_RANGE, "end_date"),
        State(ids.URL, "search"),
        State(ids.WINDOW_DEFAULT, "data"),
        State(ids.WINDOW_SEEN, "data"),
        prevent_initial_call=True,
    )
    app.clientside_callback(
        ClientsideFunction("twinWindow", "rangeStyle"),
        Output(ids.WINDOW_RANGE, "style"),
        Input(ids.WINDOW, "value"),
    )
