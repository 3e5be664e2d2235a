"""The performance evaluation's pure parts: periods, rates, ranking, the page's URL state,
table and charts."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from tests.opsworld import NOW
from twin.activity import Clock
from twin.app.performance.figures import as_text, rank_figure, stages_figure
from twin.app.performance.views import (
    PerformancePage,
    page_search,
    period_label,
    period_options,
    read_page,
    table_columns,
    table_rows,
)
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.performance.measures import (
    Evaluation,
    Grouping,
    GroupingError,
    build_row,
    build_rows,
    grouping_choices,
    rank,
)
from twin.performance.period import Period, PeriodError, recent_periods
from twin.settings import Settings

TERMS = Terms.of(load_catalog(Settings().layers_dir))
CLOCK = Clock(NOW, "Asia/Shanghai")  # a pinned moment; every date below derives from it
TODAY = CLOCK.local.date()


def test_a_month_runs_from_its_first_to_its_last_local_day() -> None:
    month = Period.parse(f"{TODAY:%Y-%m}")
    assert month.first == TODAY.replace(day=1)
    assert (month.last + timedelta(days=1)).day == 1 and month.last.month == TODAY.month
    start, end = month.bounds("Asia/Shanghai")
    assert start.utcoffset() == timedelta(hours=8) and start.hour == 0
    assert (end - start).days == (month.last - month.first).days + 1
    december = Period.parse(f"{TODAY.year}-12")
    assert december.last == date(TODAY.year, 12, 31)


def test_a_week_is_its_iso_monday_to_sunday() -> None:
    iso = TODAY.isocalendar()
    week = Period.parse(f"{iso.year}-W{iso.week:02d}")
    assert week.first.isoweekday() == 1 and week.last - week.first == timedelta(days=6)
    assert week.first <= TODAY <= week.last


def test_a_range_includes_both_dates() -> None:
    first, last = TODAY - timedelta(days=9), TODAY
    period = Period.parse(f"{first}/{last}")
    assert (period.first, period.last) == (first, last)
    assert Period.between(first, last) == period


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", "month must be in 1..12"),
        ("2026-W54", "2026-W54"),
        ("2026-11-05/2026-11-01", "ends before it starts"),
        ("2020-01-01/2026-01-01", "longer than 366 days"),
        ("November", "expected a month (2026-11), a week (2026-W47) or FROM/TO dates"),
        (None, "expected text, got NoneType"),
        ("9999-12-31/9999-12-31", "outside the calendar"),
        ("9999-12", "year 10000 is out of range"),
    ],
)
def test_a_period_twin_cannot_read_is_named(text: object, message: str) -> None:
    with pytest.raises(PeriodError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Period.parse(text)


def test_recent_periods_are_this_month_and_week_and_those_before() -> None:
    periods = recent_periods(CLOCK, months=3, weeks=2)
    assert [p.first <= TODAY <= p.last for p in periods] == [True, False, False, True, False]
    assert periods[1].last == periods[0].first - timedelta(days=1)


def test_groupings_are_the_catalogs_levels_finest_first_then_people() -> None:
    assert grouping_choices(TERMS) == (*reversed(TERMS.levels), "officer", "department")
    assert not Grouping.parse("officer", TERMS).is_level
    assert Grouping.parse(TERMS.finest, TERMS).is_level
    with pytest.raises(GroupingError, match="by 'county': expected one of grid, community"):
        Grouping.parse("county", TERMS)


def test_rates_divide_counts_and_have_no_value_without_a_denominator() -> None:
    row = build_row(
        {
            "cases": 4,
            "merged": 1,
            "dispatch_judged": 4,
            "dispatch_on_time": 3,
            "overdue": 1,
            "ever_resolved": 0,
            "reopened": 0,
            "escalations": 5,
            "escalated": 2,
        },
        "G1",
    )
    assert (row["dispatch_on_time"], row["overdue_rate"], row["duplicate_share"]) == (
        0.75,
        0.25,
        0.2,
    )
    assert (row["start_on_time"], row["reopen_rate"]) == (None, None)
    assert (row["escalations"], row["escalated_rate"]) == (5, 0.5)
    empty = build_row({}, "G2", "grid G2")
    assert (empty["cases"], empty["resolve_on_time"], empty["name"]) == (0, None, "grid G2")


def test_every_unit_is_a_row_and_the_cases_of_none_come_last() -> None:
    grouped = [{"unit": "G2", "cases": 2}, {"unit": None, "cases": 1}, {"unit": "X", "cases": 1}]
    units = [{"code": "G1", "name": "one"}, {"code": "G2", "name": "two"}]
    rows = build_rows(grouped, units)
    assert [(r["unit"], r["name"], r["cases"]) for r in rows] == [
        ("G1", "one", 0),
        ("G2", "two", 2),
        ("X", "X", 1),
        (None, None, 1),
    ]


def test_ranking_puts_the_best_first_and_units_without_a_value_last() -> None:
    rows = [
        build_row({"cases": 2, "resolve_judged": 2, "resolve_on_time": 1, "overdue": 1}, "A"),
        build_row({"cases": 1, "resolve_judged": 1, "resolve_on_time": 1}, "B"),
        build_row({}, "C"),
    ]
    assert [r["unit"] for r in rank(rows, "resolve_on_time")] == ["B", "A", "C"]
    assert [r["unit"] for r in rank(rows, "overdue_rate")] == ["B", "A", "C"]  # lower first
    assert [r["unit"] for r in rank(rows, "cases")] == ["A", "B", "C"]  # the busiest first
    with pytest.raises(ValueError, match="rank by 'x'"):
        rank(rows, "x")


def test_median_and_p90_interpolate_as_numpy_does() -> None:
    # The SQL's percentile_cont is linear interpolation: numpy's default percentile.
    assert np.percentile([1.0, 3.0], 90) == pytest.approx(2.8)
    assert np.percentile([10.0, 80.0], 50) == pytest.approx(45.0)


def test_the_url_carries_period_grouping_ranking_and_language() -> None:
    week = Period.parse(f"{TODAY - timedelta(days=3)}/{TODAY}")
    page = PerformancePage(week, "grid", "overdue_rate", "en")
    search = page_search(page)
    assert search == f"?lang=en&period={week.text}&by=grid&rank=overdue_rate"
    assert read_page(search, "zh-CN", TERMS, CLOCK) == page


def test_a_url_without_choices_reads_as_this_month_by_department() -> None:
    page = read_page("", "zh-CN", TERMS, CLOCK)
    assert (page.period, page.by, page.rank, page.lang, page.error) == (
        Period.month_of(CLOCK),
        "department",
        "resolve_on_time",
        "zh-CN",
        None,
    )
    bad = read_page("?period=x&by=y&rank=z&lang=fr", "en", TERMS, CLOCK)
    assert (bad.period, bad.by, bad.rank, bad.lang) == (
        page.period,
        "department",
        "resolve_on_time",
        "en",
    )
    assert bad.error is not None and bad.error.count(";") == 2


def test_periods_read_in_both_languages_and_a_range_joins_the_choices() -> None:
    month = Period.parse("2026-03")
    assert (period_label(month, "zh-CN"), period_label(month, "en")) == ("2026年3月", "3/2026")
    week = Period.parse("2026-W05")
    assert (period_label(week, "zh-CN"), period_label(week, "en")) == ("2026年第5周", "2026 week 5")
    span = Period.parse(f"{TODAY - timedelta(days=1)}/{TODAY}")
    options = period_options(CLOCK, span, "en")
    assert options[0]["value"] == span.text and len(options) == 21


def evaluation(by: str) -> Evaluation:
    rows = build_rows(
        [
            {"unit": "G1", "cases": 3, "resolve_judged": 2, "resolve_on_time": 1},
            {"unit": None, "cases": 1, "resolve_judged": 1, "resolve_on_time": 1},
        ],
        [{"code": "G1", "name": "<b>grid</b>"}, {"code": "G2", "name": "two"}],
    )
    return Evaluation(Period.month_of(CLOCK), Grouping(by), NOW, rows, build_row({}, ""))


def test_table_rows_link_units_of_a_level_and_nothing_else() -> None:
    rows = table_rows(evaluation("grid"), "resolve_on_time", "en")
    assert [(r["rank"], r["name"], r.get("href")) for r in rows] == [
        (1, "None", None),
        (2, "<b>grid</b>", "/grid/G1?lang=en"),
        (3, "two", "/grid/G2?lang=en"),
    ]
    people = table_rows(evaluation("department"), "resolve_on_time", "en")
    assert all("href" not in r for r in people)
    linked = table_columns(True, "resolve_on_time", "zh-CN")
    assert linked[1]["cellRenderer"] == "UnitLink"
    assert "cellRenderer" not in table_columns(False, "cases", "en")[1]
    ranked = next(c for c in linked if c["field"] == "resolve_on_time")
    assert (ranked["headerName"], ranked["cellClass"]) == ("按时办结率", "perf-ranked")


def test_charts_show_the_ranked_units_with_names_as_text() -> None:
    rows = evaluation("grid").rows
    fig = rank_figure(rows, "resolve_on_time", "en").to_plotly_json()
    assert fig["data"][0]["y"] == ["None", "&lt;b&gt;grid&lt;/b&gt; · G1"]
    assert list(fig["data"][0]["x"]) == [1.0, 0.5]
    assert fig["layout"]["xaxis"]["tickformat"] == ".0%"
    stages = stages_figure(rows, "resolve_on_time", "zh-CN").to_plotly_json()
    assert [d["name"] for d in stages["data"]] == ["按时分派率", "按时处置率", "按时办结率"]
    assert as_text("a & <b>") == "a &amp; &lt;b&gt;"


def test_a_week_at_the_calendars_end_is_refused_not_an_overflow() -> None:
    # 9999-W52 starts on 9999-12-27: its last day is past date.max (an OverflowError before).
    with pytest.raises(PeriodError, match="9999-W52"):
        Period.parse("9999-W52")
