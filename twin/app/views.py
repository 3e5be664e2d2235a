"""Pure functions behind the pages: store data in, plain data or components out."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from dash import dcc, html

from twin.app.i18n import MESSAGES, fmt_datetime, fmt_hours, fmt_number, t
from twin.app.palette import STATUS_GLYPH
from twin.app.wall import format_change
from twin.app.window_views import bin_label
from twin.catalog import Layer
from twin.catalog.terms import CASES

CATEGORY_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#9c755f")
# The drill-down's tiles, in reading order: flow first, then devices.
TILES = (
    "open",
    "overdue",
    "new_today",
    "closed_today",
    "median_handling",
    "on_time_rate",
    "camera_online_rate",
    "sensor_status_alarm",
)
# How much each count weighs in "needs attention most" (documented in the README).
ATTENTION_WEIGHTS = {"overdue": 3.0, "open_severity_1": 5.0, "sensor_status_alarm": 2.0}
ATTENTION_OPEN = 0.2  # per open case
ATTENTION_CAMERAS = 10.0  # times the share of cameras not online
STATUS_RANK = {"red": 2, "yellow": 1, "green": 0}


@dataclass(frozen=True)
class CatalogText:
    """Labels and colours of layer fields and enum values, from the layer TOML."""

    layers: dict[str, Layer]

    def field(self, layer: str, field: str, lang: str) -> str:
        """A field's title."""
        return self.layers[layer].field(field).title.get(lang)

    def value(self, layer: str, field: str, value: Any, lang: str) -> str:
        """An enum value's label (the value itself when the catalog has none)."""
        for v in self.layers[layer].field(field).values:
            if v.value == str(value):
                return v.label.get(lang)
        return str(value)

    def options(self, layer: str, field: str, lang: str) -> list[dict[str, str]]:
        """Dropdown options for an enum field."""
        values = self.layers[layer].field(field).values
        return [{"label": v.label.get(lang), "value": v.value} for v in values]

    def level(self, level: str, lang: str) -> str:
        """A level's name: the UI's word for it, or the title of the catalog's layer of that
        level (a level only a TOML file defines)."""
        if level in MESSAGES:
            return t(level, lang)
        found = [g for g in self.layers.values() if g.kind == "grid" and g.level == level]
        return found[0].title.get(lang) if found else level

    def colours(self, layer: str, field: str) -> dict[str, str]:
        """An enum field's colours by value (those the catalog gives)."""
        return {v.value: v.color for v in self.layers[layer].field(field).values if v.color}


def tile_values(status: dict[str, Any], activity: dict[str, Any]) -> dict[str, Any]:
    """The raw value behind each KPI tile."""
    return {
        "open": status["open"],
        "overdue": status["overdue"],
        "new_today": activity["new_today"],
        "closed_today": activity["closed_today"],
        "new_window": activity["new_window"],
        "closed_window": activity["closed_window"],
        "median_handling": activity["median_handling_hours"],
        "on_time_rate": activity["on_time_rate"],
        "camera_online_rate": status["camera_online_rate"],
        "sensor_status_alarm": status["sensor_status_alarm"],
    }


def format_tile(key: str, value: Any, lang: str) -> str:
    """A tile's value as shown."""
    if key == "median_handling":
        return fmt_hours(value, lang)
    return fmt_number(value, lang, rate=key.endswith("rate"))


def build_tiles(
    values: dict[str, Any],
    lang: str,
    prefix: str = "kpi",
    changes: dict[str, int] | None = None,
) -> list[html.Div]:
    """KPI tiles with ids prefix-key; the raw value rides along in data-value for checking;
    a tile with a change against yesterday shows it under its label."""
    changes = changes or {}
    return [
        html.Div(
            [
                html.Div(format_tile(k, v, lang), className="tile-value"),
                html.Div(t(k, lang), className="tile-label"),
                *(
                    [html.Div(format_change(changes[k], lang), className="tile-change")]
                    if k in changes
                    else []
                ),
            ],
            id=f"{prefix}-{k}",
            className=f"tile tile-{k}" + (" tile-alert" if k == "overdue" and v else ""),
            **_data("value", "" if v is None else str(v)),
        )
        for k, v in values.items()
    ]


