"""Callbacks of the map: where it looks, what colours its units, which points it shows."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

from dash import Dash, Input, Output, Patch, State, html, no_update
from dash.exceptions import PreventUpdate

from twin.app import ids
from twin.app.context import AppContext
from twin.app.i18n import t
from twin.app.inputs import dict_or_none, leaflet_bounds, number, read_state, strings
from twin.app.mapdata import snap_bbox, unit_bounds
from twin.app.metrics import build_hideout, build_legend, hideout_changes
from twin.app.pages import level_for_zoom
from twin.app.pointmap import point_hideout, point_legend
from twin.app.snapshot import Snapshot
from twin.app.windows import WindowFigures


def register_map(app: Dash, ctx: AppContext) -> None:
    """The map's viewport, its units' colours and legend, and its point layers."""
    bounds, snapshots, mapdata, metrics = ctx.bounds, ctx.snapshots, ctx.mapdata, ctx.metrics

    @app.callback(
        Output(ids.MAP, "viewport"),
        Output(ids.SELECTED, "url"),
        Input(ids.STATE, "data"),
    )
    def move_map(state: Any) -> tuple[Any, Any]:
        route = read_state(state)
        if route and route.mode == "unit" and route.unit:  # own pages' keys are no units
            box = unit_bounds(ctx.pool, route.unit)
            outline = outline_url(route.unit, snapshots.current().map_version)
            return ({"bounds": box} if box else no_update), outline
        if route and route.mode == "screen":
            raise PreventUpdate  # the tour moves the wall's map
        return {"bounds": bounds}, None

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
        state: Any, metric_key: Any, level_choice: Any, zoom: Any, view: Any, _: Any, key: Any
    ) -> tuple[Any, ...]:
        route = read_state(state)
        if route is None:
            raise PreventUpdate
        lang = route.lang
        key = dict_or_none(key)
        # An unknown level or metric reads as the default choice, as the controls offer.
        if level_choice in ctx.terms.levels:
            level = level_choice
        else:
            level = level_for_zoom(ctx.zoom_levels, number(zoom), ctx.terms.finest)
        snap = snapshots.current()
        params = {"map": map_param(snap.map_version)}
        box = None
        if not mapdata.sent_whole(level, ctx.counts):
            # Snapped, so small pans keep the same URL (no refetch, no new values).
            box = snap_bbox(",".join(str(v) for v in _wsen(leaflet_bounds(view) or bounds)))
            params["bbox"] = ",".join(f"{v:.2f}" for v in box)
        url = f"/twin/outlines/{level}.pbf?" + urlencode(params, safe=",")
        metric = (
            metrics.get(metric_key if isinstance(metric_key, str) else "") or metrics["composite"]
        )
        # The page's unit is drawn by its own layer: navigating never restyles every unit.
        want = {"level": level, "metric": metric.key, "lang": lang, "url": url}
        want["window"] = route.window  # what incidents_window counts
        same_view = key is not None and all(key.get(k) == v for k, v in want.items())
        if same_view and key is not None and key.get("version") == snap.version:
            raise PreventUpdate  # a pan or zoom that changes nothing on the map
        # Every page with the same view of the same snapshot is sent the same: built once.
        view = (level, metric.key, lang, route.window, box)

        def colours(snap: Snapshot, figures: WindowFigures) -> dict[str, Any]:
            in_view = mapdata.codes_in(level, box) if box else None
            return build_hideout(_only(figures.level(snap, level), in_view), metric, lang)

        def coloured(snap: Snapshot) -> dict[str, Any]:
            return colours(snap, ctx.windows.of(snap, route.time_window))

        def legend_of(snap: Snapshot) -> Any:
            values = ctx.shown.of("hideout", view, snap, coloured)["values"]
            return legend_children(build_legend(metric, values, lang), lang)

        # Built for the next versions ahead too, by the snapshot reader.
        hideout = ctx.shown.of("hideout", view, snap, coloured)
        legend = ctx.shown.of("legend", view, snap, legend_of)
        version = key.get("version") if same_view and key else None
        old = snapshots.get(version) if isinstance(version, int) else None
        held = ctx.windows.held(old, route.time_window) if old is not None else None
        if old is not None and held is not None:
            # Same map, newer values: send only the grids whose values changed.
            before = ctx.shown.get(("hideout", old.version, view), lambda: colours(old, held))
            changes = ctx.shown.get(
                ("changes", old.version, snap.version, view),
                lambda: hideout_changes(before, hideout),
            )
            classes = [(h["breaks"], h["ramp"]) for h in (before, hideout)]
            if not changes and classes[0] == classes[1]:
                return no_update, no_update, no_update, want | {"version": snap.version}
            patch = Patch()
            for part, changed in changes.items():
                patch[part].update(changed)
            patch["breaks"], patch["ramp"] = hideout["breaks"], hideout["ramp"]
            return no_update, patch, legend, want | {"version": snap.version}
        return url, hideout, legend, want | {"version": snap.version}

    @app.callback(
        [Output(ids.points(p), "url") for p in ctx.point_layers]
        + [Output(ids.points(p), "hideout") for p in ctx.point_layers]
        + [Output(ids.POINT_LEGEND, "children")],
        Input(ids.LAYERS, "value"),
        Input(ids.STATE, "data"),
    )
    def toggle_points(chosen: Any, state: Any) -> list[Any]:
        route, shown = read_state(state), strings(chosen)
        if route is None or shown is None:
            raise PreventUpdate
        lang, tz = route.lang, ctx.settings.timezone
        unit = route.unit if route.mode == "unit" else None  # own pages' keys are no units
        suffix = f"?unit={quote(unit, safe='')}" if unit else ""
        on = [p for p in ctx.point_layers if p in shown]
        urls = [f"/twin/points/{p}.pbf{suffix}" if p in on else None for p in ctx.point_layers]
        hideouts = [point_hideout(ctx.layers[p], ctx.text, lang, tz) for p in ctx.point_layers]
        legend = point_legend([ctx.layers[p] for p in on], ctx.text, lang)
        return [*urls, *hideouts, legend]

    # The outlines follow the map's fingerprint the page hears with each version (set only
    # when it moves), not every version: a request per page per version would say "same".
    @app.callback(
        Output(ids.CITY, "url"),
        Input(ids.MAP_SEEN, "data"),
        State(ids.CITY, "url"),
        prevent_initial_call=True,
    )
    def outline_city(_: Any, current: Any) -> Any:
        """The city outline under every page (the wall's too), fetched anew for a new map."""
        if not isinstance(current, str) or not current:
            raise PreventUpdate  # the city is too large to send whole: no such layer
        return renewed(current, snapshots.current().map_version)

    @app.callback(
        Output(ids.SELECTED, "url", allow_duplicate=True),
        Input(ids.MAP_SEEN, "data"),
        State(ids.SELECTED, "url"),
        prevent_initial_call=True,
    )
    def outline_selected(_: Any, current: Any) -> Any:
        """The open unit's outline, fetched anew when a published plan reshapes it."""
        if not isinstance(current, str) or not current.startswith("/twin/outline/"):
            raise PreventUpdate  # no unit open (the wall's tour sets its own)
        return renewed(current, snapshots.current().map_version)

    # Follows the units' URL, not the key: the key moves with every pushed version, and a
    # request per page per version would only say the same URL again.
    @app.callback(Output(ids.PARENTS, "url"), Input(ids.UNITS, "url"), State(ids.MAP_KEY, "data"))
    def outline_parents(_: Any, key: Any) -> Any:
        """The drawn level's parents over it (in the same viewport box when cut to one)."""
        return parents_url(ctx, dict_or_none(key))


def parents_url(ctx: AppContext, key: dict[str, Any] | None) -> str | None:
    """The URL of the outlines of the level above the map's (none above the top level)."""
    level = (key or {}).get("level")
    if level not in ctx.terms.levels:
        raise PreventUpdate
    parent = ctx.terms.parent(level)
    if parent is None:
        return None
    _, _, query = str((key or {}).get("url", "")).partition("?")
    given = dict(parse_qsl(query))
    params = {k: v for k, v in given.items() if k == "map"}  # new outlines when the map changes
    if not ctx.mapdata.sent_whole(parent, ctx.counts) and "bbox" in given:
        params["bbox"] = given["bbox"]
    return f"/twin/outlines/{parent}.pbf" + ("?" + urlencode(params, safe=",") if params else "")


def map_param(fingerprint: tuple[int, int]) -> str:
    """The grid table's fingerprint as the outline URLs' `map` parameter: a new map, a new
    URL, so an open page fetches the new outlines (the server ignores the parameter)."""
    return f"{fingerprint[0]}-{fingerprint[1]}"


def with_map(url: str, fingerprint: tuple[int, int]) -> str:
    """An outline URL with its `map` parameter set to the grid table's fingerprint (the
    other parameters kept)."""
    path, _, query = url.partition("?")
    params = dict(parse_qsl(query)) | {"map": map_param(fingerprint)}
    return f"{path}?" + urlencode(params, safe=",")


def renewed(current: str, fingerprint: tuple[int, int]) -> str:
    """The outline URL for the map now; no update when the page's URL is already it."""
    url = with_map(current, fingerprint)
    if url == current:
        raise PreventUpdate
    return url


def outline_url(code: str, fingerprint: tuple[int, int]) -> str:
    """One unit's outline URL, new when the map is: the wall's tour marks its grid by it."""
    return with_map(f"/twin/outline/{quote(code, safe='')}.pbf", fingerprint)


def _only(frame: Any, codes: frozenset[str] | None) -> Any:
    """The rows of the units in view (all when the whole level is drawn)."""
    return frame if codes is None else frame[frame["code"].isin(codes)]


def _wsen(view: Any) -> tuple[float, float, float, float]:
    """Leaflet bounds [[s, w], [n, e]] as (w, s, e, n)."""
    (s, w), (n, e) = view
    return (w, s, e, n)


def legend_children(entries: list[dict[str, Any]], lang: str, outline: bool = True) -> list[Any]:
    """The legend: a swatch and a label per class, then (outline) what the heavy outline
    of an alert unit means."""
    items = [
        html.Div(
            [html.Span(className="swatch", style={"background": e["colour"]}), e["label"]],
            className="legend-item",
        )
        for e in entries
    ]
    if outline:
        mark = html.Span(className="swatch swatch-alert")
        items.append(html.Div([mark, t("alert_outline", lang)], className="legend-item"))
    return items
