"""The editor's side panels as components: problems, repairs, impact table, inheritors.
Text from data goes in as children (text), never as HTML."""

from __future__ import annotations

from typing import Any

from dash import html

from twin.app.i18n import fmt_number, t
from twin.app.planner import editor_ids as eid
from twin.app.planner.editor_views import before_after, impact_rows, inheritors, problem_items
from twin.plans.rules import MEASURES

Json = dict[str, Any]
MAX_LISTED = 60  # problems, cases listed; the rest are counted


def problem_list(problems: list[Json], lang: str) -> list[Any]:
    """Each problem a button (kind, units, the building cut, area) that zooms the map to it."""
    if not problems:
        return [html.P(t("ed_no_problems", lang), className="note ed-ok")]
    items = problem_items(problems, lang)
    out: list[Any] = [
        html.Button(
            [
                html.Span(p["kind"], className="ed-kind"),
                html.Span(p["codes"], className="ed-codes"),
                *([html.Span(p["building"], className="ed-building")] if p["building"] else []),
                html.Span(p["area"], className="ed-area"),
            ],
            id={"type": eid.PROBLEM, "index": p["index"]},
            n_clicks=0,
            className="ed-problem",
        )
        for p in items[:MAX_LISTED]
    ]
    if len(items) > MAX_LISTED:
        out.append(html.P(t("ed_more", lang, n=len(items) - MAX_LISTED), className="note"))
    return out


def repair_list(repairs: list[Json], lang: str) -> list[Any]:
    """What the auto-fix changed: each piece, where it went, its area."""
    if not repairs:
        return []
    return [
        html.H4(t("ed_repairs", lang)),
        html.Ul(
            [
                html.Li(
                    t(
                        "ed_repair",
                        lang,
                        kind=t(f"pk_{r['kind']}", lang),
                        area=fmt_number(round(r["area_m2"], 1), lang),
                        to=r["to_code"],
                        frm=", ".join(r["from_codes"]) or "–",
                    )
                )
                for r in repairs
            ]
        ),
    ]


def impact_table(impact: Json, changed: list[str], lang: str) -> Any:
    """Each touched unit before → after, the last edit's units first and marked."""
    rows = impact_rows(impact, changed)
    if not rows:
        return html.P(t("ed_no_impact", lang), className="note")
    head = html.Tr(
        [html.Th(t("ed_code", lang)), html.Th(t("ed_change", lang))]
        + [html.Th(t(f"m_{m}", lang)) for m in MEASURES]
    )
    body = [
        html.Tr(
            [html.Td(r["code"]), html.Td(r["change"])]
            + [html.Td(before_after(r[m], lang), className="num") for m in MEASURES],
            className="ed-latest" if r["latest"] else "",
            **{"data-code": r["code"]},
        )
        for r in rows
    ]
    moved = len(impact.get("moved", []))
    return html.Div(
        [
            html.P(t("ed_moved", lang, n=moved, cases=len(impact.get("inherited", [])))),
            html.Table([html.Thead(head), html.Tbody(body)], className="ed-table"),
        ]
    )


def inherit_list(impact: Json, lang: str) -> list[Any]:
    """Which officer inherits which cases."""
    groups = inheritors(impact)
    if not groups:
        return []
    return [
        html.H4(t("ed_inherit", lang)),
        html.Ul(
            [
                html.Li(
                    t("ed_inherits", lang, to=g["to"], frm=g["from"], n=len(g["cases"]))
                    + ": "
                    + ", ".join(g["cases"][:MAX_LISTED])
                )
                for g in groups
            ]
        ),
    ]
