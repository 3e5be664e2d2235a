"""The analyses behind the hotspot page, kept per filters (served stale while the next is
computed), their two HTTP routes (unit outlines, density image), and the page's results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import dash_leaflet as dl
import pandas as pd
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import Flask, Response, abort, request

from twin.app import ids
from twin.app.context import AppContext
from twin.app.hotspots.analyses import Analyses
from twin.app.hotspots.views import (
    HotspotPage,
    class_hideout,
    class_legend,
    coverage_hideout,
    coverage_legend,
    emerging_hideout,
    emerging_legend,
    hot_codes,
    page_search,
    ranked_rows,
    read_page,
    summary,
)
from twin.app.i18n import fmt_datetime, fmt_number, t
from twin.app.inputs import read_state
from twin.app.map_callbacks import legend_children
from twin.app.views import CatalogText, unit_href
from twin.catalog import Layer
from twin.hotspots.analysis import HotspotResult
from twin.hotspots.density import density_png
from twin.hotspots.emerging import EmergingResult
from twin.hotspots.filters import (
    FILTER_KEYS,
    FilterError,
    Filters,
    check_filters,
    from_query,
    to_query,
)

CASES_SHOWN = 20  # cases of a picked hotspot listed


def request_filters(layers: Mapping[str, Layer], tz: str) -> Filters:
    """The filters of an HTTP request's query (a 400 naming the bad one)."""
    query = {k: v for k, v in request.args.items() if k in FILTER_KEYS}
    try:
        f = from_query(query, tz)
        check_filters(f, layers)
    except FilterError as exc:
        abort(Response(str(exc), status=400))
    return f


def register_hotspot_routes(server: Flask, analyses: Analyses, tz: str) -> None:
    """Outlines of any unit of analysis and the density image, both from this server."""

    @server.get("/twin/hotspots/units.pbf")
    def hotspot_units() -> Response:
        f = request_filters(analyses.layers, tz)
        body = analyses.units(f.unit)
        if request.if_none_match.contains(body.etag):
            return Response(status=304)
        gz = "gzip" in request.headers.get("Accept-Encoding", "")
        out = Response(body.gzipped if gz else body.raw, mimetype="application/x-protobuf")
        if gz:
            out.headers["Content-Encoding"] = "gzip"
        out.set_etag(body.etag)
        return out

    @server.get("/twin/hotspots/density.png")
    def hotspot_density() -> Response:
        f = request_filters(analyses.layers, tz)
        try:
            surface = analyses.density(f)
        except FilterError as exc:  # a window the layer cannot have (no time field)
            return Response(str(exc), status=400)
        return Response(density_png(surface), mimetype="image/png")


def register_results(app: Dash, ctx: AppContext) -> None:
    """The page's results follow its URL (and refresh with the data)."""
    settings = ctx.settings
    analyses = ctx.hotspots
    register_hotspot_routes(app.server, analyses, settings.timezone)

    @app.callback(
        Output(ids.HOT_UNITS, "url"),
        Output(ids.HOT_UNITS, "hideout"),
        Output(ids.HOT_LEGEND, "children"),
        Output(ids.HOT_SUMMARY, "children"),
        Output(ids.HOT_LIST, "children"),
        Output(ids.HOT_DENSITY, "children"),
        Output(ids.HOT_POINTS, "data"),
        Output(ids.HOT_PICKED, "children"),
        Output(ids.HOT_ERROR, "children"),
        Input(ids.URL, "search"),
        Input(ids.TICK_HOT, "data"),
        Input(ids.HOT_BUILT, "data"),
        State(ids.STATE, "data"),
    )
    def results(search: Any, _: Any, built: Any, state: Any) -> tuple[Any, ...]:
        route = read_state(state)
        if route is None or route.mode != "hotspots" or built is None:
            raise PreventUpdate
        page = read_page(search, settings.lang, ctx.layers, ctx.loaded[-1])
        try:
            return page_results(analyses, ctx.text, page, settings.timezone)
        except FilterError as exc:  # a window a layer cannot have, say: the page says so
            error = t("bad_filter", page.lang, why=str(exc))
            return (*[no_update] * 8, error)


def _emerging(analyses: Analyses, f: Filters, view: str) -> EmergingResult | None:
    """The emerging categories behind the ranked list's trend column; outside the emerging
    view, a window too short for steps leaves the column empty instead of the page."""
    try:
        return analyses.emerging(f)
    except FilterError:
        if view == "emerging":
            raise
        return None


def trend_labels(table: pd.DataFrame, lang: str) -> dict[str, str]:
    """Each unit's emerging category in words; an island (no neighbour) says so."""
    return {
        code: t(f"emg_{category}" if category else "island", lang)
        for code, category in zip(table["code"], table["category"], strict=True)
    }


