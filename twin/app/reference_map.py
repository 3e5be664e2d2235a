"""Reference layers on the app's maps: the tile route, and per map a store with what the
browser's renderer (assets/twin_reference.js) needs — tile URL, styles, the toggle's label."""

from __future__ import annotations

from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, dcc
from dash.exceptions import PreventUpdate
from flask import Flask, Response, abort, request

from twin.app import ids
from twin.app.i18n import t
from twin.app.inputs import read_state
from twin.reference.styles import client_style
from twin.reference.tiles import MAX_ZOOM, BadTile, ReferenceTiles, Tile, TileAddress

TILE_ROUTE = "/tiles/reference/<z>/<x>/<y>.mvt"
MVT = "application/vnd.mapbox-vector-tile"
# A URL carrying the versions it was cut for never changes; one without revalidates.
FOREVER = "public, max-age=86400, immutable"
# Every map that can draw the reference layers (their stores' ids follow from these).
MAPS = (ids.MAP, "hot-map", "ed-map", "cmp-map-a", "cmp-map-b")


def store_id(map_id: str) -> str:
    """The id of the store that carries a map's reference-layer settings."""
    return f"{map_id}-reference"


def overlay_config(
    tiles: ReferenceTiles, map_id: str, lang: str, on: bool = True, dim: bool = False
) -> dict[str, Any] | None:
    """What the browser needs to draw the reference layers on a map (None: the catalog has
    none): tile URL (with the current versions, so it may be cached for good), styles,
    toggle label, whether it starts on, whether it is dimmed."""
    if not tiles.refs:
        return None
    return {
        "map": map_id,
        "url": f"/tiles/reference/{{z}}/{{x}}/{{y}}.mvt?v={tiles.token()}",
        "maxZoom": MAX_ZOOM,
        "label": t("reference_layers", lang),
        "on": on,
        "dim": dim,
        "layers": client_style(tiles.refs),
    }


def reference_store(
    tiles: ReferenceTiles, map_id: str, lang: str, on: bool = True, dim: bool = False
) -> dcc.Store:
    """The store a page puts beside its map (filled now: the page is built in its language)."""
    return dcc.Store(id=store_id(map_id), data=overlay_config(tiles, map_id, lang, on, dim))


def register_reference(app: Dash, tiles: ReferenceTiles, wall_on: bool) -> None:
    """The tile route, the shell map's settings per page (the wall's dimmed, off unless
    wall_on), and the browser side of every map's store."""
    register_tile_route(app.server, tiles)

    @app.callback(Output(store_id(ids.MAP), "data"), Input(ids.STATE, "data"))
    def shell_reference(state: Any) -> dict[str, Any] | None:
        route = read_state(state)
        if route is None:
            raise PreventUpdate
        wall = route.mode == "screen"
        return overlay_config(tiles, ids.MAP, route.lang, on=wall_on or not wall, dim=wall)

    # An output that never changes (the function answers no_update): Dash runs a callback
    # without outputs for the stores of the first layout only, not for a page's stores.
    for map_id in MAPS:
        app.clientside_callback(
            ClientsideFunction("twinRef", "sync"),
            Output(store_id(map_id), "clear_data"),
            Input(store_id(map_id), "data"),
        )


def register_tile_route(server: Flask, tiles: ReferenceTiles) -> None:
    """GET /tiles/reference/<z>/<x>/<y>.mvt: 200 with the tile, 204 when empty, 304 when the
    browser holds it, 400/404 for an address that is no tile."""

    @server.get(TILE_ROUTE)
    def reference_tile(z: str, x: str, y: str) -> Response:
        try:
            at = TileAddress.parse(z, x, y)
        except BadTile as exc:
            abort(Response(str(exc), status=exc.status, mimetype="text/plain"))
            raise  # abort raises; this keeps type checkers content
        tile = tiles.tile(at)
        return tile_response(tile, request.args.get("v") == tiles.token())

    del reference_tile  # registered on the server; nothing else calls it


def tile_response(tile: Tile, current: bool) -> Response:
    """The tile's answer: gzip when accepted, ETag, cached for good when the URL names the
    current versions (else revalidated)."""
    headers = {
        "ETag": f'"{tile.etag}"',
        "Cache-Control": FOREVER if current else "no-cache",
        "Vary": "Accept-Encoding",
    }
    if request.if_none_match.contains(tile.etag):
        return Response(status=304, headers=headers)
    if not tile.raw:
        return Response(status=204, headers=headers)
    gz = "gzip" in request.headers.get("Accept-Encoding", "")
    if gz:
        headers["Content-Encoding"] = "gzip"
    return Response(tile.gzipped if gz else tile.raw, mimetype=MVT, headers=headers)
