"""The one page shell: header, map with its controls, side panel, big-screen overlays.

Texts are filled by callbacks in the page's language, so the shell itself holds no words.
"""

from __future__ import annotations

import math
from typing import Any

import dash_leaflet as dl
from dash import dcc, html

from twin.app import ids
from twin.app.i18n import LANGS, t
from twin.app.own_pages import OWN_PAGES
from twin.app.pages import cockpit_section
from twin.app.window_views import window_bar

MAP_STYLE = {"variable": "twin.unitStyle"}


def point_layer(layer: str) -> dl.GeoJSON:
    """A point layer drawn from its geobuf URL in its own shape, coloured by the catalog,
    clustered in the colour of the worst point inside."""
    return dl.GeoJSON(
        id=ids.points(layer),
        format="geobuf",
        cluster=True,
        superClusterOptions={"radius": 48, "maxZoom": 16},
        pointToLayer={"variable": "twin.pointToLayer"},
        clusterToLayer={"variable": "twin.clusterToLayer"},
        onEachFeature={"variable": "twin.pointTooltip"},
        zoomToBoundsOnClick=True,
        hideout={"layer": layer, "colours": {}, "fields": []},
    )


def fit_zoom(bounds: list[list[float]], width_px: int = 1040, height_px: int = 800) -> float:
    """The zoom at which bounds fill a typical map panel, to a quarter level: the map starts
    there, so the level shown first is the one the fitted map keeps (no second download)."""
    (s, w), (n, e) = bounds
    lat = math.radians((s + n) / 2)
    zx = math.log2(width_px * 360 / (256 * max(e - w, 1e-9)))
    zy = math.log2(height_px * 360 * math.cos(lat) / (256 * max(n - s, 1e-9)))
    return math.floor(min(zx, zy) * 4) / 4


def build_map(
    bounds: list[list[float]],
    basemap_url: str,
    point_layers: list[str],
    city_url: str | None = "/twin/outlines/district.pbf",
) -> dl.Map:
    """The map: optional intranet basemap, city outline (the coarsest level's units from
    city_url), unit outlines, point layers."""
    (s, w), (n, e) = bounds
    base: list[Any] = []
    if basemap_url:
        base.append(dl.TileLayer(url=basemap_url, attribution="", maxZoom=19))
    return dl.Map(
        id=ids.MAP,
        className="map",
        center=[(s + n) / 2, (w + e) / 2],
        zoom=fit_zoom(bounds),
        bounds=bounds,
        zoomSnap=0.25,
        zoomAnimation=False,
        attributionControl=False,
        children=[
            *base,
            # The top units in a heavy line under everything: reads as a map without tiles.
            dl.Pane(
                dl.GeoJSON(
                    id=ids.CITY,
                    url=city_url,
                    format="geobuf",
                    style={"variable": "twin.cityStyle"},
                    interactive=False,
                ),
                name="city",
                style={"zIndex": 250},
            ),
            dl.GeoJSON(
                id=ids.UNITS,
                format="geobuf",
                style=MAP_STYLE,
                onEachFeature={"variable": "twin.unitTooltip"},
                hoverStyle={"variable": "twin.hoverStyle"},
                zoomToBoundsOnClick=False,
            ),
            # The drawn level's parents over it: a heavier line, no fill, never in the way.
            dl.Pane(
                dl.GeoJSON(
                    id=ids.PARENTS,
                    format="geobuf",
                    style={"variable": "twin.parentStyle"},
                    interactive=False,
                ),
                name="parents",
                style={"zIndex": 420, "pointerEvents": "none"},
            ),
            # The page's unit on top, outlined: its own layer, so the units are not restyled.
            dl.GeoJSON(
                id=ids.SELECTED,
                format="geobuf",
                style={"variable": "twin.selectedStyle"},
                interactive=False,
            ),
            *[point_layer(layer) for layer in point_layers],
            # The wall's marks: the toured grid outlined and labelled, severity-1 cases pinned.
            dl.GeoJSON(
                id=ids.TOUR_MARK,
                format="geobuf",
                style={"variable": "twin.tourStyle"},
                interactive=False,
            ),
            dl.LayerGroup(id=ids.TOUR_LABEL),
            dl.LayerGroup(id=ids.PINS),
        ],
    )


def build_controls(metric_options: list[dict[str, str]]) -> html.Div:
    """Metric, level and layer choices (their labels come with the language).

    The metric options are there from the start: a value without its option is dropped.
    """
    # Each label with its choices in a group: a narrow bar wraps between groups, not inside.
    return html.Div(
        [
            html.Div(
                [
                    html.Label(id=ids.METRIC_LABEL, htmlFor=ids.METRIC),
                    dcc.Dropdown(
                        id=ids.METRIC,
                        options=metric_options,
                        value="composite",
                        clearable=False,
                        className="metric",
                    ),
                ],
                className="control-group",
            ),
            html.Div(
                [
                    html.Label(id=ids.LEVEL_LABEL),
                    dcc.RadioItems(id=ids.LEVEL, value="auto", className="levels", inline=True),
                ],
                className="control-group",
            ),
            html.Div(
                [
                    html.Label(id=ids.LAYERS_LABEL),
                    dcc.Checklist(id=ids.LAYERS, value=[], className="layers", inline=True),
                ],
                className="control-group",
            ),
        ],
        className="controls",
    )


