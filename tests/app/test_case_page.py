"""The case page's callbacks over the hand-made grid world: built from the route with its
fields, timeline, photos and nearby cameras; each action through twin.ops behind the
dialog, a refused one a message (never a 500), the actor required; quick actions on rows."""

from __future__ import annotations

import json
from typing import Any

import psycopg
from dash import Dash

from tests.app.dash_client import call, find
from tests.app.test_api_cases import NEW, png
from tests.gridworld import point
from twin.app.cases import ids

P = ids.CASE_PREFIX


def case_state(code: str, lang: str = "en") -> dict[str, Any]:
    return {"mode": "case", "lang": lang, "unit": code, "window": "30d"}


def page(app: Dash, code: str, lang: str = "en") -> Any:
    """The case page's parts, as the build callback answers them."""
    answer = call(app, f"{ids.PAGE}.children", {"state.data": case_state(code, lang)})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["response"][ids.PAGE]["children"]


def texts(node: Any) -> list[str]:
    """Every text a layout tree shows (its components' string children)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        props = node.get("props", node)
        return texts(props.get("children")) if isinstance(props, dict) else []
    if isinstance(node, list):
        return [s for v in node for s in texts(v)]
    return []


def buttons(parts: Any) -> list[str]:
    """The actions whose buttons show."""
    box = find(parts, "case-actions")
    assert box is not None
    return [
        b["props"]["id"].removeprefix("case-act-")
        for b in box["children"]
        if not b["props"].get("hidden")
    ]


def confirm(
    app: Dash,
    code: str,
    action: str,
    actor: str | None = "duty A",
    lang: str = "en",
    prefix: str = P,
    **typed: str,
) -> Any:
    """Press the dialog's confirm for a pending action; the JSON answer."""
    values = {
        f"{ids.dialog(prefix, 'confirm')}.n_clicks": 1,
        f"{ids.dialog(prefix, 'pending')}.data": {"code": code, "action": action},
        f"{ids.dialog(prefix, 'actor')}.value": actor,
        "state.data": case_state(code, lang),
    } | {f"{ids.dialog(prefix, k)}.value": v for k, v in typed.items()}
    answer = call(app, f"{ids.done(prefix)}.data", values)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["response"]


def test_the_page_shows_the_case_its_cameras_photos_and_the_actions_its_status_allows(
    app: Dash, conn: psycopg.Connection
) -> None:
    client = app.server.test_client()
    made = client.post("/api/cases", json=NEW | {"code": "K-1", "lon": 114.005, "lat": 30.005})
    assert made.status_code == 201
    photo = client.post("/api/cases/K-1/photos?actor=A", data=png(), content_type="image/png")
    assert photo.status_code == 201
    for code, status, (x, y) in (
        ("CAM-N", "online", (0.5, 0.7)),  # about 220 m north
        ("CAM-E", "offline", (0.7, 0.5)),  # about 190 m east
        ("CAM-FAR", "online", (0.5, 0.9)),  # about 440 m: outside the 300 m looked in
    ):
        conn.execute(
            "INSERT INTO camera (code, name, status, geom) VALUES (%s, %s, %s, %s)",
            [code, f"<i>{code}</i>", status, point(x, y)],
        )
    parts = page(app, "K-1")
    words = texts(parts)
    assert "Case K-1" in words
    assert "rubbish by the gate" in words
    cameras = find(parts, "case-cameras")
    assert cameras is not None
    rows = [texts(r) for r in cameras["children"][1]["props"]["children"]]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("CAM-E", "<i>CAM-E</i>", "Offline"),
        ("CAM-N", "<i>CAM-N</i>", "Online"),
    ]
    photos = find(parts, "case-photos")
    assert photos is not None
    src = photos["children"][0]["props"]["src"]
    assert src == f"/api/cases/K-1/photos/{photo.get_json()['id']}"
    assert client.get(src).data == png()
    status = conn.execute("SELECT status FROM incident WHERE code = 'K-1'").fetchone()
    assert status is not None
    allowed = {
        "reported": ["dispatch", "escalate"],
        "dispatched": ["dispatch", "start", "escalate"],
    }
    assert buttons(parts) == [*allowed[status[0]], "merge"]
    timeline = find(parts, "case-timeline")
    assert timeline is not None
    assert "Photo" in texts(timeline) and "Reported" in texts(timeline)