def page_results(
    analyses: Analyses, text: CatalogText, page: HotspotPage, tz: str
) -> tuple[Any, ...]:
    """Everything the page shows for its URL."""
    f, lang = page.filters, page.lang
    result = analyses.hotspots(f)
    emerging = _emerging(analyses, f, page.view)
    trends = trend_labels(emerging.table, lang) if emerging is not None else {}
    if page.view == "emerging" and emerging is not None:
        hideout = emerging_hideout(emerging.table, lang)
        legend = emerging_legend(emerging.table, lang)
    elif page.view == "coverage":
        hideout = coverage_hideout(analyses.coverage(f.unit), result.table, lang)
        legend = coverage_legend(lang)
    else:
        hideout = class_hideout(result.table, lang)
        legend = class_legend(lang, len(result.islands))
    query = "&".join(f"{k}={quote(v, safe='/:,')}" for k, v in to_query(f).items())
    units_url = "/twin/hotspots/units.pbf" + (f"?{query}" if query else "")
    overlay: list[Any] = []
    if page.view == "density" and int(result.table["count"].sum()):
        d = analyses.density(f)
        if d.bounds is not None:
            west, south, east, north = d.bounds
            overlay = [
                dl.ImageOverlay(
                    url="/twin/hotspots/density.png" + (f"?{query}" if query else ""),
                    bounds=[[south, west], [north, east]],
                    opacity=0.75,
                    id="hot-density-image",
                )
            ]
    points = analyses.points(f, hot_codes(result.table))
    rows = ranked_rows(result.table, points, text, f.layer, lang, trends)
    for r in rows:  # a link the browser follows without reloading: the URL holds the pick
        r["href"] = "/hotspots" + page_search(HotspotPage(f, page.view, lang, r["code"]))
    picked, drawn = picked_panel(analyses, result, text, page, tz)
    return (
        units_url,
        hideout,
        legend_children(legend, lang, outline=False),
        summary(result.table, result.islands, result.unassigned, lang),
        ranked_list(rows, f, lang),
        overlay,
        drawn,
        picked,
        "",
    )


def ranked_list(rows: list[dict[str, Any]], f: Filters, lang: str) -> Any:
    """The ranked hotspots: a click on one picks it (its cases, cameras); its name links to
    its unit page when it is a unit of a level."""
    if not rows:
        return html.Div(t("hot_none", lang), className="note", id="hot-none")
    level_units = not f.unit.startswith("hex:")
    items = []
    for r in rows:
        name: Any = (
            dcc.Link(r["name"], href=unit_href(r["code"], lang), className="hot-unit-link")
            if level_units
            else html.Span(r["code"])
        )
        items.append(
            html.Li(
                [
                    dcc.Link(
                        r["class_label"],
                        href=r["href"],
                        className=f"hot-badge hot-{r['class']}",
                        title=t("hot_cases", lang),
                    ),
                    name,
                    html.Span(f"z {r['z']}", className="hot-z"),
                    html.Span(f"{t('count', lang)} {r['count']}", className="hot-count"),
                    html.Span(r["mix"], className="hot-mix", title=r["mix"]),
                    html.Span(r["trend"], className="hot-trend"),
                ],
                **{"data-code": r["code"]},
            )
        )
    return html.Ol(items, className="hot-ranked", id="hot-ranked")


def picked_panel(
    analyses: Analyses, result: HotspotResult, text: CatalogText, page: HotspotPage, tz: str
) -> tuple[list[Any], dict[str, Any]]:
    """The picked unit's cases (listed and on the map) and the cameras that see it."""
    empty = {"type": "FeatureCollection", "features": []}
    code, lang, layer = page.pick, page.lang, page.filters.layer
    if not code or code not in set(result.table["code"]):
        return [], empty
    row = result.table.set_index("code").loc[code]
    mine = analyses.points(page.filters, (code,))
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": {"code": p["code"], "what": _category(text, layer, p["category"], lang)},
        }
        for p in mine.head(500).to_dict("records")
    ]
    cases = [
        html.Li(
            [
                html.Span(p["code"], className="hot-case-code"),
                html.Span(_category(text, layer, p["category"], lang)),
                html.Span(fmt_datetime(p["at"], lang, tz) if p["at"] is not None else "–"),
            ]
        )
        for p in mine.head(CASES_SHOWN).to_dict("records")
    ]
    cameras = analyses.cameras(result.units, code)
    seen = [
        html.Li(
            f"{c['code']} · {c['name']} · {text.value('camera', 'status', c['status'], lang)}"
            f" · {c['seen_share']:.0%}"
        )
        for c in cameras.head(10).to_dict("records")
    ]
    head: list[Any] = [html.H3(f"{t('hot_cases', lang)}: {row['name']}", className="section-title")]
    if not page.filters.unit.startswith("hex:"):
        head.append(
            dcc.Link(t("hot_open_unit", lang), href=unit_href(code, lang), id="hot-open-unit")
        )
    panel = [
        *head,
        html.Div(f"{t('count', lang)} {fmt_number(len(mine), lang)}", className="note"),
        html.Ul(cases, className="hot-cases", id="hot-cases"),
        html.H3(t("hot_cameras", lang), className="section-title"),
        html.Ul(seen, className="hot-cameras", id="hot-cameras"),
    ]
    return panel, {"type": "FeatureCollection", "features": features}


def _category(text: CatalogText, layer: str, value: Any, lang: str) -> str:
    if value is None or "category" not in text.layers[layer].field_names:
        return "–"
    return text.value(layer, "category", value, lang)
