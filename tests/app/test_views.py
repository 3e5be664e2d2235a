"""The pure functions behind the pages: routes, levels, colours, rankings, figures, rows."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from dash import dcc, html

from twin.activity import Clock
from twin.app.i18n import GRID_TEXT, MESSAGES, fmt_datetime, fmt_hours, fmt_number, grid_locale, t
from twin.app.inputs import Route, read_state
from twin.app.layout import fit_zoom
from twin.app.mapdata import snap_bbox
from twin.app.metrics import (
    build_hideout,
    build_legend,
    catalog_metrics,
    class_breaks,
    hideout_changes,
)
from twin.app.pages import auto_levels, control_options, lang_href, level_for_zoom, parse_route
from twin.app.palette import ALERT_RAMP
from twin.app.tables import MAX_PAGE_ROWS, PageRequestError, case_filter
from twin.app.views import (
    CatalogText,
    build_crumbs,
    build_tiles,
    incident_rows,
    new_severe,
    point_rows,
    rank_attention,
    seen_before,
    trend_figure,
)
from twin.app.window_views import control_state, trend_title, window_label, window_options
from twin.catalog import load_catalog, parse_layer
from twin.catalog.terms import Terms
from twin.settings import Settings
from twin.window import TimeWindow

LAYERS = load_catalog(Settings().layers_dir)
TERMS = Terms.of(LAYERS)
CASES = LAYERS["incident"]
TEXT = CatalogText(LAYERS)
METRICS = {m.key: m for m in catalog_metrics(LAYERS)}
NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


def statuses(**columns: list[object]) -> pd.DataFrame:
    """A status frame of three grids A, B, C with defaults for what a test does not set."""
    base: dict[str, list[object]] = {
        "code": ["A", "B", "C"],
        "name": ["grid A", "grid B", "grid C"],
        "composite": ["green", "red", "yellow"],
        "reasons": [[], ["overdue"], ["open"]],
        "open": [1, 5, 12],
        "overdue": [0, 3, 0],
        "open_severity_1": [0, 0, 0],
        "sensor_status_alarm": [0, 0, 0],
        "camera_online_rate": [1.0, float("nan"), 0.5],
    }
    return pd.DataFrame(base | columns)


def test_routes_are_bookmarkable_urls() -> None:
    assert parse_route("/", "", "zh-CN").data() == {
        "mode": "cockpit",
        "lang": "zh-CN",
        "unit": None,
        "window": "30d",
    }
    assert parse_route("/grid/420102", "?lang=en&window=7d", "zh-CN").data() == {
        "mode": "unit",
        "lang": "en",
        "unit": "420102",
        "window": "7d",
    }
    assert parse_route("/screen/", "?lang=xx", "en").mode == "screen"
    assert parse_route("/screen/", "?lang=xx", "en").lang == "en"  # unknown language: default
    assert parse_route("/nothing", None, "en").mode == "missing"
    assert parse_route("/grid/%E4%B8%9C%E6%B9%96-01", "", "en").unit == "东湖-01"
    assert lang_href(Route("unit", "zh-CN", "G1")) == "/grid/G1?lang=en"


def test_levels_appear_in_order_as_the_map_zooms_in() -> None:
    widths = {"district": 0.13, "street": 0.037, "community": 0.016, "grid": 0.0048}
    levels = auto_levels(widths, TERMS.levels)
    assert [lv for _, lv in levels] == ["district", "street", "community", "grid"]
    zooms = [z for z, _ in levels]
    assert zooms[0] == -math.inf and zooms == sorted(zooms)
    assert level_for_zoom(levels, 6, "grid") == "district"
    assert level_for_zoom(levels, zooms[2] + 0.1, "grid") == "community"
    assert level_for_zoom(levels, 18, "grid") == "grid"
    assert level_for_zoom(levels, None, "grid") == "district"
    # A finer level is never offered at the same zoom as a coarser one.
    same = auto_levels({"district": 0.01, "street": 0.01}, TERMS.levels)
    assert same[1][0] > same[0][0]


def test_class_breaks_rise_strictly_and_ignore_missing_values() -> None:
    breaks = class_breaks(np.array([0, 0, 0, 1, 2, 3, 50, np.nan]))
    assert breaks == sorted(set(breaks)) and breaks[-1] == 50
    assert class_breaks(np.array([np.nan])) == []
    assert class_breaks(np.array([4.0, 4.0])) == [4.0]


def test_count_classes_are_whole_ranges() -> None:
    values = {c: v for c, v in zip("ABCDEFGHIJ", [0, 0, 0, 1, 2, 3, 4, 8, 9, 30], strict=True)}
    legend = build_legend(METRICS["open"], values, "en")
    assert [e["label"] for e in legend] == ["0", "1", "2 – 4", "5 – 8", "9 – 30"]


def test_legend_names_the_classes_in_the_pages_language() -> None:
    frame = statuses()
    status_legend = build_legend(METRICS["composite"], {}, "en")
    assert [e["label"] for e in status_legend] == ["✓ Normal", "! Watch", "▲ Alert"]
    rate = METRICS["camera_online_rate"]
    values = {"A": 1.0, "B": None, "C": 0.5}
    legend = build_legend(rate, values, "zh-CN")
    assert legend[-1] == {"colour": "#9aa5b1", "label": "无数据"}  # B has no cameras
    assert legend[0]["colour"] == ALERT_RAMP[-1]  # low online rate is the alarming colour
    assert "%" in legend[0]["label"]
    assert build_hideout(frame, rate, "en")["ramp"] == [ALERT_RAMP[-1], ALERT_RAMP[0]]
    assert build_hideout(frame, METRICS["open"], "en")["ramp"] == list(ALERT_RAMP[::2])


def test_hideout_carries_values_and_labels_never_geometry() -> None:
    hideout = build_hideout(statuses(), METRICS["open"], "en")
    assert hideout["values"] == {"A": 1, "B": 5, "C": 12}
    assert hideout["status"] == {"A": "green", "B": "red", "C": "yellow"}
    assert hideout["names"]["C"] == "grid C"
    assert hideout["labels"]["metric"] == "Open cases"
    assert "geometry" not in str(hideout) and "coordinates" not in str(hideout)
    rate = build_hideout(statuses(), METRICS["camera_online_rate"], "en")
    assert rate["values"] == {"A": 1.0, "B": None, "C": 0.5}


def test_a_refresh_carries_only_the_grids_that_changed() -> None:
    before = build_hideout(statuses(), METRICS["open"], "en")
    after = build_hideout(
        statuses(open=[1, 6, 12], composite=["green", "red", "red"]), METRICS["open"], "en"
    )
    assert hideout_changes(before, after) == {"values": {"B": 6}, "status": {"C": "red"}}
    assert hideout_changes(after, after) == {}


def test_catalog_counts_become_metrics_labelled_from_the_toml() -> None:
    assert METRICS["incident_category_sanitation"].label.get("zh-CN") == "事件·环境卫生"
    assert METRICS["incident_category_sanitation"].label.get("en") == "Incidents · Sanitation"
    assert METRICS["cameras"].label.get("en") == "Cameras"
    assert list(METRICS)[:2] == ["composite", "open"]


def test_attention_ranks_red_first_then_by_score() -> None:
    frame = statuses(
        code=["A", "B", "C", "D"][:3],
        composite=["red", "red", "yellow"],
        overdue=[3, 9, 0],
        open=[1, 1, 100],
    )
    ranked = rank_attention(frame, 2)
    assert ranked["code"].tolist() == ["B", "A"]  # C has the highest score but is only yellow
    assert ranked["score"].tolist() == [27.2, 9.2]  # 3 per overdue, 0.2 per open


def test_tiles_carry_the_raw_value_for_checking() -> None:
    values = {"open": 1234, "on_time_rate": 0.6667, "median_handling": 70.0}
    tiles = build_tiles(values, "en")
    by_id = {tile.id: tile for tile in tiles}
    assert getattr(by_id["kpi-open"], "data-value") == "1234"
    assert by_id["kpi-open"].children[0].children == "1,234"
    assert by_id["kpi-on_time_rate"].children[0].children == "66.7%"
    assert by_id["kpi-median_handling"].children[0].children == "2 d 22 h"


def test_crumbs_link_every_ancestor_and_the_city_in_the_page_language() -> None:
    lineage = [
        {"code": "D/1&x#y", "name": "district D", "level": "district"},
        {"code": "街道 S", "name": "street S", "level": "street"},
        {"code": "G1", "name": "grid G1", "level": "grid"},
    ]
    crumbs = build_crumbs(lineage, "en")
    links = [c for c in crumbs if isinstance(c, dcc.Link)]
    assert [link.href for link in links] == [
        "/?lang=en",
        "/grid/D%2F1%26x%23y?lang=en",
        "/grid/%E8%A1%97%E9%81%93%20S?lang=en",
    ]
    assert isinstance(crumbs[-1], html.Span) and crumbs[-1].children == "grid G1"


def test_trend_figure_stacks_every_category_over_the_days() -> None:
    clock = Clock(NOW)
    trend = pd.DataFrame({"sanitation": [1] * 30, "dispute": [2] * 30}, index=clock.days)
    fig = trend_figure(trend, TEXT, "en")
    assert fig.layout.barmode == "stack"
    names = [bar.name for bar in fig.data]
    assert len(names) == len(CASES.field("category").values)  # every category, even at 0
    assert "Sanitation" in names and "Public security" in names
    assert all(len(bar.x) == 30 for bar in fig.data)
    assert sum(sum(bar.y) for bar in fig.data) == 90
    assert fig.data[0].x[-1] == "11-26"


def test_incident_rows_show_age_and_time_to_due() -> None:
    frame = pd.DataFrame(
        {
            "code": ["late", "soon", "done"],
            "category": ["sanitation", "dispute", "other"],
            "severity": [1, 3, 4],
            "status": ["in_progress", "reported", "closed"],
            "reported_at": [
                NOW - timedelta(hours=50),
                NOW - timedelta(hours=2),
                NOW - timedelta(days=3),
            ],
            "due_at": [NOW - timedelta(hours=3), NOW + timedelta(hours=5), NOW],
            "closed_at": [None, None, NOW - timedelta(days=1)],
        }
    )
    rows = incident_rows(frame, NOW, TEXT, "en", "Asia/Shanghai")
    assert [r["age"] for r in rows] == ["2 d 2 h", "2.0 h", "2 d 0 h"]
    assert [r["time_to_due"] for r in rows] == ["overdue 3.0 h", "5.0 h", "–"]
    assert [r["overdue"] for r in rows] == [True, False, False]
    assert rows[0]["category"] == "Sanitation" and rows[0]["severity"] == "1 (critical)"
    assert rows[1]["reported_at"] == "Nov 26 10:00"


def test_table_sorting_maps_to_stored_fields() -> None:
    age_up = {"startRow": 30, "endRow": 45, "sortModel": [{"colId": "age", "sort": "asc"}]}
    flt = case_filter(age_up, [None, [], ["1"]], CASES)
    assert (flt.sort, flt.descending, flt.offset, flt.limit) == ("reported_at", True, 30, 15)
    assert flt.severities == (1,)
    due = {"startRow": 0, "endRow": 15, "sortModel": [{"colId": "time_to_due", "sort": "asc"}]}
    flt = case_filter(due, [[], [], []], CASES)
    assert (flt.sort, flt.descending) == ("due_at", False)
    flt = case_filter({"startRow": 0, "endRow": 15, "sortModel": []}, [[], [], []], CASES)
    assert flt is not None
    assert (flt.sort, flt.descending) == ("due_at", False)  # the nearest deadline when unsorted
    with pytest.raises(ValueError, match="unknown filter"):
        case_filter({"startRow": 0, "endRow": 15}, [["nonsense"], [], []], CASES)


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"startRow": 0, "endRow": MAX_PAGE_ROWS + 1}, "rows 0..501: ask for 1..500"),
        ({"startRow": -15, "endRow": 0}, "rows -15..0"),
        ({"startRow": 15, "endRow": 15}, "rows 15..15"),
        ({"startRow": "0", "endRow": 15}, "must be whole numbers, not '0', 15"),
        ({"startRow": True, "endRow": 15}, "must be whole numbers, not True, 15"),
        ({"endRow": 15}, "must be whole numbers, not None, 15"),
        ([0, 15], "must be whole numbers, not None, None"),
    ],
)
def test_a_case_page_outside_the_bounds_is_refused(
    request_: dict[str, object], message: str
) -> None:
    with pytest.raises(PageRequestError, match=re.escape(message)):
        case_filter(request_, [[], [], []], CASES)


def test_the_grid_speaks_the_pages_language() -> None:
    zh, en = grid_locale("zh-CN"), grid_locale("en")
    assert set(zh) == set(en) == set(GRID_TEXT)
    assert (zh["page"], zh["of"], zh["noRowsToShow"]) == ("页码", "共", "没有记录")
    assert (en["page"], en["of"], en["nextPage"]) == ("Page", "of", "Next page")


def test_only_a_new_severity_1_case_takes_over() -> None:
    feed = pd.DataFrame({"id": [9, 8, 7], "severity": [2, 1, 1], "code": ["x", "y", "z"]})
    assert new_severe(feed, None) is None  # a screen that just came up has seen everything
    assert new_severe(feed, 8) is None
    assert new_severe(feed, 7)["code"] == "y"  # type: ignore[index]


def test_a_case_reported_after_the_wall_came_up_is_news_even_if_its_first_answer_was_lost() -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    at = [now - timedelta(minutes=m) for m in (0, 1, 60)]
    feed = pd.DataFrame({"id": [9, 8, 7], "severity": [1, 1, 1], "reported_at": at})
    seen = seen_before(feed, now - timedelta(seconds=30))
    assert seen == 8  # the case of a minute ago was there when the wall came up
    assert new_severe(feed, seen)["id"] == 9  # type: ignore[index]
    assert seen_before(feed.iloc[:0], now) == 0


def test_bboxes_snap_outward_and_bad_ones_are_refused() -> None:
    w, s, e, n = snap_bbox("114.011,30.501,114.039,30.519")
    assert (round(w, 2), round(s, 2), round(e, 2), round(n, 2)) == (114.0, 30.5, 114.04, 30.52)
    for bad in ("1,2,3", "a,b,c,d", "114,31,113,30", "0,0,200,1"):
        with pytest.raises(ValueError, match="bbox"):
            snap_bbox(bad)


def test_formats_in_both_languages() -> None:
    assert fmt_number(12345, "en") == "12,345" and fmt_number(None, "en") == "–"
    assert fmt_number(0.5, "zh-CN", rate=True) == "50.0%"
    assert fmt_hours(30.25, "zh-CN") == "30.2 小时" and fmt_hours(100, "zh-CN") == "4天4小时"
    assert fmt_datetime(NOW, "zh-CN", "Asia/Shanghai") == "11月26日 12:00"
    assert t("not_found", "en", code="X") == "No grid has the code X"


def test_every_message_has_both_languages() -> None:
    for key, (zh, en) in MESSAGES.items():
        assert zh and en, key
        # The same placeholders in both: a missing or misspelt one fails only in one language.
        assert set(re.findall(r"{(\w*)}", zh)) == set(re.findall(r"{(\w*)}", en)), key


def test_the_map_starts_at_the_zoom_its_fit_will_keep() -> None:
    city = [[30.3716, 114.1119], [30.7607, 114.5173]]
    assert fit_zoom(city) == 11.25  # what Leaflet fits into a 1040x800 panel
    assert fit_zoom(city, 2080, 1600) == 12.25
    assert fit_zoom([[30.0, 114.0], [30.0, 114.0]]) > 20  # a point: as close as it goes


def test_a_level_only_its_toml_defines_is_named_by_its_title() -> None:
    estate = parse_layer(
        {
            "layer": {
                "name": "estate",
                "table": "grid",
                "kind": "grid",
                "level": "estate",
                "parent": "grid",
                "title": {"zh": "小区", "en": "Estates"},
            },
            "field": [{"name": "code", "type": "text", "title": {"zh": "编码", "en": "Code"}}],
        },
        "layers/estate.toml",
    )
    text = CatalogText(LAYERS | {"estate": estate})
    assert text.level("estate", "en") == "Estates" and text.level("estate", "zh-CN") == "小区"
    assert text.level("district", "en") == "District"  # the UI's own word where it has one
    levels = control_options((), text, "en")[1]
    assert levels[-1] == {"label": "Estates", "value": "estate"}  # below grid, by its parent


def test_a_device_never_seen_or_never_read_shows_a_dash() -> None:
    # Built from rows as the store gives them: a missing time is NaT, a missing number NaN.
    cameras = pd.DataFrame(
        [
            {"code": "C1", "name": "gate", "status": "online", "last_seen": NOW},
            {"code": "C2", "name": "yard", "status": "fault", "last_seen": None},
        ]
    )
    rows = point_rows(cameras, LAYERS["camera"], TEXT, "en", "Asia/Shanghai")
    assert [r["last_seen"] for r in rows] == ["Nov 26 12:00", "–"]
    sensors = pd.DataFrame(
        [
            {
                "code": "S1",
                "kind": "gas",
                "status": "normal",
                "last_value": 1.5,
                "last_reading_at": NOW,
            },
            {
                "code": "S2",
                "kind": "gas",
                "status": "offline",
                "last_value": None,
                "last_reading_at": None,
            },
        ]
    )
    rows = point_rows(sensors, LAYERS["sensor"], TEXT, "en", "Asia/Shanghai")
    assert [(r["last_value"], r["last_reading_at"]) for r in rows][1] == ("–", "–")
    assert "nan" not in str(rows[0]["last_value"]).lower() and rows[0]["last_value"] != "–"


def test_a_url_no_unit_could_have_is_a_missing_page() -> None:
    assert parse_route("/grid/G1%00", "", "en").mode == "missing"
    assert parse_route("/grid/" + "x" * 201, "", "en").mode == "missing"
    assert parse_route(5, ["?lang=en"], "zh-CN") == Route("cockpit", "zh-CN")  # not text
    assert parse_route("/grid/G%2F1%23", "?lang=en", "zh-CN") == Route("unit", "en", "G/1#")


@pytest.mark.parametrize(
    "state",
    [
        None,
        "unit",
        {"mode": "unit", "lang": "en"},  # a unit page names its unit
        {"mode": "cockpit", "lang": "en", "unit": "G1"},
        {"mode": "unit", "lang": "fr", "unit": "G1"},
        {"mode": "admin", "lang": "en", "unit": None},
        {"mode": "unit", "lang": "en", "unit": ["G1"]},
        {"mode": "unit", "lang": "en", "unit": "G1\x00"},
        {"mode": "cockpit", "lang": "en", "unit": None, "window": "90d"},
        {"mode": "cockpit", "lang": "en", "unit": None, "window": ["7d"]},
    ],
)
def test_a_state_store_the_server_did_not_write_is_not_read(state: object) -> None:
    assert read_state(state) is None


def test_the_state_store_the_server_writes_reads_back() -> None:
    for route in (
        Route("unit", "en", "G/1"),
        Route("screen", "zh-CN"),
        Route("cockpit", "en"),
        Route("cockpit", "en", window="2026-11-01/2026-11-03"),
    ):
        assert read_state(route.data()) == route


def test_the_window_is_in_the_url_and_kept_by_the_language_switch() -> None:
    week = parse_route("/grid/G1", "?lang=en&window=2026-11-01/2026-11-07", "zh-CN")
    assert week.window == "2026-11-01/2026-11-07"
    assert lang_href(week) == "/grid/G1?lang=zh-CN&window=2026-11-01/2026-11-07"
    assert lang_href(parse_route("/", "?window=24h", "en")) == "/?lang=zh-CN&window=24h"
    assert lang_href(parse_route("/", "?window=30d", "en")) == "/?lang=zh-CN"  # the default
    assert parse_route("/", "?window=2026-13-01/2026-13-02", "en").window == "30d"  # no such day


def test_window_words_and_control_state() -> None:
    week, span = TimeWindow.parse("7d"), TimeWindow.parse("7d").span(Clock(datetime.now(UTC)))
    assert trend_title(week, span, "en") == "Cases per day by category · Last 7 days"
    day = TimeWindow.parse("24h")
    assert trend_title(day, day.span(Clock(datetime.now(UTC))), "zh-CN").startswith("每小时")
    custom = TimeWindow.parse("2026-11-01/2026-11-07")
    assert window_label(custom, "en") == "2026-11-01 to 2026-11-07"
    assert control_state(custom) == ("custom", "2026-11-01", "2026-11-07")
    assert control_state(week) == ("7d", None, None)
    assert [o["value"] for o in window_options("en")] == ["24h", "7d", "30d", "custom"]


def test_an_hourly_trend_labels_its_bars_by_the_hour() -> None:
    hours = [datetime(2026, 11, 25, 23), datetime(2026, 11, 26, 0)]
    trend = pd.DataFrame({"sanitation": [1, 2]}, index=hours)
    fig = trend_figure(trend, TEXT, "en").to_plotly_json()
    assert list(fig["data"][0]["x"]) == ["23:00", "00:00"]