def test_confirming_acts_through_the_lifecycle_and_a_refusal_is_a_message(
    app: Dash, conn: psycopg.Connection
) -> None:
    done = confirm(app, "E1", "dispatch", department="城管", note="go")
    assert done[ids.result(P)]["children"] == "Done: Dispatch E1"
    assert done[ids.dialog(P, "dialog")]["hidden"] is True
    row = conn.execute("SELECT status, department FROM incident WHERE code = 'E1'").fetchone()
    assert row == ("dispatched", "城管")
    event = conn.execute(
        "SELECT actor, note FROM incident_event e JOIN incident i ON i.id = e.incident_id"
        " WHERE i.code = 'E1' AND e.action = 'dispatch'"
    ).fetchone()
    assert event == ("duty A", "go")
    # the dialog's dispatch fields, still filled from before, are not an escalation's
    escalated = confirm(app, "E1", "escalate", department="城管")
    assert escalated[ids.result(P)]["children"] == "Done: Escalate E1"
    refused = confirm(app, "E1", "close")
    assert refused[ids.dialog(P, "error")]["children"] == (
        "Not done: case E1 is escalated: it cannot close"
        " (from escalated it may move to dispatched, in progress, resolved)"
    )
    assert ids.dialog(P, "dialog") not in refused  # the dialog stays open, saying why
    row = conn.execute("SELECT status FROM incident WHERE code = 'E1'").fetchone()
    assert row == ("escalated",)


def test_without_an_actor_nothing_is_done(app: Dash, conn: psycopg.Connection) -> None:
    for actor in (None, "  "):
        answer = confirm(app, "E0", "escalate", actor=actor)
        assert answer[ids.dialog(P, "error")]["children"] == "Name yourself first"
    row = conn.execute("SELECT status FROM incident WHERE code = 'E0'").fetchone()
    assert row == ("reported",)


def test_merge_and_unmerge_from_the_page(app: Dash, conn: psycopg.Connection) -> None:
    confirm(app, "E1", "merge", into="E0")
    merged = page(app, "E1")
    assert "Case E1 was merged into" in texts(merged)
    assert buttons(merged) == ["unmerge"]
    unknown = confirm(app, "E0", "merge", into="NOPE")
    assert unknown[ids.dialog(P, "error")]["children"] == "Not done: no case “NOPE”"
    confirm(app, "E1", "unmerge")
    assert conn.execute("SELECT count(*) FROM incident WHERE code = 'E1'").fetchone() == (1,)


def test_a_missing_case_says_so(app: Dash) -> None:
    assert "No case has the code NOPE" in texts(page(app, "NOPE"))


def test_a_forged_pending_action_is_no_answer_not_a_500(app: Dash) -> None:
    values = {
        f"{ids.dialog(P, 'confirm')}.n_clicks": 1,
        f"{ids.dialog(P, 'pending')}.data": {"code": "E0", "action": "drop table"},
        "state.data": case_state("E0"),
    }
    assert call(app, f"{ids.done(P)}.data", values).status_code == 204


def test_the_unit_table_rows_link_to_their_case_and_offer_quick_actions(app: Dash) -> None:
    state = {"mode": "unit", "lang": "en", "unit": "G1", "window": "30d"}
    request = {"startRow": 0, "endRow": 15, "sortModel": []}
    answer = call(
        app,
        "incidents.getRowsResponse",
        {"incidents.getRowsRequest": request, "state.data": state, "case-scope.value": "open"},
    )
    rows = answer.get_json()["response"]["incidents"]["getRowsResponse"]["rowData"]
    assert {r["code"]: r["case_href"] for r in rows} == {
        "E0": "/case/E0?lang=en",
        "E1": "/case/E1?lang=en",
    }
    assert {json.dumps(r["actions"]) for r in rows} == {
        json.dumps(
            [
                {"action": "dispatch", "label": "Dispatch"},
                {"action": "escalate", "label": "Escalate"},
            ]
        )
    }


