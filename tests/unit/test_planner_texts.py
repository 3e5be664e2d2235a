"""The planner's texts and reads without a database: confirmations in both languages, the
checks of a request, what a stored or URL value may be, the list's rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

from twin.app.i18n import MESSAGES
from twin.app.planner.compare import wanted
from twin.app.planner.editor_panels import problem_list
from twin.app.planner.editor_views import problem_items
from twin.app.planner.flow import Figures, Request, actions_for, confirmation, problem_of
from twin.app.planner.listing import compare_href, plan_href, plan_row, planner_href, version_row
from twin.app.planner.plans import built_lang, picked
from twin.app.planner.workflow import pressed_action
from twin.plans.store import TRANSITIONS
from twin.plans.validate import KINDS

TODAY = date(2030, 5, 6)  # a date passed as the clock's: nothing here reads the real clock
TZ = "Asia/Shanghai"
FIG = Figures(12, 1204, 37)


def test_each_action_a_state_offers_is_a_move_the_store_allows() -> None:
    words = {(f, word) for (f, _), word in TRANSITIONS.items()}
    for state in ("draft", "submitted", "approved"):
        assert actions_for(state)
        assert all((state, a) in words for a in actions_for(state))
    assert actions_for("published") == actions_for("rejected") == actions_for("scheduled") == ()


def test_the_publish_confirmation_says_units_cases_and_the_date() -> None:
    req = Request("publish", plan="north", effective=TODAY)
    assert confirmation(req, FIG, "en", TODAY, TZ) == (
        "Publish plan “north”: 12 units change, 1,204 cases move (37 open), effective 2030-05-06."
    )
    assert confirmation(req, FIG, "zh-CN", TODAY, TZ) == (
        "发布方案“north”：12 个单元变更，1,204 件事件改属（其中在办 37 件），2030-05-06 生效。"
    )


def test_a_later_date_says_it_starts_at_local_midnight() -> None:
    req = Request("publish", plan="n", effective=date(2030, 6, 1))
    said = confirmation(req, Figures(1, 0, 0), "en", TODAY, TZ)
    assert said == (
        "Publish plan “n”: 1 units change, 0 cases move, effective 2030-06-01"
        " (local midnight of 2030-06-01, Asia/Shanghai)."
    )


def test_rollback_and_reject_confirmations() -> None:
    back = confirmation(Request("rollback", version=3), FIG, "en", TODAY, TZ)
    assert back == (
        "Roll back to version 3: 12 units change, 1,204 cases move (37 open), effective now."
    )
    req = Request("reject", plan="n", comment="<b>no</b>")
    assert confirmation(req, None, "en", TODAY, TZ) == (
        "Reject plan “n” with the comment: <b>no</b>"
    )


def test_a_request_without_a_name_comment_or_date_today_or_later_is_refused() -> None:
    ok = Request("publish", plan="n", effective=TODAY)
    assert problem_of(ok, "Li", TODAY, "en") is None
    assert problem_of(ok, "  ", TODAY, "en") == "Enter your name first"
    past = Request("publish", plan="n", effective=date(2030, 5, 5))
    assert problem_of(past, "Li", TODAY, "en") == (
        "The effective date cannot be before today (2030-05-06)"
    )
    assert problem_of(Request("publish", plan="n"), "Li", TODAY, "zh-CN") == "请选择生效日期"
    assert problem_of(Request("reject", plan="n"), "Li", TODAY, "en") == (
        "A rejection needs a comment"
    )


def test_a_stored_request_reads_back_and_a_forged_one_does_not() -> None:
    for req in (
        Request("publish", plan="n", effective=TODAY, comment="c"),
        Request("rollback", version=4),
    ):
        assert Request.read(req.data()) == req
    forged = [
        None,
        {"action": "drop", "plan": "n"},
        {"action": "submit"},
        {"action": "submit", "plan": "n", "version": 2},
        {"action": "rollback", "version": True},
        {"action": "publish", "plan": "n", "effective": "2030-13-01"},
        {"action": "submit", "plan": 5},
    ]
    assert [Request.read(f) for f in forged] == [None] * len(forged)


def test_only_a_pressed_button_is_an_action() -> None:
    drawn = {"wf-submit.n_clicks": "", "wf-approve.n_clicks": ""}
    assert pressed_action(drawn, [None, None, None, None, None]) is None
    assert pressed_action({"wf-approve.n_clicks": ""}, [None, 1, None, None, None]) == "approve"


def test_rows_of_the_list_and_the_history() -> None:
    at = datetime(2030, 5, 6, 1, 30, tzinfo=UTC)
    plan = {
        "id": 7,
        "name": "北区/调整",
        "scope": None,
        "state": "submitted",
        "base_version": 3,
        "author": "王",
        "updated_at": at,
        "changed": 1200,
    }
    row = plan_row(plan, 2, "en", TZ)
    assert row["href"] == "/planner/%E5%8C%97%E5%8C%BA%2F%E8%B0%83%E6%95%B4?lang=en"
    assert (row["scope"], row["state_text"], row["units"], row["problems"]) == (
        "City",
        "Submitted",
        "1,200",
        "2",
    )
    assert row["updated"] == "May 06 09:30"
    assert plan_row(plan, None, "zh-CN", TZ)["problems"] == "–"
    v = {
        "version": 4,
        "effective_at": at,
        "kind": "plan",
        "plan_name": "北区",
        "note": "",
        "added": 2,
        "changed": 1,
        "removed": 1,
    }
    got = version_row(v, 4, "zh-CN", TZ)
    assert (got["effective"], got["kind"], got["what"], got["in_force"]) == (
        "2030-05-06 09:30",
        "方案 北区",
        "新增 2 · 修改 1 · 删除 1",
        True,
    )


def test_links_and_what_the_url_picks() -> None:
    assert plan_href("a/b", "zh-CN") == "/planner/a%2Fb?lang=zh-CN"
    assert planner_href("en", plan=3, act="submit") == "/planner?plan=3&act=submit&lang=en"
    assert compare_href(2, "北 区", "en") == (
        "/planner/compare?a=2&b=%E5%8C%97+%E5%8C%BA&view=side&lang=en"
    )
    assert picked("?plan=3&act=submit&lang=en&n=2") == {"plan": "3", "act": "submit"}
    assert picked("?restore=2") == {"restore": "2"}
    assert picked(None) == {}
    assert wanted("?a=2&b=%E5%8C%97&view=overlay") == ("2", "北", "overlay")
    assert wanted("?a=2&view=<x>") == ("2", "", "side")


def test_the_page_knows_the_language_it_was_built_in() -> None:
    assert built_lang([{"props": {"id": "planner-built", "data": "en"}}]) == "en"
    assert built_lang([]) is None
    assert built_lang([{"props": {"id": "other"}}]) is None
    assert built_lang("forged") is None


def test_every_problem_kind_has_a_label_in_both_languages() -> None:
    for kind in KINDS:
        zh, en = MESSAGES[f"pk_{kind}"]
        assert zh and en and zh != en, kind


def test_a_crossed_building_is_listed_with_its_code() -> None:
    problem = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [114.0, 30.0]},
        "properties": {
            "kind": "crosses_building",
            "codes": ["A", "B"],
            "area_m2": 412.5,
            "lon": 114.0,
            "lat": 30.0,
            "detail": "B17",
        },
    }
    (zh,) = problem_items([problem], "zh-CN")
    (en,) = problem_items([problem], "en")
    assert (zh["kind"], zh["codes"], zh["building"]) == ("穿越建筑", "A, B", "建筑 B17")
    assert (en["kind"], en["building"]) == ("Crosses a building", "building B17")
    buttons = problem_list([problem], "en")
    assert [c.children for c in buttons[0].children] == [
        "Crosses a building",
        "A, B",
        "building B17",
        en["area"],
    ]
