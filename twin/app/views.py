"""Pure functions behind the app's callbacks: store data in, plain data or components out."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from dash import html

from twin.app.i18n import t
from twin.store import GridDetail

STATUS_COLOURS = {"green": "#2e9e5b", "yellow": "#e0a800", "red": "#d64541"}
PANEL_KPIS = (
    "open",
    "overdue",
    "open_severity_1",
    "incidents",
    "cameras",
    "camera_online_rate",
    "sensors",
    "sensor_status_alarm",
)
COORD_PRECISION = 1e-6  # degrees, ~0.1 m: finer digits only add bytes to the map payload


def build_grid_geojson(grids: gpd.GeoDataFrame) -> dict[str, Any]:
    """The grid outlines as a GeoJSON FeatureCollection carrying only code and name."""
    geoms = shapely.set_precision(grids.geometry.to_numpy(), COORD_PRECISION)
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(shapely.to_geojson(geom)),
            "properties": {"code": code, "name": name},
        }
        for code, name, geom in zip(grids["code"], grids["name"], geoms, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def build_status_hideout(statuses: pd.DataFrame) -> dict[str, Any]:
    """What the map's style function reads: each grid's composite status and the colours.

    Refreshes send only this, never the geometry again.
    """
    return {
        "status": dict(zip(statuses["code"], statuses["composite"], strict=True)),
        "colours": STATUS_COLOURS,
    }


def format_kpi(key: str, value: Any) -> str:
    """A KPI value as shown: rates as percentages, missing as a dash."""
    if value is None or pd.isna(value):
        return "–"
    if key.endswith("_rate"):
        return f"{value:.0%}"
    return f"{value:,}"


def build_grid_panel(detail: GridDetail, lang: str) -> html.Div:
    """The status card of one grid: lineage, officer, composite with reasons, KPIs."""
    grid, kpis = detail.grid, detail.kpis
    crumbs = " › ".join(a["name"] for a in detail.lineage)
    reasons = "、".join(t(f"reason_{r}", lang) for r in detail.reasons)
    rows = [
        html.Tr([html.Th(t(k, lang)), html.Td(format_kpi(k, kpis[k]), id=f"kpi-{k}")])
        for k in PANEL_KPIS
    ]
    people = [
        html.Tr([html.Th(t("officer", lang)), html.Td(grid["officer"] or "–")]),
        html.Tr([html.Th(t("households", lang)), html.Td(format_kpi("h", grid["households"]))]),
        html.Tr([html.Th(t("population", lang)), html.Td(format_kpi("p", grid["population"]))]),
    ]
    return html.Div(
        [
            html.Div(crumbs, className="crumbs"),
            html.H2(grid["name"], id="panel-title"),
            html.Div(
                [t(detail.composite, lang), html.Span(f" {reasons}" if reasons else "")],
                className=f"badge badge-{detail.composite}",
                id="panel-composite",
            ),
            html.Table(rows + people, className="kpis"),
        ],
        **{"data-code": grid["code"]},
    )
