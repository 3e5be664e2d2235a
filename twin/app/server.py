"""The Dash app: one shell whose URL picks the cockpit, a unit's page or the wall screen."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from dash import ClientsideFunction, Dash, Input, Output, Patch, State, html, no_update
from dash.exceptions import PreventUpdate
from psycopg_pool import ConnectionPool

from twin.activity import Clock, fetch_activity, fetch_trend, search_units
from twin.app import ids
from twin.app.callbacks import register_screen, register_unit_callbacks
from twin.app.i18n import dropdown_labels, fmt_datetime, t
from twin.app.layout import build_shell
from twin.app.mapdata import MapData, register_routes, snap_bbox, unit_bounds
from twin.app.metrics import build_hideout, build_legend, catalog_metrics, hideout_changes
from twin.app.pages import (
    COCKPIT_TITLE_KEYS,
    auto_levels,
    control_options,
    drawn_layers,
    lang_href,
    level_for_zoom,
    nav,
    parse_route,
)
from twin.app.snapshot import Snapshot, Snapshots
from twin.app.unit_page import build_unit_body, build_unit_head
from twin.app.views import (
    CatalogText,
    build_attention,
    build_feed,
    build_tiles,
    feed_rows,
    rank_attention,
    tile_values,
    trend_figure,
)
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.db.queries import query
from twin.package_data import data_dir
from twin.settings import Settings
from twin.spatial.status import Thresholds
from twin.store import NotFound, fetch_grid_detail

ASSETS = data_dir("assets")


def _extent(pool: ConnectionPool) -> tuple[list[list[float]], dict[str, float]]:
    """The city's bounds and each level's typical unit width in degrees."""
    with pool.connection() as conn:
        rows = conn.execute(query("map_extent")).fetchall()
    if not rows or rows[0][2] is None:  # no units yet: somewhere to look until loaded
        return [[30.5, 114.2], [30.7, 114.4]], {}
    _, _, xmin, ymin, xmax, ymax = rows[0]
    return [[ymin, xmin], [ymax, xmax]], {r[0]: float(r[1]) for r in rows}


def create_app(settings: Settings, pool: ConnectionPool) -> Dash:
    """Build the app over a connection pool; nothing in it reaches outside its own server."""
    os.environ.setdefault("DASH_DISABLE_VERSION_CHECK", "true")  # debug mode would call out
    thresholds = Thresholds.from_settings(settings)
    layers = load_catalog(settings.layers_dir)
    text = CatalogText(layers)
    metrics = {m.key: m for m in catalog_metrics(layers)}
    terms = Terms.of(layers)
    point_layers = drawn_layers(layers)
    devices = [layers[p] for p in terms.device_layers]
    bounds, widths = _extent(pool)
    zoom_levels = auto_levels(widths, terms.levels)
    mapdata = MapData(pool, layers)
    counts = mapdata.level_counts()
    loaded = [level for level in terms.levels if counts.get(level)] or list(terms.levels)
    snapshots = Snapshots(
        pool, thresholds, settings.timezone, settings.refresh_seconds / 2, terms=terms
    )
    snapshots.start()

    app = Dash(
        __name__,
        assets_folder=str(ASSETS),
        title=t("title", settings.lang),
        serve_locally=True,
        compress=True,
        suppress_callback_exceptions=True,  # the unit page's table exists only on unit pages
        update_title="",
    )
    register_routes(app.server, mapdata)
    # Encode the whole-level outlines now, not on the first visitor's clock.
    threading.Thread(target=mapdata.warm, args=(counts,), daemon=True).start()
    first_options = control_options(tuple(metrics.values()), text, settings.lang, loaded)[0]
    app.layout = build_shell(
        bounds,
        settings.basemap_url,
        point_layers,
        settings.refresh_seconds * 1000,
        first_options,
        settings.tour_seconds * 1000,
        city_outline(counts, terms.levels),
    )

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
    def words(search: str | None) -> tuple[Any, ...]:
        lang = parse_route("/", search, settings.lang).lang
        metric_opts, level_opts, layer_opts = control_options(
            tuple(metrics.values()), text, lang, loaded
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
            *[t(k, lang) for k in COCKPIT_TITLE_KEYS],
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
        Output(ids.TOUR_TICK, "disabled"),
        Input(ids.URL, "pathname"),
        Input(ids.URL, "search"),
    )
    def route(pathname: str | None, search: str | None) -> tuple[Any, ...]:
        r = parse_route(pathname, search, settings.lang)
        head: list[Any] = []
        if r.mode == "unit" and r.unit:
            try:
                head = unit_side(r.unit, r.lang)
            except NotFound:
                head = [t("not_found", r.lang, code=r.unit)]
        elif r.mode == "missing":
            head = [t("not_found", r.lang, code=pathname)]
        on_cockpit = r.mode in ("cockpit", "screen")
        return (
            r.data(),
            "shell screen" if r.mode == "screen" else f"shell mode-{r.mode}",
            nav(r),
            lang_href(pathname, r.lang),
            not on_cockpit,
            on_cockpit,
            head,
            [],  # the body follows from its own callback; the last unit's must not linger
            r.mode != "screen",
        )

    @app.callback(
        Output(ids.MAP, "viewport"),
        Output(ids.SELECTED, "url"),
        Input(ids.STATE, "data"),
    )
    def move_map(state: dict[str, Any] | None) -> tuple[Any, Any]:
        if state and state.get("unit"):
            box = unit_bounds(pool, state["unit"])
            outline = f"/twin/outline/{quote(state['unit'])}.pbf"
            return ({"bounds": box} if box else no_update), outline
        if state and state["mode"] == "screen":
            raise PreventUpdate  # the tour moves the wall's map
        return {"bounds": bounds}, None

    def unit_side(code: str, lang: str) -> list[Any]:
        clock = Clock.current(settings.timezone)
        with pool.connection() as conn:
            detail = fetch_grid_detail(conn, code, at=clock.now, thresholds=thresholds, lists=False)
            activity = fetch_activity(conn, detail.grid["id"], clock)
        return build_unit_head(detail, activity, text, lang)

    @app.callback(
        Output(ids.UNIT_BODY, "children", allow_duplicate=True),
        Input(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def unit_body(state: dict[str, Any] | None) -> list[Any]:
        if not state or state["mode"] != "unit":
            raise PreventUpdate
        clock = Clock.current(settings.timezone)
        try:
            with pool.connection() as conn:  # the case table pages itself: no cases here
                detail = fetch_grid_detail(
                    conn,
                    state["unit"],
                    at=clock.now,
                    thresholds=thresholds,
                    cases=False,
                    devices=devices,
                )
                trend = fetch_trend(conn, detail.grid["id"], clock, terms.categories)
        except NotFound:
            raise PreventUpdate from None
        return build_unit_body(detail, trend, text, state["lang"], settings.timezone)

    @app.callback(
        Output(ids.UNITS, "url"),
        Output(ids.UNITS, "hideout"),
        Output(ids.LEGEND, "children"),
        Output(ids.MAP_KEY, "data"),
        Input(ids.STATE, "data"),
        Input(ids.METRIC, "value"),
        Input(ids.LEVEL, "value"),
        Input(ids.MAP, "zoom"),
        Input(ids.MAP, "bounds"),
        Input(ids.REFRESH, "n_intervals"),
        State(ids.MAP_KEY, "data"),
    )
    def colour_map(
        state: dict[str, Any] | None,
        metric_key: str,
        level_choice: str,
        zoom: float | None,
        view: Any,
        _: int | None,
        key: dict[str, Any] | None,
    ) -> tuple[Any, ...]:
        if not state:
            raise PreventUpdate
        lang = state["lang"]
        level = (
            level_for_zoom(zoom_levels, zoom, terms.finest)
            if level_choice == "auto"
            else level_choice
        )
        url = f"/twin/outlines/{level}.pbf"
        box = None
        if not mapdata.sent_whole(level, counts):
            # Snapped, so small pans keep the same URL (no refetch, no new values).
            box = snap_bbox(",".join(str(v) for v in _wsen(view or bounds)))
            url += "?bbox=" + ",".join(f"{v:.2f}" for v in box)
        snap = snapshots.current()
        metric = metrics.get(metric_key) or metrics["composite"]
        # The page's unit is drawn by its own layer: navigating never restyles every unit.
        want = {"level": level, "metric": metric.key, "lang": lang, "url": url}
        same_view = key is not None and all(key.get(k) == v for k, v in want.items())
        if same_view and key is not None and key.get("version") == snap.version:
            raise PreventUpdate  # a pan or zoom that changes nothing on the map
        in_view = mapdata.codes_in(level, box) if box else None
        hideout = build_hideout(_only(snap.levels[level], in_view), metric, lang)
        legend = legend_children(build_legend(metric, hideout["values"], lang))
        old = snapshots.get(key.get("version")) if same_view and key else None
        if old is not None:
            # Same map, newer values: send only the grids whose values changed.
            before = build_hideout(_only(old.levels[level], in_view), metric, lang)
            changes = hideout_changes(before, hideout)
            if not changes and before["breaks"] == hideout["breaks"]:
                return no_update, no_update, no_update, want | {"version": snap.version}
            patch = Patch()
            for part, changed in changes.items():
                patch[part].update(changed)
            patch["breaks"] = hideout["breaks"]
            return no_update, patch, legend, want | {"version": snap.version}
        return url, hideout, legend, want | {"version": snap.version}

    @app.callback(
        Output(ids.CITY_TILES, "children"),
        Output(ids.ATTENTION, "children"),
        Output(ids.TREND, "figure"),
        Output(ids.FEED, "children"),
        Output(ids.UPDATED, "children"),
        Output(ids.COCKPIT_KEY, "data"),
        Input(ids.REFRESH, "n_intervals"),
        Input(ids.STATE, "data"),
        State(ids.COCKPIT_KEY, "data"),
    )
    def refresh_cockpit(
        _: int | None, state: dict[str, Any] | None, held: dict[str, str] | None
    ) -> tuple[Any, ...]:
        if not state or state["mode"] not in ("cockpit", "screen"):
            raise PreventUpdate
        lang = state["lang"]
        snap = snapshots.current()
        dark = state["mode"] == "screen"
        updated = t("updated", lang, time=fmt_datetime(snap.clock.now, lang, settings.timezone))
        ranked = rank_attention(snap.leaves, 10)
        parts = {
            "tiles": lambda: build_tiles(tile_values(snap.city, snap.activity), lang, "city"),
            "attention": lambda: build_attention(ranked, lang),
            "trend": lambda: trend_figure(snap.trend, text, lang, dark=dark),
            "feed": lambda: build_feed(feed_rows(snap.feed.head(8), text, lang, settings.timezone)),
        }
        # What each part shows, in short: a part the page already holds is not sent again.
        keys = section_keys(snap, ranked, state)
        held = held or {}
        out = [no_update if held.get(k) == keys[k] else build() for k, build in parts.items()]
        return (*out, updated, keys)

    # Navigation happens in the browser (assets/twin_map.js): no round trip before the page.
    app.clientside_callback(
        ClientsideFunction("twin", "goToUnit"),
        Output(ids.URL, "pathname"),
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
    def search_options(typed: str | None, state: Any) -> list[dict[str, str]]:
        if not typed:
            raise PreventUpdate
        lang = (state or {}).get("lang", settings.lang)
        with pool.connection() as conn:
            found = search_units(conn, typed)
        return [
            {
                "label": f"{u['name']} · {text.level(u['level'], lang)} {u['code']}",
                "value": u["code"],
            }
            for u in found
        ]

    @app.callback(
        [Output(ids.points(p), "url") for p in point_layers]
        + [Output(ids.points(p), "hideout") for p in point_layers],
        Input(ids.LAYERS, "value"),
        Input(ids.STATE, "data"),
    )
    def toggle_points(chosen: list[str] | None, state: Any) -> list[Any]:
        if not state:
            raise PreventUpdate
        lang, unit = state["lang"], state.get("unit")
        urls, hideouts = [], []
        for p in point_layers:
            field = layers[p].style.color_by or "status"
            on = p in (chosen or [])
            suffix = f"?unit={unit}" if unit else ""
            urls.append(f"/twin/points/{p}.pbf{suffix}" if on else None)
            hideouts.append(
                {
                    "layer": p,
                    "colours": text.colours(p, field),
                    "labels": {o["value"]: o["label"] for o in text.options(p, field, lang)},
                }
            )
        return urls + hideouts

    register_unit_callbacks(app, pool, text, settings.timezone)
    register_screen(app, pool, snapshots, settings, text)
    return app


def city_outline(counts: dict[str, int], levels: Sequence[str]) -> str | None:
    """The URL of the outlines drawn under everything: the coarsest level the city has,
    when it is small enough to send whole (none otherwise: a frame of 20k grids is noise)."""
    level = next((lv for lv in levels if counts.get(lv)), None)
    if level is None or not MapData.sent_whole(level, counts):
        return None
    return f"/twin/outlines/{level}.pbf"


def section_keys(snap: Snapshot, ranked: Any, state: dict[str, Any]) -> dict[str, str]:
    """A short digest of what each cockpit part would show (language and mode included)."""
    context = f"{state['lang']}|{state['mode']}|"
    city = tile_values(snap.city, snap.activity)
    attention = ranked[["code", "composite", "overdue", "open"]].to_numpy().tolist()
    return {
        "tiles": digest(context + repr(sorted(city.items()))),
        "attention": digest(context + repr(attention) + repr(list(ranked["reasons"]))),
        "trend": digest(context + snap.trend.to_json()),
        "feed": digest(context + snap.feed.drop(columns=["lon", "lat"]).to_json()),
    }


def digest(text: str) -> str:
    """A short stable digest."""
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _only(frame: Any, codes: frozenset[str] | None) -> Any:
    """The rows of the units in view (all when the whole level is drawn)."""
    return frame if codes is None else frame[frame["code"].isin(codes)]


def _wsen(view: Any) -> tuple[float, float, float, float]:
    """Leaflet bounds [[s, w], [n, e]] as (w, s, e, n)."""
    (s, w), (n, e) = view
    return (w, s, e, n)


def legend_children(entries: list[dict[str, str]]) -> list[Any]:
    """The legend: a swatch and a label per class."""
    return [
        html.Div(
            [html.Span(className="swatch", style={"background": e["colour"]}), e["label"]],
            className="legend-item",
        )
        for e in entries
    ]
