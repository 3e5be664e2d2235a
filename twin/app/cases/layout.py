"""The case page's parts: its frame (built on arrival) and its body (redrawn after each
action): fields, stage deadlines, actions, linked reports, timeline, photos, map and cameras.
Everything from data is text (html children), never markup; photos are <img> of twin's route."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import dash_leaflet as dl
from dash import dcc, html

from twin.app.cases import ids
from twin.app.cases.dialog import DIALOG_ACTIONS, dialog
from twin.app.cases.reads import CaseRead
from twin.app.cases.views import (
    Moves,
    allowed_actions,
    camera_rows,
    case_href,
    stage_rows,
    stage_text,
    timeline_rows,
)
from twin.app.i18n import fmt_datetime, t
from twin.app.views import CatalogText, unit_href
from twin.catalog.terms import CASES

CAMERA_COLOURS = {"online": "#188038", "offline": "#d93025", "fault": "#e8710a"}


def frame(code: str, lang: str, parts: list[Any]) -> list[Any]:
    """The page's frame: title, the last action's result, the body (parts), the dialog."""
    return [
        html.H2(t("case_title", lang, code=code), id=ids.TITLE),
        html.Div(id=ids.RESULT, className="case-result", role="status"),
        html.Div(parts, id=ids.BODY, className="case-body"),
        dialog(ids.CASE_PREFIX, lang),
    ]


def _pairs(items: list[tuple[str, Any]]) -> html.Dl:
    out: list[Any] = []
    for key, value in items:
        out += [html.Dt(key), html.Dd(value)]
    return html.Dl(out, className="case-fields")


def fields(case: dict[str, Any], text: CatalogText, lang: str, tz: str) -> html.Dl:
    """The case's fields; its unit links to the unit's page, a likely duplicate to its case."""
    v = lambda f: text.value(CASES, f, case[f], lang)  # noqa: E731
    unit: Any = (
        dcc.Link(case["grid_name"] or case["grid_code"], href=unit_href(case["grid_code"], lang))
        if case["grid_code"]
        else t("unassigned", lang)
    )
    dup: Any = (
        dcc.Link(case["duplicate_of"], href=case_href(case["duplicate_of"], lang))
        if case["duplicate_of"]
        else "–"
    )
    return _pairs(
        [
            (text.field(CASES, "category", lang), v("category")),
            (text.field(CASES, "severity", lang), v("severity")),
            (text.field(CASES, "status", lang), html.Span(v("status"), id="case-status")),
            (t("f_source_of_case", lang), v("source")),
            (text.field(CASES, "reported_at", lang), fmt_datetime(case["reported_at"], lang, tz)),
            (t("f_unit_of_case", lang), html.Span(unit, id="case-unit")),
            (t("f_department", lang), html.Span(case["department"] or "–", id="case-department")),
            (t("f_officer", lang), case["officer"] or "–"),
            (t("f_rule", lang), case["dispatch_rule"] or t("no_rule", lang)),
            (t("f_duplicate_of", lang), dup),
            (t("f_description", lang), case["description"] or "–"),
        ]
    )


def _data_stage(stage: str) -> dict[str, Any]:
    return {"data-stage": stage}


def stages(case: dict[str, Any], now: datetime, opens: tuple[str, ...], lang: str, tz: str) -> Any:
    """The stage deadlines, overdue ones marked."""
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(t(f"stage_{s.stage}", lang), className="stage-name"),
                    stage_text(s, now, lang, tz),
                ],
                className=f"stage stage-{s.state}",
                **_data_stage(s.stage),
            )
            for s in stage_rows(case, now, opens)
        ],
        className="case-stages",
        id="case-stages",
    )


def action_buttons(actions: tuple[str, ...], lang: str) -> html.Div:
    """A button per dialog action, those the case's status does not allow hidden (fixed ids:
    the app's callback guard takes no wildcard ids)."""
    return html.Div(
        [
            html.Button(
                t(f"act_{a}", lang),
                id=ids.act(a),
                className=f"case-action act-{a}",
                hidden=a not in actions,
            )
            for a in DIALOG_ACTIONS
        ],
        className="case-actions",
        id="case-actions",
    )


def duplicates(case: dict[str, Any], text: CatalogText, lang: str) -> list[Any]:
    """The reports linked to the case, each a link to its page."""
    if not case["duplicates"]:
        return []
    items = [
        html.Li(
            [
                dcc.Link(d["code"], href=case_href(d["code"], lang)),
                f" · {text.value(CASES, 'source', d['source'], lang)} · "
                + t("dup_merged" if d["merged"] else "dup_flagged", lang),
            ]
        )
        for d in case["duplicates"]
    ]
    return [html.H3(t("duplicates", lang), className="section-title"), html.Ul(items)]