def unit_href(code: str, lang: str) -> str:
    """The link to a unit's page in lang; the code travels percent-encoded (/, &, #, 中文)."""
    return f"/grid/{quote(code, safe='')}?lang={lang}"


def build_crumbs(lineage: list[dict[str, Any]], lang: str) -> list[Any]:
    """Breadcrumbs city › district › street › community › grid, each a link but the last."""
    home = f"/?lang={lang}"
    items: list[Any] = [dcc.Link(t("city", lang), href=home, className="crumb", id="crumb-city")]
    for i, unit in enumerate(lineage):
        items.append(html.Span("›", className="crumb-sep"))
        label = f"{unit['name']}"
        if i == len(lineage) - 1:
            items.append(html.Span(label, className="crumb crumb-here"))
        else:
            href = unit_href(unit["code"], lang)
            items.append(dcc.Link(label, href=href, className="crumb", id=f"crumb-{unit['level']}"))
    return items


def attention_scores(statuses: pd.DataFrame) -> np.ndarray:
    """How much each grid needs attention: weighted overdue, severity-1, alarms, open, cameras."""
    score = statuses["open"].to_numpy(dtype=float) * ATTENTION_OPEN
    for column, weight in ATTENTION_WEIGHTS.items():
        score += statuses[column].to_numpy(dtype=float) * weight
    offline = 1.0 - statuses["camera_online_rate"].to_numpy(dtype=float)
    return score + np.nan_to_num(offline) * ATTENTION_CAMERAS


def rank_attention(statuses: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The n units needing attention most: red before yellow before green, then by score."""
    if statuses.empty:
        return statuses.assign(score=[])
    ranked = statuses.assign(
        score=attention_scores(statuses).round(1),
        rank=statuses["composite"].map(STATUS_RANK),
    )
    ranked = ranked.sort_values(["rank", "score", "code"], ascending=[False, False, True])
    return ranked.head(n).drop(columns="rank")


def status_glyph(status: str) -> html.Span:
    """The status's shape as text (▲ alert, ! watch, ✓ normal): a badge reads without colour."""
    return html.Span(
        STATUS_GLYPH.get(status, ""), className="status-glyph", **_data("status", status)
    )


def reasons_text(reasons: list[str], lang: str) -> str:
    """Why a unit is not green, in words."""
    return ("、" if lang != "en" else ", ").join(t(f"reason_{r}", lang) for r in reasons)


def build_attention(ranked: pd.DataFrame, lang: str) -> html.Ol:
    """The attention list: each unit linked to its page, its status, reasons and key counts."""
    items = []
    for row in _records(ranked):
        counts = f"{t('overdue', lang)} {row['overdue']} · {t('open', lang)} {row['open']}"
        items.append(
            html.Li(
                [
                    html.Span(className=f"dot dot-{row['composite']}"),
                    dcc.Link(row["name"], href=unit_href(row["code"], lang), className="attn-name"),
                    html.Span(
                        why := reasons_text(row["reasons"], lang), className="attn-why", title=why
                    ),
                    html.Span(counts, className="attn-counts"),
                ],
                **{"data-code": row["code"]},
            )
        )
    return html.Ol(items, className="attention", id="attention-list")


def count_ticks(top: float, most: int = 5) -> dict[str, Any]:
    """A count axis from 0 to above top in whole steps of 1, 2, 5, 10, 20, 50, … with at
    most `most` steps (never "0 1 1 2 2")."""
    steps = (m * 10**e for e in range(12) for m in (1, 2, 5))
    step = next(s for s in steps if math.ceil(top / s) <= most)
    return {
        "tickmode": "linear",
        "tick0": 0,
        "dtick": step,
        "range": [0, (math.floor(top / step) + 1) * step],
        "tickformat": ",d",
    }


def running_bins(bins: list[Any], now: datetime | None) -> list[bool]:
    """Which trend bins (local dates, or naive local hours) are still running at now."""
    if now is None:
        return [False] * len(bins)
    local = now.replace(tzinfo=None)
    hour = timedelta(hours=1)
    return [b <= local < b + hour if isinstance(b, datetime) else b == local.date() for b in bins]


def trend_figure(
    trend: pd.DataFrame,
    text: CatalogText,
    lang: str,
    dark: bool = False,
    now: datetime | None = None,
) -> go.Figure:
    """Stacked bars per day (or hour) and category over the window, labelled from the
    catalog; the bin still running at now (local time) is hatched, paler and labelled so it
    never reads as a drop."""
    days = [bin_label(d, lang) for d in trend.index]
    partial = running_bins(list(trend.index), now)
    fig = go.Figure()
    categories = [v.value for v in text.layers["incident"].field("category").values]
    for i, cat in enumerate(categories):
        counts = trend[cat] if cat in trend.columns else pd.Series(0, index=trend.index)
        fig.add_bar(
            x=days,
            y=counts.tolist(),
            name=text.value("incident", "category", cat, lang),
            marker={
                "color": CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)],
                "opacity": [0.45 if p else 1.0 for p in partial],
                "pattern": {"shape": ["/" if p else "" for p in partial], "solidity": 0.3},
            },
        )
    ink = "#d9e2ec" if dark else "#334e68"
    totals = trend.reindex(columns=categories, fill_value=0).sum(axis=1)
    top = float(totals.max()) if len(totals) else 0.0
    if any(partial):
        at = partial.index(True)
        fig.add_annotation(
            x=days[at],
            y=float(totals.iloc[at]),
            text=t(
                "hour_partial" if isinstance(trend.index[at], datetime) else "today_partial", lang
            ),
            showarrow=False,
            yanchor="bottom",
            xanchor="right",
            font={"size": 11, "color": ink},
            bgcolor="rgba(15,31,48,.85)" if dark else "rgba(255,255,255,.85)",
        )
    fig.update_layout(
        barmode="stack",
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        # Above the plot: below it, a legend wrapping to two rows (English) ran over the days.
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}
        | {"font": {"size": 11}},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"color": ink, "family": "Noto Sans CJK SC, sans-serif"},
        xaxis={"type": "category", "tickangle": 0, "nticks": 10},
        yaxis={"gridcolor": "#3e4c59" if dark else "#e4e7eb"} | count_ticks(top),
        bargap=0.15,
    )
    return fig


