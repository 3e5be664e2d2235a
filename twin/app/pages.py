"""What the URL asks for, and the page parts built for it (no callbacks here)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, parse_qsl, quote, unquote, urlencode

from dash import dcc, html

from twin.activity import Clock
from twin.app import ids
from twin.app.i18n import LANGS, other_lang, t
from twin.app.inputs import MAX_TEXT, Route, text_value
from twin.app.metrics import Metric, group_label, grouped
from twin.app.own_pages import OWN_PAGES, OwnPage, own_page
from twin.app.views import CatalogText, unit_href
from twin.app.window_views import trend_title
from twin.catalog import Layer
from twin.catalog.terms import Terms
from twin.window import DEFAULT, TimeWindow

TILE_PX = 256
UNIT_MIN_PX = 8  # a level is drawn (by zoom) once its typical unit is this wide on screen


def parse_route(pathname: Any, search: Any, default_lang: str) -> Route:
    """/ cockpit, /grid/<code> a unit of any level, /screen the wall; ?lang=en|zh-CN and
    &window= (twin.window; a window no page could ask for reads as the default).

    Anything else, and any code no unit could have (a NUL, thousands of characters), is
    "missing"; a search that is not text reads as none.
    """
    query = parse_qs((text_value(search) or "").lstrip("?"))
    lang = query.get("lang", [default_lang])[0]
    lang = lang if lang in LANGS else default_lang
    window = TimeWindow.read(query.get("window", [DEFAULT])[0]).text
    path = (text_value(pathname, 9 * MAX_TEXT) or "/").rstrip("/") or "/"
    if path == "/":
        return Route("cockpit", lang, window=window)
    if path == "/screen":
        return Route("screen", lang, window=window)
    if path == "/hotspots":  # its filters are its own (twin.app.hotspots reads the search)
        return Route("hotspots", lang)
    if path.startswith("/grid/") and len(path) > len("/grid/"):
        code = text_value(unquote(path.removeprefix("/grid/")))  # codes may be 中文
        return Route("unit", lang, code, window) if code else Route("missing", lang)
    return own_route(path, lang)


def own_route(path: str, lang: str, pages: tuple[OwnPage, ...] = OWN_PAGES) -> Route:
    """The route of an own page's path (twin.app.own_pages), else "missing"."""
    for page in pages:
        key = page.key_of(path)
        if key is None:
            continue
        if not page.keyed:
            return Route(page.mode, lang)
        key = text_value(unquote(key))
        return Route(page.mode, lang, key) if key else Route("missing", lang)
    return Route("missing", lang)


def route_href(route: Route, lang: str) -> str:
    """The link to a route's page in lang, in its window (a page that does not exist links
    to the cockpit)."""
    if route.mode == "unit" and route.unit:
        return with_window(unit_href(route.unit, lang), route.window)
    if route.mode == "hotspots":
        return with_lang("/hotspots", lang)
    page = own_page(route.mode)
    if page:
        return with_lang(page.href(route.unit), lang)
    return with_window(with_lang("/screen" if route.mode == "screen" else "/", lang), route.window)


def lang_href(route: Route) -> str:
    """The same page in the other language."""
    return route_href(route, other_lang(route.lang))


def own_lang_href(route: Route, search: Any) -> str:
    """An own page in the other language with the rest of its search kept (its own choices,
    such as /performance's period), the language first."""
    query = [(k, v) for k, v in parse_qsl((text_value(search) or "").lstrip("?")) if k != "lang"]
    lang = other_lang(route.lang)
    rest = urlencode(query, quote_via=quote, safe="/")
    return route_href(route, lang) + (f"&{rest}" if rest else "")


def with_lang(href: str, lang: str) -> str:
    """A link that keeps the page's language."""
    return f"{href}?lang={lang}"


def with_window(href: str, window: str) -> str:
    """A link (that has a query already) that keeps the page's window; the default is left
    out, so the plain links stay plain."""
    return href if window == DEFAULT else f"{href}&window={quote(window, safe='/')}"


def auto_levels(
    mean_width_deg: dict[str, float], levels: tuple[str, ...]
) -> list[tuple[float, str]]:
    """(min zoom, level) pairs: each of the catalog's levels (largest first) shows from the
    zoom where its typical unit is UNIT_MIN_PX wide (width in degrees of longitude at the
    city's latitude)."""
    out = []
    for level in levels:
        width = mean_width_deg.get(level)
        if not width:
            continue
        zoom = math.log2(UNIT_MIN_PX * 360 / (TILE_PX * width))
        out.append((round(zoom, 2), level))
    # A finer level never shows before a coarser one.
    fixed: list[tuple[float, str]] = []
    for zoom, level in out:
        floor = fixed[-1][0] + 0.5 if fixed else -math.inf
        fixed.append((max(zoom, floor), level))
    if fixed:
        fixed[0] = (-math.inf, fixed[0][1])
    return fixed


