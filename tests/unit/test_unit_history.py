"""The unit page's version-history panel, from a unit's states as twin.plans.versions gives them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import html

from twin.app.i18n import MESSAGES
from twin.app.unit_history import CHANGE_KEYS, build_history_panel, history_rows
from twin.plans.versions import FIELDS

T0 = datetime(2024, 12, 31, 16, 0, tzinfo=UTC)  # local midnight in Shanghai
T1 = datetime(2025, 3, 1, 16, 0, tzinfo=UTC)
T2 = datetime(2025, 6, 1, 2, 30, tzinfo=UTC)


def state(v0: int, v1: int | None, t0: datetime, t1: datetime | None, **kw: Any) -> dict[str, Any]:
    return {
        "version_from": v0,
        "version_to": v1,
        "effective_from": t0,
        "effective_to": t1,
        "kind": "initial",
        "plan_name": None,
        "changes": ["created"],
        "taken_by": None,
    } | kw


HISTORY = [
    state(1, 3, T0, T1),
    state(3, 4, T1, T2, kind="plan", plan_name="east-strip", changes=["reshaped", "new officer"]),
    state(
        4,
        None,
        T2,
        None,
        kind="rollback",
        plan_name="rollback-to-1",
        changes=["restored"],
    ),
]


def test_rows_newest_first_with_dates_changes_and_the_plan() -> None:
    rows = history_rows(HISTORY, "en", "Asia/Shanghai")
    assert rows == [
        {
            "versions": "v4+",
            "from": "2025-06-01 10:30",
            "to": "in force",
            "changes": "restored",
            "by": "rollback rollback-to-1",
        },
        {
            "versions": "v3–v4",
            "from": "2025-03-02 00:00",
            "to": "2025-06-01 10:30",
            "changes": "reshaped, new officer",
            "by": "plan east-strip",
        },
        {
            "versions": "v1–v3",
            "from": "2025-01-01 00:00",
            "to": "2025-03-02 00:00",
            "changes": "created",
            "by": "the first map",
        },
    ]
    zh = history_rows(HISTORY, "zh-CN", "Asia/Shanghai")
    assert (zh[1]["changes"], zh[1]["by"], zh[0]["to"]) == (
        "边界调整、更换网格员",
        "规划 east-strip",
        "现行",
    )


def test_a_removed_unit_says_which_units_took_its_area() -> None:
    gone = [
        state(1, 2, T0, T1, kind="load"),
        state(2, 5, T1, T2, changes=["renamed"], removed_in=5, taken_by=["G2", "G3"]),
    ]
    rows = history_rows(gone, "en", "UTC")
    assert rows[0]["changes"] == "renamed, removed, its area to G2, G3"
    assert rows[1]["by"] == "a load"


def test_the_panel_is_a_table_or_nothing() -> None:
    assert build_history_panel([], "en", "UTC") == []
    (panel,) = build_history_panel(HISTORY, "zh-CN", "UTC")
    assert panel.id == "unit-history"
    heading, table = panel.children
    assert heading.children == "版本历史"
    head, body = table.children
    assert [th.children for th in head.children.children] == [
        "版本",
        "生效",
        "失效",
        "变化",
        "来源",
    ]
    assert len(body.children) == 3
    assert isinstance(body.children[0].children[0], html.Td)


def test_every_change_word_has_both_languages() -> None:
    assert set(FIELDS.values()) | {"created", "reshaped", "restored"} == set(CHANGE_KEYS)
    for key in CHANGE_KEYS.values():
        zh, en = MESSAGES[key]
        assert zh and en and zh != en