def incident_rows(
    frame: pd.DataFrame, now: datetime, text: CatalogText, lang: str, tz: str
) -> list[dict[str, Any]]:
    """The incident table's rows: labels from the catalog, age and time to due as durations."""
    rows = []
    still_open = text.layers[CASES].field("status").open_values
    for r in _records(frame):
        closed = None if pd.isna(r["closed_at"]) else r["closed_at"]  # NaT is a datetime too
        age = ((closed or now) - r["reported_at"]).total_seconds() / 3600
        handling = r["status"] in still_open  # a resolved case has no deadline left to miss
        if not handling:
            due = "–"
        else:
            left = (r["due_at"] - now).total_seconds() / 3600
            due = (
                fmt_hours(left, lang)
                if left >= 0
                else t("overdue_by", lang, d=fmt_hours(-left, lang))
            )
        rows.append(
            {
                "code": r["code"],
                "category": text.value("incident", "category", r["category"], lang),
                "severity": text.value("incident", "severity", r["severity"], lang),
                "status": text.value("incident", "status", r["status"], lang),
                "reported_at": fmt_datetime(r["reported_at"], lang, tz),
                "age": fmt_hours(age, lang),
                # The table shows the report time; how long ago, in its tooltip.
                "reported_tip": f"{fmt_datetime(r['reported_at'], lang, tz)} · "
                f"{t('age', lang)} {fmt_hours(age, lang)}",
                "time_to_due": due,
                "overdue": handling and r["due_at"] < now,
            }
        )
    return rows


def point_rows(
    points: pd.DataFrame | Sequence[Mapping[str, Any]],
    layer: Layer,
    text: CatalogText,
    lang: str,
    tz: str,
) -> list[dict[str, Any]]:
    """A point layer's list rows (from a frame or records): enum labels, local times,
    numbers; "–" where empty (the raw colour-field value rides along as raw_<field>)."""
    if isinstance(points, pd.DataFrame):
        names: list[Any] = list(points.columns)
        records: Sequence[Mapping[Any, Any]] = points.to_dict("records")
    else:
        records = list(points)
        names = list(records[0]) if records else []
    fields = [f for f in names if f in layer.field_names]
    colour = layer.style.color_by
    out = []
    for r in records:
        row = {f: _cell(layer, f, r[f], text, lang, tz) for f in fields}
        if colour is not None and colour in r:
            row[f"raw_{colour}"] = r[colour]
        out.append(row)
    return out