def level_for_zoom(levels: list[tuple[float, str]], zoom: float | None, finest: str) -> str:
    """The finest level whose threshold the zoom has reached (finest when none is loaded)."""
    chosen = levels[0][1] if levels else finest
    for min_zoom, level in levels:
        if zoom is not None and zoom >= min_zoom:
            chosen = level
    return chosen


def nav(route: Route) -> list[Any]:
    """The navigation: cockpit, wall screen, and the pages still to come."""
    lang = route.lang
    items: list[Any] = [
        dcc.Link(
            t("nav_cockpit", lang),
            href=with_lang("/", lang),
            className="nav-item" + (" active" if route.mode == "cockpit" else ""),
            id="nav-cockpit",
        ),
        html.A(t("nav_screen", lang), href=with_lang("/screen", lang), className="nav-item"),
    ]
    items.append(
        dcc.Link(
            t("nav_hotspots", lang),
            href=with_lang("/hotspots", lang),
            className="nav-item" + (" active" if route.mode == "hotspots" else ""),
            id="nav-hotspots",
        )
    )
    items += own_nav(route)
    if not any(p.nav_key == "nav_planner" for p in OWN_PAGES):
        items.append(
            html.Span(
                t("nav_planner", lang), className="nav-item nav-soon", title=t("coming", lang)
            )
        )
    return items


def own_nav(route: Route, pages: tuple[OwnPage, ...] = OWN_PAGES) -> list[Any]:
    """A navigation item for each own page that has one."""
    return [
        dcc.Link(
            t(p.nav_key, route.lang),
            href=with_lang(p.href(), route.lang),
            className="nav-item" + (" active" if route.mode == p.mode else ""),
            id=f"nav-{p.mode}",
        )
        for p in pages
        if p.nav_key
    ]


def control_options(
    metrics: tuple[Metric, ...],
    text: CatalogText,
    lang: str,
    levels: Sequence[str] = (),
) -> tuple[list[dict[str, Any]], list[dict[str, str]], list[dict[str, str]]]:
    """Options of the metric, level (those the city has; default: the catalog's) and layer
    controls in lang."""
    metric_opts = metric_options(metrics, text.layers, lang)
    terms = Terms.of(text.layers)
    level_opts = [{"label": t("level_auto", lang), "value": "auto"}] + [
        {"label": text.level(level, lang), "value": level} for level in levels or terms.levels
    ]
    layer_opts = [
        {"label": text.layers[layer].title.get(lang), "value": layer}
        for layer in drawn_layers(text.layers)
    ]
    return metric_opts, level_opts, layer_opts


def metric_options(
    metrics: tuple[Metric, ...], layers: dict[str, Layer], lang: str
) -> list[dict[str, Any]]:
    """The colour-by choices grouped by layer: a heading (not choosable) before each group."""
    out: list[dict[str, Any]] = []
    for group, members in grouped(metrics):
        title = group_label(group, layers, lang)
        out.append(
            {
                "label": html.Span(title, className="metric-group"),
                "value": f"group:{group}",
                "disabled": True,
                "search": title,
            }
        )
        out += [{"label": m.label.get(lang), "value": m.key} for m in members]
    return out


def drawn_layers(layers: dict[str, Layer]) -> list[str]:
    """The point layers the map can draw: every one the catalog colours by a field."""
    return [p for p in Terms.of(layers).point_layers if layers[p].style.color_by]


def cockpit_section() -> list[Any]:
    """The cockpit's parts; words come with the language, contents with each refresh."""
    return [
        html.Div(id=ids.CITY_TILES, className="tiles city-tiles"),
        html.H3(id=ids.COCKPIT_TITLES[0], className="section-title"),
        html.Div(id=ids.ATTENTION),
        html.H3(id=ids.COCKPIT_TITLES[1], className="section-title"),
        dcc.Graph(
            id=ids.TREND,
            className="trend",
            style={"height": "230px"},  # Dash's Graph sets height: 100% inline otherwise
            config={"displayModeBar": False, "responsive": True},
        ),
        html.H3(id=ids.COCKPIT_TITLES[2], className="section-title"),
        html.Div(id=ids.FEED),
        html.Div(id=ids.HOT_WALL, className="wall-hotspots"),  # the wall's only
    ]


COCKPIT_TITLE_KEYS = ("attention", "trend", "feed")


def cockpit_titles(route: Route, clock: Clock) -> list[str]:
    """The cockpit's section titles in the route's language (the trend's names its window)."""
    window = route.time_window
    trend = trend_title(window, window.span(clock), route.lang)
    return [trend if k == "trend" else t(k, route.lang) for k in COCKPIT_TITLE_KEYS]