def timeline(case: dict[str, Any], text: CatalogText, lang: str, tz: str) -> html.Table:
    """The timeline as a table of text."""
    keys = ("at", "actor", "action", "note", "detail")
    head = html.Tr([html.Th(t(f"tl_{k}", lang)) for k in keys])
    rows = [
        html.Tr([html.Td(r[k]) for k in keys], className="tl-row")
        for r in timeline_rows(case["timeline"], text, lang, tz)
    ]
    return html.Table(
        [html.Thead(head), html.Tbody(rows)], className="case-timeline", id="case-timeline"
    )


def photos(read: CaseRead, lang: str) -> Any:
    """The photos, each an image served by twin's own route."""
    if not read.photos:
        return html.P(t("no_photos", lang), className="note")
    base = f"/api/cases/{quote(read.code, safe='')}/photos/"
    return html.Div(
        [
            html.Img(src=f"{base}{p['id']}", alt=p["note"] or "", className="case-photo")
            for p in read.photos
        ],
        className="case-photos",
        id="case-photos",
    )


def case_map(
    case: dict[str, Any], cameras: list[dict[str, Any]], radius_m: float, basemap: str
) -> dl.Map:
    """A small map: the case's point, the radius looked in, the cameras by status."""
    centre = [case["lat"], case["lon"]]
    base: list[Any] = [dl.TileLayer(url=basemap, attribution="", maxZoom=19)] if basemap else []
    marks = [
        dl.CircleMarker(
            center=[c["lat"], c["lon"]],
            radius=6,
            color=CAMERA_COLOURS.get(c["status"], "#5f6368"),
            fillOpacity=0.9,
            children=dl.Tooltip(f"{c['code']} · {c['status_label']}"),
        )
        for c in cameras
    ]
    return dl.Map(
        [
            *base,
            dl.Circle(center=centre, radius=radius_m, color="#1d5fa8", fill=False, weight=1),
            *marks,
            dl.CircleMarker(center=centre, radius=9, color="#a142f4", fillOpacity=1),
        ],
        center=centre,
        zoom=16,
        attributionControl=False,
        className="case-map",
        id="case-map",
    )


def camera_table(cameras: list[dict[str, Any]], lang: str) -> Any:
    """The cameras near the case, nearest first, with their status."""
    if not cameras:
        return html.P(t("no_cameras", lang), className="note")
    keys = (
        ("code", "code"),
        ("name", "name"),
        ("status_label", "status"),
        ("distance", "distance"),
        ("last_seen", "last_seen"),
    )
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(t(k, lang)) for _, k in keys])),
            html.Tbody(
                [
                    html.Tr([html.Td(c[f]) for f, _ in keys], className=f"camera-{c['status']}")
                    for c in cameras
                ]
            ),
        ],
        className="case-cameras",
        id="case-cameras",
    )


def body(
    read: CaseRead,
    text: CatalogText,
    moves: Moves,
    now: datetime,
    lang: str,
    tz: str,
    radius_m: float,
    basemap: str = "",
) -> list[Any]:
    """The page's body for a case read (merged: where to, and unmerge; missing: said so)."""
    if read.case is None:
        if read.into is None:
            missing = html.P(t("case_missing", lang, code=read.code), className="case-missing")
            return [missing, action_buttons((), lang)]
        return [
            html.P(
                [
                    t("case_merged_into", lang, code=read.code),
                    " ",
                    dcc.Link(read.into, href=case_href(read.into, lang)),
                ],
                className="case-merged",
            ),
            action_buttons(("unmerge",), lang),
        ]
    case = read.case
    opens = text.layers[CASES].field("status").open_values
    actions = (*allowed_actions(case["status"], moves, opens), "merge")
    cams = camera_rows(read.cameras, text, lang, tz)
    return [
        html.Div(
            [
                html.Section(
                    [
                        fields(case, text, lang, tz),
                        html.H3(t("actions", lang), className="section-title"),
                        action_buttons(actions, lang),
                        html.H3(t("stages", lang), className="section-title"),
                        stages(case, now, opens, lang, tz),
                        *duplicates(case, text, lang),
                        html.H3(t("photos", lang), className="section-title"),
                        photos(read, lang),
                    ],
                    className="case-col",
                ),
                html.Section(
                    [
                        case_map(case, cams, radius_m, basemap),
                        html.H3(
                            t("near_cameras", lang, r=f"{radius_m:g}"), className="section-title"
                        ),
                        camera_table(cams, lang),
                    ],
                    className="case-col",
                ),
            ],
            className="case-cols",
        ),
        html.H3(t("timeline", lang), className="section-title"),
        timeline(case, text, lang, tz),
    ]
