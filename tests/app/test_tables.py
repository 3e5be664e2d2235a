"""The unit page's tables without a browser: columns that share the panel's width, the case
table's scope, count and overdue marks."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from twin.app.tables import (
    CASE_SCOPES,
    case_columns,
    case_count,
    case_filter,
    children_grid,
    scope_statuses,
)
from twin.app.views import CatalogText, incident_rows
from twin.catalog import load_catalog
from twin.settings import Settings

LAYERS = load_catalog(Settings().layers_dir)
CASES = LAYERS["incident"]
TEXT = CatalogText(LAYERS)
NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)  # a pinned clock: only differences matter
PAGE = {"startRow": 0, "endRow": 15}


def test_every_case_column_shares_the_width_and_shows_its_whole_text_on_hover() -> None:
    *columns, actions = case_columns(TEXT, "zh-CN")
    assert [c["field"] for c in columns] == [
        "code",
        "category",
        "severity",
        "status",
        "reported_at",
        "time_to_due",
    ]
    # the last column: each row's quick actions (buttons, not a sortable text)
    assert (actions["field"], actions["sortable"], actions["cellRenderer"]) == (
        "actions",
        False,
        "CaseActions",
    )
    assert all(c["flex"] > 0 and c["tooltipField"] and c["headerTooltip"] for c in columns)
    assert [c["field"] for c in columns if c.get("sort")] == ["time_to_due"]
    assert columns[-1]["sort"] == "asc"  # the nearest deadline first, as the server sends it
    assert next(c for c in columns if c["field"] == "reported_at")["tooltipField"] == (
        "reported_tip"
    )


def test_the_ranking_shows_its_reasons_wrapped() -> None:
    grid = children_grid([], "en")
    reasons = next(c for c in grid.columnDefs if c["field"] == "reasons")
    assert reasons["wrapText"] and reasons["autoHeight"]
    assert "autoSizeStrategy" not in grid.dashGridOptions  # widths from flex, not the words
    assert grid.dashGridOptions["enableBrowserTooltips"] is True


def test_scopes_split_the_statuses_by_the_catalog() -> None:
    status = CASES.field("status")
    assert scope_statuses("open", (), CASES) == status.open_values
    archived = scope_statuses("archived", (), CASES)
    assert archived == ("resolved", "closed")
    assert scope_statuses("all", (), CASES) == ()
    assert scope_statuses("open", ("closed", "reported"), CASES) == ("reported",)
    assert scope_statuses("open", ("closed",), CASES) is None  # nothing can match
    assert CASE_SCOPES[0] == "open"  # the table opens on open cases
    assert scope_statuses(None, (), CASES) == status.open_values  # as when none is sent


def test_a_bad_scope_or_status_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown case scope 'deleted'"):
        case_filter(PAGE, [[], [], []], CASES, "deleted")
    with pytest.raises(ValueError, match=re.escape("unknown filter value(s): nonsense")):
        case_filter(PAGE, [["nonsense"], [], []], CASES, "open")
    assert case_filter(PAGE, [["closed"], [], []], CASES, "open") is None
    flt = case_filter(PAGE, [[], ["dispute"], []], CASES, "open")
    assert flt is not None and flt.statuses == CASES.field("status").open_values


def test_the_count_reads_in_both_languages() -> None:
    assert case_count(1234, "zh-CN") == "共 1,234 件"
    assert case_count(1234, "en") == "1,234 cases"
    assert case_count(1, "en") == "1 case"
    assert case_count(0, "en") == "0 cases"


def test_only_a_case_still_handled_is_overdue() -> None:
    frame = pd.DataFrame(
        {
            "code": ["late", "resolved-late", "closed-late"],
            "category": ["sanitation"] * 3,
            "severity": [2, 2, 2],
            "status": ["escalated", "resolved", "closed"],
            "reported_at": [NOW - timedelta(hours=50)] * 3,
            "due_at": [NOW - timedelta(hours=3)] * 3,
            "closed_at": [None, None, NOW - timedelta(hours=1)],
        }
    )
    rows = incident_rows(frame, NOW, TEXT, "zh-CN", "Asia/Shanghai")
    assert [r["overdue"] for r in rows] == [True, False, False]
    assert [r["time_to_due"] for r in rows] == ["超期 3.0 小时", "–", "–"]  # a word, not a colour
    assert rows[0]["reported_tip"] == "11月24日 10:00 · 已历时 2天2小时"
