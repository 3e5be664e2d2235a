"""The hotspot page's parts, built once per language with the URL's filters: the filter bar,
its own map (classes, density, the picked hotspot's cases), legend, summary and ranked list."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash import dcc, html

from twin.app import ids
from twin.app.context import AppContext
from twin.app.hotspots.views import (
    VIEWS,
    HotspotPage,
    controls_of,
    field_options,
    unit_options,
    window_options,
)
from twin.app.i18n import dropdown_labels, t
from twin.app.layout import fit_zoom
from twin.app.reference_map import reference_store


def _field(label: str, control: Any) -> html.Div:
    return html.Div([html.Label(label), control], className="hot-field")


def filter_bar(ctx: AppContext, page: HotspotPage) -> html.Div:
    """Every filter of the page, showing the URL's values."""
    lang, c, layer = page.lang, controls_of(page.filters), page.filters.layer
    layers = [{"label": ctx.layers[p].title.get(lang), "value": p} for p in ctx.terms.point_layers]

    def multi(cid: str, name: str, value: Any) -> dcc.Dropdown:
        return dcc.Dropdown(
            id=cid,
            options=field_options(ctx.layers, ctx.text, layer, name, lang),
            value=value,
            multi=True,
            labels=dropdown_labels(lang),  # type: ignore[arg-type]  # a TypedDict of str
            className="hot-multi",
        )

    return html.Div(
        [
            _field(
                t("f_layer", lang),
                dcc.Dropdown(id=ids.HOT_LAYER, options=layers, value=c.layer, clearable=False),
            ),
            _field(t("f_category", lang), multi(ids.HOT_CATEGORY, "category", c.categories)),
            _field(t("f_source", lang), multi(ids.HOT_SOURCE, "source", c.sources)),
            _field(t("f_severity", lang), multi(ids.HOT_SEVERITY, "severity", c.severities)),
            _field(
                t("f_status", lang),
                dcc.RadioItems(
                    id=ids.HOT_STATUS,
                    options=[
                        {"label": t(f"status_{s}", lang), "value": s} for s in ("all", "open")
                    ],
                    value=c.status,
                    inline=True,
                ),
            ),
            _field(
                t("window", lang),
                html.Div(
                    [
                        dcc.RadioItems(
                            id=ids.HOT_WINDOW,
                            options=window_options(lang),
                            value=c.window,
                            inline=True,
                            className="windows",
                        ),
                        dcc.DatePickerRange(
                            id=ids.HOT_RANGE,
                            start_date=c.start,
                            end_date=c.end,
                            updatemode="bothdates",
                            display_format="YYYY-MM-DD",
                            minimum_nights=0,
                            start_date_placeholder_text=t("start_date", lang),
                            end_date_placeholder_text=t("end_date", lang),
                            style={} if c.window == "custom" else {"display": "none"},
                        ),
                    ],
                    className="hot-window",
                ),
            ),
            _field(
                t("f_unit", lang),
                dcc.Dropdown(
                    id=ids.HOT_UNIT,
                    options=unit_options(ctx.loaded, ctx.text, lang),
                    value=c.unit,
                    clearable=False,
                ),
            ),
            _field(
                t("f_hex", lang),
                dcc.Input(
                    id=ids.HOT_HEX,
                    type="number",
                    value=c.hex_m,
                    min=50,
                    max=20000,
                    step=50,
                    debounce=True,
                    disabled=c.unit != "hex",
                ),
            ),
            _field(
                t("f_view", lang),
                dcc.RadioItems(
                    id=ids.HOT_VIEW,
                    options=[{"label": t(f"view_{v}", lang), "value": v} for v in VIEWS],
                    value=page.view,
                    inline=True,
                ),
            ),
        ],
        className="hot-filters",
    )


def hot_map(ctx: AppContext) -> dl.Map:
    """The page's own map: units by class (or coverage), the density image, picked cases."""
    (s, w), (n, e) = ctx.bounds
    base: list[Any] = []
    if ctx.settings.basemap_url:
        base.append(dl.TileLayer(url=ctx.settings.basemap_url, attribution="", maxZoom=19))
    return dl.Map(
        id=ids.HOT_MAP,
        className="map hot-map-view",
        center=[(s + n) / 2, (w + e) / 2],
        zoom=fit_zoom(ctx.bounds),
        bounds=ctx.bounds,
        zoomSnap=0.25,
        attributionControl=False,
        children=[
            *base,
            dl.GeoJSON(
                id=ids.HOT_UNITS,
                format="geobuf",
                style={"variable": "twinHot.unitStyle"},
                onEachFeature={"variable": "twinHot.unitTooltip"},
                hoverStyle={"variable": "twin.hoverStyle"},
            ),
            dl.LayerGroup(id=ids.HOT_DENSITY),
            dl.GeoJSON(
                id=ids.HOT_POINTS,
                pointToLayer={"variable": "twinHot.caseMarker"},
                onEachFeature={"variable": "twinHot.caseTooltip"},
            ),
        ],
    )


def hotspots_section(ctx: AppContext, page: HotspotPage) -> list[Any]:
    """The whole page below the header."""
    lang = page.lang
    return [
        filter_bar(ctx, page),
        html.Div(page.error and t("bad_filter", lang, why=page.error), id=ids.HOT_ERROR),
        html.Div(
            [
                html.Section(
                    [
                        hot_map(ctx),
                        html.Div(id=ids.HOT_LEGEND, className="legend"),
                        reference_store(ctx.tiles, ids.HOT_MAP, lang),
                    ],
                    className="map-col hot-map-col",
                ),
                html.Aside(
                    [
                        html.H2(t("hot_title", lang)),
                        html.Div(id=ids.HOT_SUMMARY, className="note"),
                        html.H3(t("hot_list", lang), className="section-title"),
                        html.Div(id=ids.HOT_LIST),
                        html.Div(id=ids.HOT_PICKED),
                    ],
                    className="side hot-side",
                ),
            ],
            className="main hot-main",
        ),
    ]
