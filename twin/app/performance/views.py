"""The performance page's logic: its URL state, the choices of its controls, the ranked
table's rows and columns — pure functions of an evaluation and a language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from twin.activity import Clock
from twin.app.i18n import LANGS, fmt_datetime, t
from twin.app.inputs import text_value
from twin.app.views import CatalogText, unit_href
from twin.catalog.terms import Terms
from twin.performance.measures import (
    MEASURE_KEYS,
    MEASURES,
    Evaluation,
    Grouping,
    GroupingError,
    grouping_choices,
    rank,
)
from twin.performance.period import Period, PeriodError, recent_periods

DEFAULT_BY = "department"
DEFAULT_RANK = "resolve_on_time"
# How AG Grid shows a value it sorts as a number: rates as percentages, hours to a tenth.
_FORMAT = {
    "rate": "params.value == null ? '–' : d3.format('.1%')(params.value)",
    "hours": "params.value == null ? '–' : d3.format('.1f')(params.value)",
    "count": "params.value == null ? '–' : d3.format(',')(params.value)",
}


@dataclass(frozen=True)
class PerformancePage:
    """What a /performance URL asks for: period, grouping, the measure ranked by, the
    language, and what was wrong with it (the rest then reads as the defaults)."""

    period: Period
    by: str = DEFAULT_BY
    rank: str = DEFAULT_RANK
    lang: str = "zh-CN"
    error: str | None = None


def read_page(search: Any, default_lang: str, terms: Terms, clock: Clock) -> PerformancePage:
    """A /performance search as a page; a bad choice reads as its default, with an error."""
    query = {k: v[-1] for k, v in parse_qs((text_value(search, 2000) or "").lstrip("?")).items()}
    lang = query.get("lang", default_lang)
    lang = lang if lang in LANGS else default_lang
    errors: list[str] = []
    period = Period.month_of(clock)
    if "period" in query:
        try:
            period = Period.parse(query["period"])
        except PeriodError as exc:
            errors.append(str(exc))
    by = query.get("by", DEFAULT_BY)
    try:
        Grouping.parse(by, terms)
    except GroupingError as exc:
        errors.append(str(exc))
        by = DEFAULT_BY
    ranked = query.get("rank", DEFAULT_RANK)
    if ranked not in MEASURE_KEYS:
        errors.append(f"rank {ranked[:40]!r}: expected one of {', '.join(MEASURE_KEYS)}")
        ranked = DEFAULT_RANK
    return PerformancePage(period, by, ranked, lang, "; ".join(errors) or None)


def page_search(page: PerformancePage) -> str:
    """The URL search of a page: language, period, grouping, ranking."""
    query = {"lang": page.lang, "period": page.period.text, "by": page.by, "rank": page.rank}
    return "?" + urlencode(query, quote_via=quote, safe="/")


def period_label(period: Period, lang: str) -> str:
    """A period for people: 2026年11月 / 2026-11, 2026年第47周 / 2026 week 47, or dates."""
    first, last = period.first, period.last
    if len(period.text) == 7:
        return t("perf_month", lang, y=first.year, m=first.month)
    if "-W" in period.text:
        iso = first.isocalendar()
        return t("perf_week", lang, y=iso.year, w=iso.week)
    return t("perf_range", lang, first=first.isoformat(), last=last.isoformat())


def period_options(clock: Clock, current: Period, lang: str) -> list[dict[str, str]]:
    """Recent months and weeks, and the URL's period when it is none of them."""
    periods = recent_periods(clock)
    if current not in periods:
        periods.insert(0, current)
    return [{"label": period_label(p, lang), "value": p.text} for p in periods]


def grouping_options(terms: Terms, text: CatalogText, lang: str) -> list[dict[str, str]]:
    """Each level of the catalog (finest first), then officers and departments."""
    return [
        {
            "label": t(f"perf_{by}", lang)
            if by in ("officer", "department")
            else text.level(by, lang),
            "value": by,
        }
        for by in grouping_choices(terms)
    ]


def rank_options(lang: str) -> list[dict[str, str]]:
    """Every measure, by its name in lang."""
    return [{"label": t(f"perf_{k}", lang), "value": k} for k in MEASURE_KEYS]


def unit_label(row: dict[str, Any], lang: str) -> str:
    """The name a row shows: its unit's or person's name, or 'none'."""
    return str(row["name"]) if row["unit"] is not None else t("perf_none", lang)


def table_rows(evaluation: Evaluation, ranked_by: str, lang: str) -> list[dict[str, Any]]:
    """The rows ranked best first by a measure; a unit of a level links to its page."""
    out = []
    for i, row in enumerate(rank(evaluation.rows, ranked_by), start=1):
        link = evaluation.grouping.is_level and row["unit"] is not None
        out.append(
            {"rank": i, "name": unit_label(row, lang), "unit": row["unit"] or ""}
            | {k: row[k] for k in MEASURE_KEYS}
            | ({"href": unit_href(row["unit"], lang)} if link else {})
        )
    return out


def table_columns(linked: bool, ranked_by: str, lang: str) -> list[dict[str, Any]]:
    """The table's columns: rank, name (a link for units), code, then every measure."""
    name: dict[str, Any] = {
        "field": "name",
        "headerName": t("name", lang),
        "minWidth": 140,
        "pinned": "left",
        "tooltipField": "name",
    }
    if linked:
        name["cellRenderer"] = "UnitLink"
    columns = [
        {"field": "rank", "headerName": t("perf_rank_no", lang), "width": 70, "pinned": "left"},
        name,
        {"field": "unit", "headerName": t("perf_unit", lang), "minWidth": 90},
    ]
    for m in MEASURES:
        column: dict[str, Any] = {
            "field": m.key,
            "headerName": t(f"perf_{m.key}", lang),
            "headerTooltip": t(f"perf_{m.key}", lang),
            "type": "numericColumn",
            "valueFormatter": {"function": _FORMAT[m.kind]},
            "minWidth": 96,
        }
        if m.key == ranked_by:
            column["cellClass"] = "perf-ranked"
        columns.append(column)
    return columns


def summary(evaluation: Evaluation, lang: str, tz: str) -> str:
    """One line: the period, its dates, the city's cases, when read."""
    period = evaluation.period
    label = period_label(period, lang)
    dates = t("perf_range", lang, first=period.first.isoformat(), last=period.last.isoformat())
    return t(
        "perf_summary",
        lang,
        period=label if label == dates else f"{label} · {dates}",
        n=f"{evaluation.total['cases']:,}",
        at=fmt_datetime(evaluation.at, lang, tz),
    )
