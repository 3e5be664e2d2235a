"""/planner/compare?a=..&b=..&view=side|overlay: two maps (versions or plans) side by side on
synchronised maps (assets/twin_compare.js) or overlaid, the areas that changed hands
coloured, and the diff table. No tiles unless TWIN_BASEMAP_URL names an intranet server."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import dash_leaflet as dl
from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from twin.app import ids
from twin.app.context import AppContext
from twin.app.i18n import dropdown_labels, t
from twin.app.inputs import read_state, text_value
from twin.app.layout import fit_zoom
from twin.app.mapdata import MapData
from twin.app.planner.comparing import (
    VIEWS,
    Comparison,
    bounds_of,
    compare,
    diff_rows,
    exchange_features,
    exchange_rows,
    ref_options,
    summary,
    unit_features,
)
from twin.app.planner.flow import REFUSALS
from twin.app.planner.listing import compare_href
from twin.app.reference_map import reference_store

CONTAINER = "page-compare"
PICK_A, PICK_B, VIEW, GO = "cmp-a", "cmp-b", "cmp-view", "cmp-go"
MAP_A, MAP_B = "cmp-map-a", "cmp-map-b"
RESULT = "cmp-result"


def wanted(search: Any) -> tuple[str, str, str]:
    """a, b and the view the URL asks for ("" when absent)."""
    query = parse_qs((text_value(search, 2000) or "").lstrip("?"))
    a, b = (text_value((query.get(k) or [""])[0]) or "" for k in ("a", "b"))
    view = (query.get("view") or ["side"])[0]
    return a.strip(), b.strip(), view if view in VIEWS else "side"


def _map(
    mid: str,
    ctx: AppContext,
    bounds: list[list[float]],
    layers: list[Any],
    hidden: bool,
    lang: str,
) -> html.Div:
    """One of the two maps: the city's outline under the units and the exchanges."""
    base: list[Any] = []
    if ctx.settings.basemap_url:
        base.append(dl.TileLayer(url=ctx.settings.basemap_url, attribution="", maxZoom=19))
    top = ctx.loaded[0]
    if MapData.sent_whole(top, ctx.counts):
        base.append(
            dl.GeoJSON(
                url=f"/twin/outlines/{top}.pbf",
                format="geobuf",
                # A frame, unfilled: it is fetched, so it arrives after (over) the exchanges.
                style={"variable": "twinPlanner.cityStyle"},
                interactive=False,
            )
        )
    (s, w), (n, e) = bounds
    return html.Div(
        [
            dl.Map(
                id=mid,
                className="map cmp-map",
                center=[(s + n) / 2, (w + e) / 2],
                zoom=fit_zoom(bounds, 700, 560),
                bounds=bounds,
                zoomSnap=0.25,
                attributionControl=False,
                children=[*base, *layers],
            ),
            reference_store(ctx.tiles, mid, lang),
        ],
        className="cmp-map-box",
        hidden=hidden,
    )


def _units(data: dict[str, Any], side: str) -> dl.GeoJSON:
    return dl.GeoJSON(
        data=data,
        style={"variable": "twinPlanner.unitStyle"},
        onEachFeature={"variable": "twinPlanner.tooltip"},
        hideout={"side": side},
    )


def _exchanges(data: dict[str, Any]) -> dl.GeoJSON:
    return dl.GeoJSON(
        data=data,
        style={"variable": "twinPlanner.exchangeStyle"},
        onEachFeature={"variable": "twinPlanner.tooltip"},
        hideout={"side": "exchange"},
    )


def _table(heads: list[str], rows: list[list[Any]], cid: str) -> html.Table:
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in heads])),
            html.Tbody([html.Tr([html.Td(c) for c in r]) for r in rows]),
        ],
        className="planner-table",
        id=cid,
    )