def test_an_action_button_opens_the_dialog_saying_what_will_happen(app: Dash) -> None:
    values = {f"{ids.act('escalate')}.n_clicks": 1, "state.data": case_state("E0")}
    answer = call(app, f"{ids.dialog(P, 'pending')}.data", values)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    shown = answer.get_json()["response"]
    assert shown[ids.dialog(P, "pending")]["data"] == {"code": "E0", "action": "escalate"}
    assert shown[ids.dialog(P, "dialog")]["hidden"] is False
    assert shown[ids.dialog(P, "text")]["children"] == "Case E0 (Reported) will be escalated."
    assert shown[ids.dialog(P, "dispatch")]["hidden"] is True  # a dispatch's fields only


def test_a_redrawn_button_opens_nothing(app: Dash) -> None:
    values = {f"{ids.act('escalate')}.n_clicks": None, "state.data": case_state("E0")}
    assert call(app, f"{ids.dialog(P, 'pending')}.data", values).status_code == 204


def error_of(answer: Any, prefix: str = P) -> str:
    return str(answer[ids.dialog(prefix, "error")]["children"])


def test_refusals_are_worded_in_the_page_language_on_the_case_page_and_the_unit_table(
    app: Dash, conn: psycopg.Connection
) -> None:
    for action in ("dispatch", "start", "resolve", "close"):
        assert error_of(confirm(app, "E1", action, department="城管")) == ""
    U = ids.UNIT_PREFIX
    assert error_of(confirm(app, "E1", "dispatch", lang="zh-CN")) == (
        "未执行：事件 E1 当前已归档，不能分派（已归档之后只能转为：无）"
    )
    assert error_of(confirm(app, "E1", "dispatch", lang="en")) == (
        "Not done: case E1 is closed: it cannot dispatch (from closed it may move to nothing)"
    )
    assert error_of(confirm(app, "E1", "escalate", lang="zh-CN", prefix=U), U) == (
        "未执行：事件 E1 当前已归档，不能督办（已归档之后只能转为：无）"
    )
    assert error_of(confirm(app, "E0", "dispatch", lang="zh-CN", prefix=U), U) == (
        "未执行：分派需要填写处置部门或处置人"
    )
    assert error_of(confirm(app, "E0", "dispatch", lang="en", prefix=U), U) == (
        "Not done: a dispatch needs a department or an officer"
    )
    too_long = confirm(app, "E0", "dispatch", lang="zh-CN", department="x" * 300)
    assert error_of(too_long) == "未执行：处置部门最多 200 个字符，且不能含空字符（NUL）"
    assert error_of(confirm(app, "E0", "merge", lang="zh-CN", into="E0")) == (
        "未执行：事件不能合并到自身"
    )
    assert error_of(confirm(app, "E0", "merge", lang="zh-CN", into="NOPE")) == (
        "未执行：没有编号为 NOPE 的事件"
    )
    assert error_of(confirm(app, "E0", "merge", lang="zh-CN")) == "未执行：请填写要合并到的事件编号"
    assert error_of(confirm(app, "E0", "unmerge", lang="zh-CN")) == "未执行：事件 E0 未并入其他事件"
    assert (
        error_of(confirm(app, "NOPE", "escalate", lang="zh-CN")) == "未执行：没有编号为 NOPE 的事件"
    )
    confirm(app, "E1", "merge", into="E0")
    assert error_of(confirm(app, "E1", "escalate", lang="zh-CN")) == "未执行：事件 E1 已并入 E0"
    assert error_of(confirm(app, "E2", "merge", lang="zh-CN", into="E1")) == (
        "未执行：事件 E1 已并入 E0，请合并到 E0"
    )
    statuses = dict(conn.execute("SELECT code, status FROM incident").fetchall())
    assert statuses == {"E0": "reported", "E2": "reported"}  # E1 merged into E0
