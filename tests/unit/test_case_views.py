"""What the case page shows, as pure functions: the actions a status allows, the stage
deadlines with overdue marked, the timeline rows, the rows' quick actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from twin.app.cases.views import (
    allowed_actions,
    quick_actions,
    stage_rows,
    timeline_rows,
    to_moves,
    with_case_actions,
)
from twin.app.views import CatalogText
from twin.catalog import load_catalog
from twin.settings import Settings

# The lifecycle of migration 005, as its incident_transition table lists it.
MOVES = to_moves(
    [
        ("reported", "dispatched"),
        ("reported", "escalated"),
        ("dispatched", "in_progress"),
        ("dispatched", "escalated"),
        ("in_progress", "resolved"),
        ("in_progress", "escalated"),
        ("escalated", "dispatched"),
        ("escalated", "in_progress"),
        ("escalated", "resolved"),
        ("resolved", "closed"),
        ("resolved", "in_progress"),
    ]
)
OPEN = ("reported", "dispatched", "in_progress", "escalated")
NOW = datetime(2030, 1, 1, 12, tzinfo=UTC)
TEXT = CatalogText(load_catalog(Settings().layers_dir))


def test_each_status_offers_the_actions_the_lifecycle_allows() -> None:
    assert allowed_actions("reported", MOVES, OPEN) == ("dispatch", "escalate")
    # a dispatched case may be dispatched again: the duty officer's override
    assert allowed_actions("dispatched", MOVES, OPEN) == ("dispatch", "start", "escalate")
    assert allowed_actions("in_progress", MOVES, OPEN) == ("escalate", "resolve")
    assert allowed_actions("escalated", MOVES, OPEN) == ("dispatch", "start", "resolve")
    # from resolved, back to in progress is rework (reopen), not a start
    assert allowed_actions("resolved", MOVES, OPEN) == ("close", "reopen")
    assert allowed_actions("closed", MOVES, OPEN) == ()


def test_a_row_offers_only_the_quick_actions_its_status_allows() -> None:
    assert quick_actions("reported", MOVES, OPEN) == ("dispatch", "escalate")
    assert quick_actions("in_progress", MOVES, OPEN) == ("escalate", "resolve")
    assert quick_actions("resolved", MOVES, OPEN) == ("close",)
    assert quick_actions("closed", MOVES, OPEN) == ()


def test_rows_get_their_case_page_and_labelled_quick_actions() -> None:
    rows = with_case_actions([{"code": "C/1 中"}], ["resolved"], MOVES, OPEN, "zh-CN")
    assert rows[0]["case_href"] == "/case/C%2F1%20%E4%B8%AD?lang=zh-CN"
    assert rows[0]["actions"] == [{"action": "close", "label": "结案"}]


def case(status: str, **times: datetime | None) -> dict[str, object]:
    due = {
        "dispatch_due_at": NOW - timedelta(hours=2),
        "start_due_at": NOW + timedelta(hours=1),
        "due_at": NOW + timedelta(hours=10),
    }
    done = {"dispatched_at": None, "started_at": None, "resolved_at": None}
    return {"status": status, **due, **done, **times}


def test_a_stage_past_due_and_not_done_is_overdue_the_others_pending() -> None:
    states = [s.state for s in stage_rows(case("reported"), NOW, OPEN)]
    assert states == ["overdue", "pending", "pending"]


def test_a_stage_done_after_its_due_time_is_late_before_it_done() -> None:
    c = case("in_progress", dispatched_at=NOW - timedelta(hours=1), started_at=NOW)
    assert [s.state for s in stage_rows(c, NOW, OPEN)] == ["late", "done", "pending"]


def test_a_case_no_longer_open_has_no_overdue_stage() -> None:
    c = case("closed", resolved_at=NOW)
    assert [s.state for s in stage_rows(c, NOW, OPEN)] == ["none", "none", "done"]


def test_timeline_rows_say_who_when_what_and_the_details_in_both_languages() -> None:
    events = [
        {
            "at": NOW,
            "actor": "twin",
            "action": "dispatch",
            "note": None,
            "data": {"rule": "r1", "department": "城管", "officer": None},
        },
        {
            "at": NOW + timedelta(minutes=5),
            "actor": "<b>duty</b>",
            "action": "escalate",
            "note": "late",
            "data": {"from": "dispatched", "to": "escalated"},
        },
        {"at": NOW, "actor": "sweep", "action": "mystery", "note": None, "data": {}},
    ]
    en = timeline_rows(events, TEXT, "en", "UTC")
    assert en[0] == {
        "at": "Jan 01 12:00",
        "actor": "twin",
        "action": "Dispatch",
        "note": "",
        "detail": "城管 · rule r1",
    }
    assert en[1]["actor"] == "<b>duty</b>"  # text, drawn as text by the page
    assert en[1]["detail"] == "Dispatched → Escalated"
    assert en[2]["action"] == "mystery"  # an action without words is shown as it is
    zh = timeline_rows(events, TEXT, "zh-CN", "UTC")
    assert [r["action"] for r in zh[:2]] == ["分派", "督办"]
    assert zh[1]["detail"] == "已分派 → 督办中"