def result(ctx: AppContext, cmp: Comparison, view: str, lang: str) -> list[Any]:
    """The maps, the summary and the two tables of one comparison."""
    bounds = bounds_of([*cmp.units_a, *cmp.units_b], ctx.bounds)
    moved = exchange_features(cmp.diff, lang)
    a, b = unit_features(cmp.units_a), unit_features(cmp.units_b)
    overlay = view == "overlay"
    first = [_units(a, "a"), *([_units(b, "b")] if overlay else []), _exchanges(moved)]
    rows = diff_rows(cmp.diff, lang)
    swaps = exchange_rows(cmp.diff, lang)
    return [
        html.P(summary(cmp.diff, lang), className="note", id="cmp-summary"),
        html.Div(
            [
                _map(MAP_A, ctx, bounds, first, False, lang),
                _map(MAP_B, ctx, bounds, [_units(b, "b"), _exchanges(moved)], overlay, lang),
            ],
            className=f"cmp-maps cmp-{view}",
        ),
        html.H3(t("cmp_rows", lang), className="section-title"),
        _table(
            [t(k, lang) for k in ("code", "level", "col_change", "col_area_before")]
            + [t("col_area_after", lang)],
            [
                [r["code"], ctx.text.level(r["level"], lang), r["changes"], r["before"], r["after"]]
                for r in rows
            ],
            "cmp-diff",
        ),
        html.H3(t("cmp_exchanges", lang), className="section-title"),
        _table(
            [t(k, lang) for k in ("col_from", "col_to", "col_area")],
            [
                [
                    html.Span(
                        [
                            html.Span(className="swatch", style={"background": r["colour"]}),
                            r["from"],
                        ]
                    ),
                    r["to"],
                    r["area"],
                ]
                for r in swaps
            ],
            "cmp-exchanges",
        ),
    ]


def register(app: Dash, ctx: AppContext) -> None:
    """The page's callbacks: its frame on arrival, the comparison from the URL."""

    @app.callback(
        Output(CONTAINER, "children"),
        Input(ids.STATE, "data"),
        State(ids.URL, "search"),
        State(CONTAINER, "children"),
    )
    def build(state: Any, search: Any, children: Any) -> Any:
        route = read_state(state)
        if route is None:
            raise PreventUpdate
        if route.mode != "compare":
            return [] if children else no_update
        a, b, view = wanted(search)
        lang = route.lang
        with ctx.pool.connection() as conn:
            options = ref_options(conn, lang)
        labels = dropdown_labels(lang)

        def pick(cid: str, label: str, value: str) -> html.Div:
            return html.Div(
                [
                    html.Label(label, htmlFor=cid),
                    dcc.Dropdown(
                        id=cid,
                        options=options,
                        value=value or None,
                        clearable=False,
                        labels=labels,  # type: ignore[arg-type]
                    ),
                ],
                className="hot-field",
            )

        return [
            html.H2(t("cmp_title", lang)),
            html.Div(
                [
                    pick(PICK_A, t("cmp_a", lang), a),
                    pick(PICK_B, t("cmp_b", lang), b),
                    html.Div(
                        [
                            html.Label(t("cmp_view", lang)),
                            dcc.RadioItems(
                                id=VIEW,
                                options=[{"label": t(f"cmp_{v}", lang), "value": v} for v in VIEWS],
                                value=view,
                                inline=True,
                            ),
                        ],
                        className="hot-field",
                    ),
                ],
                className="hot-filters",
            ),
            html.Div(id=RESULT),
        ]

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        Input(PICK_A, "value"),
        Input(PICK_B, "value"),
        Input(VIEW, "value"),
        State(ids.URL, "search"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def to_url(a: Any, b: Any, view: Any, search: Any, state: Any) -> Any:
        route = read_state(state)
        if route is None or route.mode != "compare":
            raise PreventUpdate
        a, b = text_value(a) or "", text_value(b) or ""
        view = view if view in VIEWS else "side"
        want = compare_href(a, b, route.lang, view).removeprefix("/planner/compare")
        return no_update if want == search else want

    @app.callback(
        Output(RESULT, "children"),
        Input(ids.URL, "search"),
        Input(RESULT, "id"),
        State(ids.STATE, "data"),
    )
    def show(search: Any, _: Any, state: Any) -> Any:
        route = read_state(state)
        if route is None or route.mode != "compare":
            raise PreventUpdate
        a, b, view = wanted(search)
        lang = route.lang
        if not a or not b:
            return html.P(t("cmp_pick", lang), className="note")
        try:
            with ctx.pool.connection() as conn:
                cmp = compare(conn, a, b)
        except REFUSALS as exc:
            return html.P(t("refused", lang, why=str(exc)), className="wf-msg")
        return result(ctx, cmp, view, lang)
