"""Callbacks of the cockpit: city tiles, attention list, trend and feed, sent when changed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from dash import Dash, Input, Output, State, no_update
from dash.exceptions import PreventUpdate

from twin.app import ids
from twin.app.context import AppContext
from twin.app.i18n import fmt_datetime, t
from twin.app.inputs import Route, dict_or_none, read_state
from twin.app.json_patch import as_patch
from twin.app.snapshot import Snapshot
from twin.app.views import (
    build_attention,
    build_feed,
    build_tiles,
    feed_rows,
    rank_attention,
    tile_values,
    trend_figure,
)
from twin.app.wall import WALL_ROWS, tile_changes, wall_trend
from twin.app.windows import WindowFigures


def register_cockpit(app: Dash, ctx: AppContext) -> None:
    """The cockpit's parts, refreshed from the shared snapshot."""
    settings, text = ctx.settings, ctx.text

    @app.callback(
        Output(ids.CITY_TILES, "children"),
        Output(ids.ATTENTION, "children"),
        Output(ids.TREND, "figure"),
        Output(ids.FEED, "children"),
        Output(ids.UPDATED, "children"),
        Output(ids.COCKPIT_KEY, "data"),
        Output(ids.FRESH, "data"),
        Input(ids.REFRESH, "n_intervals"),
        Input(ids.STATE, "data"),
        State(ids.COCKPIT_KEY, "data"),
    )
    def refresh_cockpit(_: Any, state: Any, held: Any) -> tuple[Any, ...]:
        route = read_state(state)
        if route is None or route.mode not in ("cockpit", "screen"):
            raise PreventUpdate
        snap = ctx.snapshots.current()
        state = route.data()
        # Every page of the same language, mode and window is shown the same: built once
        # (and for the next versions ahead, by the snapshot reader).
        view = tuple(sorted(state.items()))
        shown = ctx.shown.of("cockpit", view, snap, lambda s: cockpit_view(s, route))
        keys, parts, updated = shown
        # What each part shows, in short: a part the page already holds is not sent again,
        # and of a trend it holds only the values that moved (today's bars) are sent.
        held = dict_or_none(held) or {}
        was, now = held.get("trend"), keys["trend"]
        whole = ctx.shown.get(("trend", now), lambda: parts["trend"])  # by digest, for later
        # What the page says it holds is a digest this server kept, or it gets the trend whole
        # (a forged one must neither fail nor fill the shared cache).
        before = ctx.shown.peek(("trend", was)) if isinstance(was, str) else None
        # One patch from each held trend to the new one, shared by the pages holding it.
        moved = (
            whole
            if before is None
            else ctx.shown.get(("trend", was, now), lambda: _moved(before, whole))
        )
        out = [
            no_update if held.get(k) == keys[k] else moved if k == "trend" else part
            for k, part in parts.items()
        ]
        # The wall's watchdog (assets/twin_wall.js) counts from the last new snapshot it saw.
        return (*out, updated, keys, {"version": snap.version})

    def cockpit_view(snap: Snapshot, route: Route) -> tuple[dict[str, str], dict[str, Any], str]:
        """The digests, the parts and the time line of the cockpit (or wall) as of snap."""
        lang = route.lang
        dark = route.mode == "screen"
        updated = t("updated", lang, time=fmt_datetime(snap.clock.now, lang, settings.timezone))
        rows = WALL_ROWS if dark else 10  # the wall shows fewer, larger rows
        ranked = rank_attention(snap.leaves, rows)
        figures = ctx.windows.of(snap, route.time_window)
        changes = tile_changes(snap.activity)
        parts = {
            "tiles": build_tiles(tile_values(snap.city, figures.activity), lang, "city", changes),
            "attention": build_attention(ranked, lang),
            # As plain JSON: a figure object is copied whole for each page it is sent to,
            # and plain values can be compared (what moved is sent as a patch).
            "trend": json.loads(
                (wall_trend if dark else _same)(
                    trend_figure(figures.trend, text, lang, dark=dark, now=snap.clock.local)
                ).to_json()
            ),
            "feed": build_feed(
                feed_rows(snap.feed.head(WALL_ROWS if dark else 8), text, lang, settings.timezone),
                lang,
            ),
        }
        return section_keys(snap, ranked, route.data(), figures), parts, updated


def _moved(before: Any, trend: Any) -> Any:
    """The trend as a patch of what the page holds (before), or whole."""
    patch = as_patch(before, trend)
    return trend if patch is None else patch


def _same(fig: Any) -> Any:
    return fig


def section_keys(
    snap: Snapshot, ranked: Any, state: dict[str, Any], figures: WindowFigures
) -> dict[str, str]:
    """A short digest of what each cockpit part would show (language, mode and window
    included)."""
    context = f"{state['lang']}|{state['mode']}|{state.get('window')}|"
    city = tile_values(snap.city, figures.activity) | {"changes": tile_changes(snap.activity)}
    attention = ranked[["code", "composite", "overdue", "open"]].to_numpy().tolist()
    return {
        "tiles": digest(context + repr(sorted(city.items()))),
        "attention": digest(context + repr(attention) + repr(list(ranked["reasons"]))),
        "trend": digest(context + figures.trend.to_json(date_format="iso")),
        "feed": digest(context + snap.feed.drop(columns=["lon", "lat"]).to_json(date_format="iso")),
    }


def digest(text: str) -> str:
    """A short stable digest."""
    return hashlib.sha1(text.encode()).hexdigest()[:12]
