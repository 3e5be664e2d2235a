"""The drill-down page of one unit (grid, community, street or district)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from dash import dcc, html

from twin.app import ids
from twin.app.cases import ids as case_ids
from twin.app.cases.dialog import dialog
from twin.app.i18n import dropdown_labels, fmt_number, t
from twin.app.tables import CASE_SCOPES, case_grid, children_grid, device_grid
from twin.app.views import (
    CatalogText,
    build_crumbs,
    build_tiles,
    children_rows,
    point_rows,
    reasons_text,
    status_glyph,
    tile_values,
    trend_figure,
    unit_href,
)
from twin.app.window_views import window_label
from twin.catalog import Layer
from twin.store import GridDetail, point_list_fields
from twin.window import DEFAULT_WINDOW, TimeWindow


def people(grid: dict[str, Any], lang: str) -> html.Dl:
    """The officer, population and households of a unit."""
    pairs = [
        ("officer", grid["officer"] or "–"),
        ("population", fmt_number(grid["population"], lang)),
        ("households", fmt_number(grid["households"], lang)),
    ]
    items: list[Any] = []
    for key, value in pairs:
        items += [html.Dt(t(key, lang)), html.Dd(value, id=f"unit-{key}")]
    return html.Dl(items, className="people")


def device_title(title: str, shown: int, total: int, lang: str) -> str:
    """A device table's heading: how many, and how many shown when cut."""
    if shown >= total:
        return f"{title} ({fmt_number(total, lang)})"
    return f"{title} ({t('shown_of', lang, shown=shown, total=fmt_number(total, lang))})"


def devices(detail: GridDetail, text: CatalogText, lang: str, tz: str) -> list[Any]:
    """Each device layer's points with the fields its popup shows (those needing attention
    first; "n of N" when cut)."""
    return [
        part
        for layer in detail.devices
        for part in _device_block(detail, text.layers[layer], text, lang, tz)
    ]


def _device_block(
    detail: GridDetail, layer: Layer, text: CatalogText, lang: str, tz: str
) -> list[Any]:
    rows = point_rows(detail.devices[layer.name], layer, text, lang, tz)
    total = detail.kpis.get(layer.rollup.total, len(rows)) if layer.rollup else len(rows)
    fields = point_list_fields(layer)
    columns = [(f, text.field(layer.name, f, lang)) for f in fields]
    return [
        html.H3(
            device_title(layer.title.get(lang), len(rows), total, lang),
            className="section-title",
        ),
        device_grid(ids.devices(layer.name), rows, columns, lang),
    ]


def children_block(children: pd.DataFrame, lang: str) -> list[Any]:
    """For a unit above grid level: its children ranked by attention, each linked."""
    if children.empty:
        return []
    rows = children_rows(children, lang)
    for r in rows:  # a link the browser follows without reloading (assets/twin_grid.js)
        r["href"] = unit_href(r["code"], lang)
    return [html.H3(t("children", lang), className="section-title"), children_grid(rows, lang)]


def incident_filters(text: CatalogText, lang: str) -> html.Div:
    """Status, category and severity filters over the incident table."""
    fields = ("status", "category", "severity")
    return html.Div(
        [
            dcc.Dropdown(
                id=fid,
                options=text.options("incident", f, lang),
                multi=True,
                placeholder=text.field("incident", f, lang),
                labels=dropdown_labels(lang),  # type: ignore[arg-type]  # a TypedDict of str
                className="filter",
            )
            for fid, f in zip(ids.INCIDENT_FILTERS, fields, strict=True)
        ],
        className="filters",
    )


def case_scope(lang: str) -> dcc.RadioItems:
    """Open cases first; archived ones (or all) one click away."""
    return dcc.RadioItems(
        id=ids.CASE_SCOPE,
        options=[{"label": t(f"scope_{s}", lang), "value": s} for s in CASE_SCOPES],
        value="open",
        inline=True,
        className="case-scope",
    )


def incident_block(text: CatalogText, lang: str) -> list[Any]:
    """The incident section of a unit page: scope, filters, count, the table, or why empty."""
    return [
        html.H3(t("incident_list", lang), className="section-title"),
        html.Div(
            [case_scope(lang), html.Span(id=ids.CASE_COUNT, className="case-count")],
            className="case-bar",
        ),
        incident_filters(text, lang),
        html.Div(id=ids.CASE_EMPTY, className="case-empty", role="status"),
        html.Div(id=case_ids.result(case_ids.UNIT_PREFIX), className="case-result", role="status"),
        case_grid(text, lang),
        dialog(case_ids.UNIT_PREFIX, lang),  # the confirmation of a row's quick action
    ]


def build_unit_head(
    detail: GridDetail,
    activity: dict[str, Any],
    text: CatalogText,
    lang: str,
    window: TimeWindow = DEFAULT_WINDOW,
) -> list[Any]:
    """What shows at once after a click: crumbs, title, status, KPI tiles, people."""
    status = detail.kpis | {"composite": detail.composite}
    level = detail.grid["level"]
    badge: list[Any] = [status_glyph(detail.composite), t(detail.composite, lang)]
    if detail.reasons:
        badge.append(html.Span(" · " + reasons_text(detail.reasons, lang)))
    return [
        html.Nav(build_crumbs(detail.lineage, lang), className="crumbs", id="crumbs"),
        html.H2(
            [html.Span(text.level(level, lang), className="level-tag"), detail.grid["name"]],
            id="unit-title",
        ),
        html.Div(detail.grid["code"], className="unit-code"),
        html.Div(badge, className=f"badge badge-{detail.composite}", id="unit-composite"),
        html.Div(build_tiles(tile_values(status, activity), lang), className="tiles"),
        html.Div(window_label(window, lang), className="note", id="unit-window"),
        people(detail.grid, lang),
    ]


def build_unit_body(
    detail: GridDetail,
    trend: pd.DataFrame,
    text: CatalogText,
    lang: str,
    trend_heading: str,
    now: datetime | None = None,
) -> list[Any]:
    """What follows a moment later, above the cases: trend (under its heading; now, local,
    marks its running bin) and children ranking."""
    return [
        html.H3(trend_heading, className="section-title"),
        dcc.Graph(
            id="unit-trend",
            figure=trend_figure(trend, text, lang, now=now),
            config={"displayModeBar": False, "responsive": True},
            className="trend",
            style={"height": "230px"},  # Dash's Graph sets height: 100% inline otherwise
        ),
        *children_block(detail.children, lang),
    ]