def build_header(refresh_ms: int = 30_000, timezone: str = "Asia/Shanghai") -> html.Header:
    """Title, navigation (room for hotspots and planner), search, language switch, data time;
    on the wall a clock and the freshness watchdog (both run in the browser:
    assets/twin_wall.js, so they go on when the server is gone)."""
    return html.Header(
        [
            html.Div(id=ids.TITLE, className="brand"),
            html.Nav(id=ids.NAV, className="nav"),
            dcc.Dropdown(id=ids.SEARCH, className="search", searchable=True, clearable=True),
            dcc.Link(id=ids.LANG_LINK, href="?lang=en", className="lang"),
            html.Div(id=ids.UPDATED, className="updated"),
            html.Div(
                id=ids.WATCHDOG,
                className="watchdog",
                hidden=True,
                role="alert",
                **_attrs({"interval": str(refresh_ms)}),
                **_attrs({lang.lower(): t("interrupted", lang) for lang in LANGS}),
            ),
            html.Div(id=ids.CLOCK, className="wall-clock", **_attrs({"tz": timezone})),
        ],
        className="topbar",
    )


def _attrs(values: dict[str, str]) -> dict[str, Any]:
    """data-* attributes (Dash takes them as keyword arguments)."""
    return {f"data-{k}": v for k, v in values.items()}


def build_shell(
    bounds: list[list[float]],
    basemap_url: str,
    point_layers: list[str],
    refresh_ms: int,
    metric_options: list[dict[str, str]],
    tour_ms: int = 12_000,
    city_url: str | None = "/twin/outlines/district.pbf",
    timezone: str = "Asia/Shanghai",
) -> html.Div:
    """The whole page; the URL decides the mode (cockpit, unit page, big screen)."""
    return html.Div(
        id=ids.SHELL,
        className="shell",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            build_header(refresh_ms, timezone),
            html.Main(
                [
                    html.Section(
                        [
                            build_controls(metric_options),
                            build_map(bounds, basemap_url, point_layers, city_url),
                            html.Div(id=ids.LEGEND, className="legend"),
                            html.Div(id=ids.POINT_LEGEND, className="point-legend"),
                            html.Div(id=ids.TOUR_CARD, className="tour-card"),
                        ],
                        className="map-col",
                    ),
                    html.Aside(
                        [
                            window_bar(),  # one window for the cockpit and the unit page
                            html.Div(cockpit_section(), id=ids.COCKPIT),
                            html.Div(
                                [
                                    html.Div(id=ids.UNIT_HEAD),
                                    html.Div(id=ids.UNIT_BODY),
                                    html.Div(id=ids.UNIT_CASES),
                                    html.Div(id=ids.UNIT_DEVICES),
                                ],
                                id=ids.UNIT_PAGE,
                                hidden=True,
                            ),
                        ],
                        id=ids.SIDE,
                        className="side",
                    ),
                ],
                className="main",
            ),
            html.Div(id=ids.HOTSPOTS_PAGE, className="hotspots"),  # /hotspots, built on arrival
            *[
                html.Div(id=p.container, className=f"own-page own-{p.mode}", hidden=True)
                for p in OWN_PAGES
            ],
            dcc.Store(id=ids.HOT_BUILT),
            html.Div(id=ids.TAKEOVER, className="takeover", hidden=True),
            dcc.Store(id=ids.STATE),  # {lang, mode, unit}: what the URL asks for
            dcc.Store(id=ids.MAP_KEY),  # which snapshot the map's values came from
            dcc.Store(id=ids.MAP_REFERENCE),  # the reference layers' tiles and styles
            dcc.Store(id=ids.COCKPIT_KEY),  # digests of the cockpit parts the page holds
            dcc.Store(id=ids.UNIT_KEY),  # what the unit page shows, in short, and when read
            dcc.Store(id=ids.SCREEN),  # big screen: this round's tour codes and position
            dcc.Store(id=ids.ALERT),  # big screen: newest severity-1 seen, takeover end
            dcc.Store(id=ids.FRESH),  # big screen: the snapshot version last received
            dcc.Store(id=ids.WATCHED),
            dcc.Interval(id=ids.REFRESH, interval=refresh_ms),
            dcc.Store(id=ids.PUSH),  # live push: the newest version heard (twin_push.js)
            dcc.Store(id=ids.MAP_SEEN),  # live push: the newest map fingerprint heard
            *[dcc.Store(id=tick) for tick in (ids.TICK_UNIT, ids.TICK_SCREEN, ids.TICK_HOT)],
            html.Div(id=ids.OFFLINE, className="offline-banner", hidden=True, role="alert"),
            dcc.Interval(id=ids.TOUR_TICK, interval=tour_ms, disabled=True),
        ],
    )
