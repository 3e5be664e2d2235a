"""The Dash app: the grid map coloured by status; a click shows that grid's status."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dash_leaflet as dl
from dash import Dash, Input, Output, dcc, html, no_update
from psycopg_pool import ConnectionPool

from twin.app import ids
from twin.app.i18n import t
from twin.app.views import build_grid_geojson, build_grid_panel, build_status_hideout
from twin.settings import Settings
from twin.spatial.status import Thresholds
from twin.store import NotFound, fetch_grid_detail, fetch_grid_geometries, fetch_grid_statuses

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def create_app(settings: Settings, pool: ConnectionPool) -> Dash:
    """Build the app over a connection pool; nothing in it reaches outside its own server."""
    os.environ.setdefault("DASH_DISABLE_VERSION_CHECK", "true")  # debug mode would call out
    thresholds = Thresholds.from_settings(settings)
    lang = settings.lang
    with pool.connection() as conn:
        grids = fetch_grid_geometries(conn, "grid")
        statuses = fetch_grid_statuses(conn, "grid", thresholds=thresholds)
    bounds = grids.total_bounds if len(grids) else (114.2, 30.5, 114.4, 30.7)
    app = Dash(__name__, assets_folder=str(ASSETS), title=t("title", lang), serve_locally=True)
    app.layout = html.Div(
        className="shell",
        children=[
            html.Div(t("title", lang), className="topbar"),
            html.Div(
                className="main",
                children=[
                    dl.Map(
                        id=ids.MAP,
                        className="map",
                        bounds=[[bounds[1], bounds[0]], [bounds[3], bounds[2]]],
                        # Viewport tracking would need a center prop (bounds alone makes it
                        # throw in the browser) and nothing here reads the viewport yet.
                        trackViewport=False,
                        children=[
                            dl.GeoJSON(
                                id=ids.GRIDS,
                                data=build_grid_geojson(grids),
                                hideout=build_status_hideout(statuses),
                                style={"variable": "twin.gridStyle"},
                                zoomToBoundsOnClick=False,
                            )
                        ],
                    ),
                    html.Div(t("click_a_grid", lang), id=ids.PANEL, className="panel"),
                ],
            ),
            dcc.Interval(id=ids.REFRESH, interval=settings.refresh_seconds * 1000),
        ],
    )

    @app.callback(Output(ids.PANEL, "children"), Input(ids.GRIDS, "clickData"))
    def show_grid(feature: dict[str, Any] | None) -> Any:
        if not feature:
            return no_update
        try:
            with pool.connection() as conn:
                detail = fetch_grid_detail(
                    conn, feature["properties"]["code"], thresholds=thresholds
                )
        except NotFound:
            return t("not_found", lang)
        return build_grid_panel(detail, lang)

    @app.callback(
        Output(ids.GRIDS, "hideout"), Input(ids.REFRESH, "n_intervals"), prevent_initial_call=True
    )
    def refresh(_: int) -> dict[str, Any]:
        with pool.connection() as conn:
            return build_status_hideout(fetch_grid_statuses(conn, "grid", thresholds=thresholds))

    return app
