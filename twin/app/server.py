"""The Dash app: one shell whose URL picks the cockpit, a unit's page or the wall screen.

Its callbacks live with their concern: navigation, map, unit page, cockpit, wall screen.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Sequence

from dash import Dash
from flask import Flask, Response
from psycopg_pool import ConnectionPool

from twin.api.registry import register_api
from twin.app.callbacks import register_screen, register_unit_callbacks
from twin.app.cockpit import register_cockpit
from twin.app.context import build_context
from twin.app.hotspots.callbacks import register_hotspots
from twin.app.hotspots.wall import WallHotspots, register_wall
from twin.app.i18n import t
from twin.app.inputs import register_callback_checks, register_request_checks
from twin.app.layout import build_shell
from twin.app.map_callbacks import register_map, with_map
from twin.app.mapdata import MapData, register_routes
from twin.app.navigation import register_navigation
from twin.app.own_pages import OWN_PAGES
from twin.app.pages import control_options
from twin.app.push import register_push
from twin.app.reference_map import register_reference
from twin.app.unit_callbacks import register_unit_page
from twin.app.window_callbacks import register_window
from twin.package_data import data_dir
from twin.settings import Settings
from twin.store import fetch_grid_version

ASSETS = data_dir("assets")


def create_app(settings: Settings, pool: ConnectionPool) -> Dash:
    """Build the app over a connection pool; nothing in it reaches outside its own server."""
    os.environ.setdefault("DASH_DISABLE_VERSION_CHECK", "true")  # debug mode would call out
    ctx = build_context(settings, pool)
    ctx.snapshots.start()
    app = Dash(
        __name__,
        assets_folder=str(ASSETS),
        title=t("title", settings.lang),
        serve_locally=True,
        compress=True,
        suppress_callback_exceptions=True,  # the unit page's table exists only on unit pages
        update_title="",
    )
    register_request_checks(app.server)
    register_page_headers(app.server)
    register_callback_checks(app)
    register_routes(app.server, ctx.mapdata)
    register_api(app.server, ctx)
    register_reference(app, ctx.tiles, settings.wall_reference)
    conninfo = pool.conninfo if isinstance(pool.conninfo, str) else pool.conninfo()
    register_push(app, ctx.snapshots, conninfo)  # the store's changes reach pages at once
    # Encode the whole-level outlines now, not on the first visitor's clock.
    threading.Thread(target=ctx.mapdata.warm, args=(ctx.counts,), daemon=True).start()
    metrics = tuple(ctx.metrics.values())
    first_options = control_options(metrics, ctx.text, settings.lang, ctx.loaded)[0]
    app.layout = build_shell(
        ctx.bounds,
        settings.basemap_url,
        ctx.point_layers,
        settings.refresh_seconds * 1000,
        first_options,
        settings.tour_seconds * 1000,
        city_outline(ctx.counts, ctx.terms.levels, _fingerprint(pool)),
        settings.timezone,
    )
    register_navigation(app, ctx)
    register_unit_page(app, ctx)
    register_map(app, ctx)
    register_cockpit(app, ctx)
    register_unit_callbacks(app, pool, ctx.text, settings.timezone)
    wall = WallHotspots(ctx.hotspots, ctx.text, ctx.loaded[-1])
    register_screen(app, pool, ctx.snapshots, settings, ctx.text, wall)
    register_window(app, ctx)
    register_hotspots(app, ctx)
    register_wall(app, wall)
    for page in OWN_PAGES:
        importlib.import_module(page.module).register(app, ctx)
    return app


def register_page_headers(server: Flask) -> None:
    """Pages are kept by no cache, the back-forward cache included: back loads the page
    afresh, its window and language from the URL and its figures the newest. A page restored
    from that cache woke with a frozen page's state (its window radio missed the URL)."""

    @server.after_request
    def no_store_pages(response: Response) -> Response:
        if response.mimetype == "text/html":
            response.headers["Cache-Control"] = "no-store"
        return response


def _fingerprint(pool: ConnectionPool) -> tuple[int, int]:
    """The grid table's fingerprint now (one cheap read), for the first layout's URLs."""
    with pool.connection() as conn:
        return fetch_grid_version(conn)


def city_outline(
    counts: dict[str, int], levels: Sequence[str], fingerprint: tuple[int, int] | None = None
) -> str | None:
    """The URL of the outlines drawn under everything: the coarsest level the city has,
    when it is small enough to send whole (none otherwise: a frame of 20k grids is noise)."""
    level = next((lv for lv in levels if counts.get(lv)), None)
    if level is None or not MapData.sent_whole(level, counts):
        return None
    url = f"/twin/outlines/{level}.pbf"
    # With the map's fingerprint, as a refresh sets it: no second fetch on the first refresh.
    return with_map(url, fingerprint) if fingerprint else url
