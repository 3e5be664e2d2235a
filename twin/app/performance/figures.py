"""The performance page's charts: plain rows in, a figure out (rendered offline)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from twin.app.i18n import t
from twin.performance.measures import MEASURES, rank

TOP = 15  # units a chart shows
STAGES = ("dispatch_on_time", "start_on_time", "resolve_on_time")
STAGE_COLOURS = ("#4c78a8", "#f58518", "#54a24b")  # Tableau 10: apart in hue and lightness
_KIND = {m.key: m.kind for m in MEASURES}


def as_text(value: str) -> str:
    """A label from data shown as itself: plotly reads <b>, <a> and entities in labels."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _label(row: dict[str, Any], none: str) -> str:
    if row["unit"] is None:
        return none
    name = str(row["name"])
    return name if name == row["unit"] else f"{name} · {row['unit']}"


def _layout(title: str, n: int) -> dict[str, Any]:
    return {
        "title": {"text": title, "font": {"size": 14}},
        "height": 120 + 24 * max(n, 1),
        "margin": {"l": 10, "r": 20, "t": 40, "b": 30},
        "yaxis": {"automargin": True, "autorange": "reversed"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "legend": {"orientation": "h", "y": -0.08},
    }


def rank_figure(rows: list[dict[str, Any]], key: str, lang: str) -> go.Figure:
    """The best TOP units by a measure, as horizontal bars."""
    shown = [r for r in rank(rows, key) if r[key] is not None][:TOP]
    labels = [as_text(_label(r, t("perf_none", lang))) for r in shown]
    rate = _KIND[key] == "rate"
    bars = go.Bar(
        x=[r[key] for r in shown],
        y=labels,
        orientation="h",
        marker={"color": "#4c78a8"},
        hovertemplate="%{y}: %{x" + (":.1%" if rate else ":,.1f") + "}<extra></extra>",
    )
    fig = go.Figure(bars)
    title = t("perf_chart_rank", lang, measure=t(f"perf_{key}", lang), n=len(shown))
    fig.update_layout(**_layout(title, len(shown)))
    fig.update_xaxes(tickformat=".0%" if rate else ",")
    return fig


def stages_figure(rows: list[dict[str, Any]], key: str, lang: str) -> go.Figure:
    """The on-time rate of each stage for the same units as the ranking, grouped bars."""
    shown = [r for r in rank(rows, key) if r[key] is not None][:TOP]
    labels = [as_text(_label(r, t("perf_none", lang))) for r in shown]
    fig = go.Figure(
        [
            go.Bar(
                name=t(f"perf_{stage}", lang),
                x=[r[stage] for r in shown],
                y=labels,
                orientation="h",
                marker={"color": colour},
                hovertemplate="%{y}: %{x:.1%}<extra>%{fullData.name}</extra>",
            )
            for stage, colour in zip(STAGES, STAGE_COLOURS, strict=True)
        ]
    )
    fig.update_layout(**_layout(t("perf_chart_stages", lang, n=len(shown)), 2 * len(shown)))
    fig.update_layout(barmode="group")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    return fig