def _cell(layer: Layer, name: str, value: Any, text: CatalogText, lang: str, tz: str) -> Any:
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return "–"
    kind = layer.field(name).type
    if kind == "enum":
        return text.value(layer.name, name, value, lang)
    if kind == "timestamp":
        return fmt_datetime(value, lang, tz)
    if kind == "float":
        return f"{value:g}"
    return value


def children_rows(children: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """A unit's children ranked by attention, with the counts that explain the rank."""
    ranked = rank_attention(children, len(children))
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "status": t(r["composite"], lang),
            "composite": r["composite"],
            "score": r["score"],
            "open": int(r["open"]),
            "overdue": int(r["overdue"]),
            "open_severity_1": int(r["open_severity_1"]),
            "camera_online_rate": fmt_number(_nan_none(r["camera_online_rate"]), lang, rate=True),
            "reasons": reasons_text(r["reasons"], lang),
        }
        for r in _records(ranked)
    ]


def feed_rows(feed: pd.DataFrame, text: CatalogText, lang: str, tz: str) -> list[dict[str, Any]]:
    """The feed of serious cases and escalations: when it came up, what, how serious, where."""
    return [
        {
            "code": r["code"],
            "reported_at": fmt_datetime(r["at"], lang, tz),
            "escalated": bool(r["escalated"]),
            "category": text.value("incident", "category", r["category"], lang),
            "severity": int(r["severity"]),
            "severity_label": text.value("incident", "severity", r["severity"], lang),
            "status": text.value("incident", "status", r["status"], lang),
            "grid_code": r["grid_code"],
            "grid_name": r["grid_name"] or t("unassigned", lang),
        }
        for r in _records(feed)
    ]


def build_feed(rows: list[dict[str, Any]], lang: str) -> html.Ul:
    """The feed as a list; severity-1 rows and escalations (督办) stand out."""
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(r["reported_at"], className="feed-time"),
                    html.Span(r["severity_label"], className=f"sev sev-{r['severity']}"),
                    # A title on each: the wall may cut a long name short with an ellipsis.
                    html.Span(r["category"], className="feed-cat", title=r["category"]),
                    dcc.Link(
                        r["grid_name"], href=unit_href(r["grid_code"], lang), title=r["grid_name"]
                    )
                    if r["grid_code"]
                    else html.Span(r["grid_name"], title=r["grid_name"]),
                    html.Span(r["status"], className="feed-status"),
                ],
                className="feed-escalated" if r.get("escalated") else "",
                **{"data-code": r["code"]},
            )
            for r in rows
        ],
        className="feed",
        id="feed-list",
    )


def tour_order(ranked: pd.DataFrame) -> list[str]:
    """The big screen's tour: the grids needing attention that are not green."""
    return [c for c, s in zip(ranked["code"], ranked["composite"], strict=True) if s != "green"]


def seen_before(feed: pd.DataFrame, before: datetime) -> int:
    """The newest case id a screen that came up at `before` counts as already seen.

    Cases reported since are news even if the screen's first answer was lost (Dash drops
    an older in-flight request of the same callback, so the first 'seen' may never land).
    """
    old = feed[feed["reported_at"] < before] if len(feed) else feed
    return int(old["id"].max()) if len(old) else 0


def new_severe(feed: pd.DataFrame, seen_id: int | None) -> dict[str, Any] | None:
    """The newest severity-1 case reported after the last one this screen saw, if any."""
    if seen_id is None:
        return None
    fresh = feed[(feed["severity"] == 1) & (feed["id"] > seen_id)]
    if fresh.empty:
        return None
    return _records(fresh.head(1))[0]


def _data(name: str, value: str) -> dict[str, Any]:
    """A data-* attribute for a component (Dash takes them as keyword arguments)."""
    return {f"data-{name}": value}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as plain dicts keyed by column name."""
    return [dict(zip(frame.columns, row, strict=True)) for row in frame.itertuples(index=False)]


def _nan_none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value
