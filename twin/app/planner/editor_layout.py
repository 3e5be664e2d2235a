"""The plan editor's parts: tool bar, map (plan over the map in force, problems, moved
points, the drawing layer), the attribute form, the problem list and the impact panel."""

from __future__ import annotations

from typing import Any

import dash_leaflet as dl
from dash import dcc, html

from twin.app.i18n import t
from twin.app.layout import fit_zoom
from twin.app.planner import editor_ids as eid
from twin.app.planner.workflow import actor_field

TOOLS = ("select", "add", "split", "reshape", "boundary")
EDITS_VERTICES = ("reshape", "boundary")  # the tools that edit the selected unit's vertices
NOTHING = {
    k: False for k in ("polyline", "polygon", "rectangle", "circle", "marker", "circlemarker")
}


def draw_options(tool: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The leaflet-draw toolbars a tool offers: (draw, edit)."""
    draw: dict[str, Any] = dict(NOTHING)
    if tool == "add":
        draw["polygon"] = {"allowIntersection": False, "showArea": False}
    elif tool == "split":
        draw["polyline"] = {"shapeOptions": {"color": "#c81e1e", "weight": 3}}
    editing = tool in EDITS_VERTICES
    return draw, {"edit": editing, "remove": False}


def edit_group(tool: str, unit: dict[str, Any] | None, flip: int) -> list[Any]:
    """The drawing layer, made anew (so it starts empty) with the unit whose vertices are
    edited in it; `flip` alternates its place so Leaflet mounts a fresh one."""
    draw, edit = draw_options(tool)
    inner: list[Any] = []
    if unit is not None and tool in EDITS_VERTICES:
        geometry = unit["geometry"]
        rings = (
            geometry["coordinates"] if geometry["type"] == "Polygon" else geometry["coordinates"][0]
        )
        inner.append(
            dl.Polygon(
                positions=[[[lat, lon] for lon, lat in ring] for ring in rings],
                color="#1d5fa8",
                weight=2,
                fillOpacity=0.1,
            )
        )
    inner.append(dl.EditControl(id=eid.DRAW, draw=draw, edit=edit, position="topleft"))
    group = dl.FeatureGroup(inner)
    return [dl.LayerGroup(), group] if flip % 2 else [group]


def _button(bid: str, key: str, lang: str, **kw: Any) -> html.Button:
    return html.Button(t(key, lang), id=bid, n_clicks=0, className="ed-button", **kw)


def tool_bar(lang: str) -> html.Div:
    """The tools, the one-click actions, and the toggle for the map in force underneath."""
    return html.Div(
        [
            dcc.RadioItems(
                id=eid.TOOL,
                options=[{"label": t(f"tool_{k}", lang), "value": k} for k in TOOLS],
                value="select",
                inline=True,
                className="ed-tools",
            ),
            _button(eid.MERGE, "tool_merge", lang),
            _button(eid.DELETE, "tool_delete", lang),
            _button(eid.UNDO, "tool_undo", lang),
            _button(eid.REDO, "tool_redo", lang),
            _button(eid.FIX, "tool_fix", lang),
            dcc.Checklist(
                id=eid.BASE_TOGGLE,
                options=[{"label": t("ed_show_current", lang), "value": "base"}],
                value=["base"],
                inline=True,
            ),
        ],
        className="ed-bar",
    )


def editor_map(bounds: list[list[float]], basemap_url: str) -> dl.Map:
    """The editor's map: no tiles unless the intranet basemap is set."""
    base: list[Any] = []
    if basemap_url:
        base.append(dl.TileLayer(url=basemap_url, attribution="", maxZoom=20))
    (s, w), (n, e) = bounds
    return dl.Map(
        id=eid.MAP,
        className="map ed-map-view",
        center=[(s + n) / 2, (w + e) / 2],
        zoom=fit_zoom(bounds, 900, 600),
        bounds=bounds,
        zoomSnap=0.25,
        maxZoom=22,
        attributionControl=False,
        children=[
            *base,
            dl.GeoJSON(id=eid.BASE, interactive=False, style={"variable": "twinPlan.baseStyle"}),
            dl.GeoJSON(
                id=eid.UNITS,
                style={"variable": "twinPlan.unitStyle"},
                onEachFeature={"variable": "twinPlan.unitTooltip"},
            ),
            dl.GeoJSON(
                id=eid.PARENTS, interactive=False, style={"variable": "twinPlan.parentStyle"}
            ),
            dl.GeoJSON(id=eid.SELECTED, interactive=False, style={"variable": "twinPlan.selStyle"}),
            dl.GeoJSON(
                id=eid.PROBLEMS,
                style={"variable": "twinPlan.problemStyle"},
                pointToLayer={"variable": "twinPlan.problemPoint"},
                onEachFeature={"variable": "twinPlan.problemTooltip"},
            ),
            dl.GeoJSON(
                id=eid.MOVED,
                pointToLayer={"variable": "twinPlan.movedPoint"},
                onEachFeature={"variable": "twinPlan.movedTooltip"},
            ),
            dl.GeoJSON(
                id=eid.PENDING_LAYER, interactive=False, style={"variable": "twinPlan.pendingStyle"}
            ),
            dl.LayerGroup(id=eid.EDIT_HOLDER, children=edit_group("select", None, 0)),
        ],
    )


def _field(label: str, control: Any) -> html.Label:
    return html.Label([html.Span(label), control], className="ed-field")


def attribute_form(lang: str) -> html.Div:
    """Code, name, officer and parent of the selected unit (or of the unit drawn next)."""
    return html.Div(
        [
            html.H3(t("ed_attributes", lang), className="section-title"),
            _field(t("ed_code", lang), dcc.Input(id=eid.F_CODE, type="text", debounce=True)),
            _field(t("ed_name", lang), dcc.Input(id=eid.F_NAME, type="text", debounce=True)),
            _field(t("officer", lang), dcc.Input(id=eid.F_OFFICER, type="text", debounce=True)),
            _field(t("ed_parent", lang), dcc.Input(id=eid.F_PARENT, type="text", debounce=True)),
            _button(eid.SAVE, "ed_save", lang),
        ],
        className="ed-form",
    )


def editor_section(
    lang: str,
    title: str,
    bounds: list[list[float]],
    basemap_url: str,
    first: dict[str, Any],
    key: dict[str, Any],
    reference: Any = None,
) -> list[Any]:
    """The whole page below the header: the answer store holds the plan's first state, the
    key store the plan, area and language."""
    return [
        html.Div(
            [
                html.H2(title, id=eid.TITLE),
                html.Span(id=eid.HEAD, className="note"),
                actor_field(lang),  # the one "your name" field, the workflow's and the edits'
            ],
            className="ed-head",
        ),
        html.Div(id="plan-workflow"),  # the workflow buttons (twin.app.planner.workflow)
        tool_bar(lang),
        html.Div(
            [
                html.Span(id=eid.MESSAGE, role="status"),
                html.Span(
                    [_button(eid.RELOAD, "ed_reload", lang), _button(eid.RETRY, "ed_retry", lang)],
                    id=eid.CONFLICT_BOX,
                    hidden=True,
                ),
            ],
            className="ed-message",
        ),
        html.Div(
            [
                html.Section(
                    [editor_map(bounds, basemap_url), reference], className="map-col ed-map-col"
                ),
                html.Aside(
                    [
                        attribute_form(lang),
                        html.H3(t("ed_problems", lang), className="section-title"),
                        html.Div(id=eid.PROBLEM_LIST, className="ed-problems"),
                        html.Div(id=eid.REPAIRS, className="ed-repairs"),
                        html.H3(t("ed_impact", lang), className="section-title"),
                        html.Div(id=eid.IMPACT, className="ed-impact"),
                        html.Div(id=eid.BALANCE, className="note"),
                        dcc.Graph(id=eid.CHART, config={"displayModeBar": False}),
                        html.Div(id=eid.INHERIT, className="ed-inherit"),
                    ],
                    className="side ed-side",
                ),
            ],
            className="ed-body",
        ),
        dcc.Store(id=eid.ANSWER, data=first),
        dcc.Store(id=eid.VIEW, data=first.get("view")),
        dcc.Store(id=eid.SEL, data=[]),
        dcc.Store(id=eid.PENDING),
        dcc.Store(id=eid.FLIP, data=0),
        dcc.Store(id=eid.KEY, data=key),
        dcc.Store(id=eid.DRAWN_VIEW),  # the view whose outlines the map shows
        dcc.Store(id=eid.BASE_VIEW),  # whether the map in force is shown, and its version
    ]
