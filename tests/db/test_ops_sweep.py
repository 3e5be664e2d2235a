"""The escalation sweep: an overdue stage is escalated exactly once, however many sweeps run,
two at the same time included; counters stay exact."""

from __future__ import annotations

import threading
from typing import Any

import psycopg

from tests import gridworld
from tests.db.test_ops_cases import assert_verified, report, stat
from tests.opsworld import NOW, H, clock_at, config
from twin.activity import fetch_feed
from twin.app.views import CatalogText, build_feed, feed_rows
from twin.ops.cases import act, create_case, get_case
from twin.ops.sweep import sweep

CONFIG = config()


def other(conn: psycopg.Connection, **fields: Any) -> str:
    """A case no rule dispatches (category other, severity 3: 2 h, 8 h, 72 h)."""
    made = create_case(conn, report(category="other", **fields), clock_at(0 * H), CONFIG)
    return str(made.case["code"])


def test_a_case_past_its_dispatch_deadline_is_escalated_once(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    code = other(conn)
    assert sweep(conn, clock_at(1 * H)) == []  # not due yet
    done = sweep(conn, clock_at(3 * H))
    assert [(r["code"], r["stage"], r["due_at"]) for r in done] == [(code, "dispatch", NOW + 2 * H)]
    assert done[0]["previous_status"] == "reported"
    for hours in (3, 4, 5, 6, 7):
        assert sweep(conn, clock_at(hours * H)) == []
    case = get_case(conn, code)
    assert case["status"] == "escalated" and case["escalated_at"] == NOW + 3 * H
    assert [(e["stage"], e["at"]) for e in case["escalations"]] == [("dispatch", NOW + 3 * H)]
    last = case["timeline"][-1]
    assert (last["actor"], last["action"]) == ("sweep", "escalate")
    assert last["data"]["stage"] == "dispatch"
    assert stat(conn, "G1", "incident_status_escalated") == 1
    assert stat(conn, "G1", "incident_status_reported") == 0
    assert_verified(conn)


def test_each_stage_is_escalated_once_as_its_deadline_passes(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    code = other(conn)
    stages: list[str] = []
    for hours in range(0, 100):  # a sweep every hour for four days
        stages += [r["stage"] for r in sweep(conn, clock_at(hours * H + 0.5 * H))]
    assert stages == ["dispatch", "start", "resolve"]
    assert len(get_case(conn, code)["escalations"]) == 3


def test_a_stage_done_in_time_is_never_escalated(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    code = other(conn)
    act(conn, code, "dispatch", actor="duty", department="roads", clock=clock_at(1 * H))
    assert sweep(conn, clock_at(3 * H)) == []  # dispatched within 2 h
    act(conn, code, "start", actor="roads", clock=clock_at(4 * H))
    act(conn, code, "resolve", actor="roads", clock=clock_at(5 * H))
    assert sweep(conn, clock_at(100 * H)) == []  # resolved: nothing pending
    assert get_case(conn, code)["status"] == "resolved"


def test_an_escalated_case_dispatched_late_is_escalated_again_only_for_a_new_stage(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    code = other(conn)
    assert [r["stage"] for r in sweep(conn, clock_at(3 * H))] == ["dispatch"]
    act(conn, code, "dispatch", actor="duty", department="roads", clock=clock_at(4 * H))
    assert sweep(conn, clock_at(5 * H)) == []  # dispatch already escalated once
    done = sweep(conn, clock_at(9 * H))  # not started within 8 h
    assert [(r["stage"], r["previous_status"]) for r in done] == [("start", "dispatched")]
    assert get_case(conn, code)["status"] == "escalated"


def test_a_loaded_case_with_only_a_resolve_deadline_is_escalated_for_it(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    for code in ("LOADED", "CLOSED"):  # as a file load writes them: no stage due times
        conn.execute(
            "INSERT INTO incident (code, category, severity, source, reported_at, due_at, geom)"
            " VALUES (%s, 'dispute', 2, 'hotline', %s, %s, %s)",
            [code, NOW - 30 * H, NOW - 1 * H, gridworld.point(0.5, 0.5)],
        )
    for status in ("dispatched", "in_progress", "resolved", "closed"):
        conn.execute("UPDATE incident SET status = %s WHERE code = 'CLOSED'", [status])
    done = sweep(conn, clock_at(0 * H))
    assert [(r["code"], r["stage"]) for r in done] == [("LOADED", "resolve")]


def test_two_sweeps_at_once_escalate_each_stage_once(
    db_url: str, conn: psycopg.Connection, world: dict[str, int]
) -> None:
    codes = [other(conn, x=0.1 + 0.015 * i, y=0.5) for i in range(60)]
    barrier = threading.Barrier(2)
    results: list[list[dict[str, Any]]] = []

    def run() -> None:
        with psycopg.connect(db_url, autocommit=True) as own:
            barrier.wait()
            results.append(sweep(own, clock_at(3 * H), batch=4))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    escalated = sorted(r["code"] for batch in results for r in batch)
    assert escalated == sorted(codes)
    events = conn.execute(
        "SELECT count(*) FROM incident_event WHERE action = 'escalate'"
    ).fetchone()
    assert events == (60,)
    assert conn.execute("SELECT count(*) FROM incident_escalation").fetchone() == (60,)
    assert stat(conn, "D", "incident_status_escalated") == 60
    assert_verified(conn)


def test_an_escalation_comes_up_in_the_feed_the_cockpit_and_wall_show(
    conn: psycopg.Connection, world: dict[str, int], layers: dict[str, Any]
) -> None:
    code = other(conn)  # severity 3: not a serious case, so not in the feed until escalated
    assert code not in fetch_feed(conn, 10)["code"].tolist()
    sweep(conn, clock_at(3 * H))
    feed = fetch_feed(conn, 10)
    row = feed[feed["code"] == code].iloc[0]
    assert bool(row["escalated"]) and row["at"] == NOW + 3 * H and row["status"] == "escalated"
    rows = feed_rows(feed, CatalogText(layers), "zh-CN", "Asia/Shanghai")
    assert rows[0]["escalated"] and rows[0]["status"] == "督办中"
    item = build_feed(rows, "zh-CN").children[0]
    assert item.className == "feed-escalated"
    act(conn, code, "dispatch", actor="duty", department="roads", clock=clock_at(4 * H))
    assert code not in fetch_feed(conn, 10)["code"].tolist()  # handled: no longer news
