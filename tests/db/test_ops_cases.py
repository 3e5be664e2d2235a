"""The case core: create (idempotent), act along the lifecycle, read whole — against PostGIS,
with the counters and assignment exact after every write (twin db verify)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Any

import psycopg
import pytest

from tests import gridworld
from tests.opsworld import CLOCK, NOW, H, clock_at, config
from twin.db.verify import verify
from twin.ops.cases import CaseError, CaseNotFound, NewCase, act, create_case, get_case, merge

CONFIG = config()


def report(x: float = 0.5, y: float = 0.5, **fields: Any) -> NewCase:
    """A sanitation report (severity 3, by patrol) at cell coordinates x, y."""
    lon, lat = gridworld.lonlat(x, y)
    values: dict[str, Any] = {
        "category": "sanitation",
        "severity": 3,
        "source": "patrol",
        "lon": lon,
        "lat": lat,
        "actor": "officer G1",
    }
    return NewCase(**(values | fields))


def stat(conn: psycopg.Connection, code: str, column: str) -> int:
    row = conn.execute(
        f"SELECT s.{column} FROM grid_stat s JOIN grid g ON g.id = s.grid_id WHERE g.code = %s",
        [code],
    ).fetchone()
    assert row is not None
    return int(row[0])


def assert_verified(conn: psycopg.Connection) -> None:
    assert [str(p) for p in verify(conn).problems] == []


def test_a_new_case_gets_its_stage_deadlines_and_the_first_matching_rule(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    made = create_case(conn, report(description="overflowing bins"), CLOCK, CONFIG)
    case = made.case
    assert made.created and made.rule == "sanitation" and made.duplicate_of is None
    assert case["status"] == "dispatched" and case["department"] == "sanitation"
    assert case["dispatch_rule"] == "sanitation" and case["officer"] is None
    # sanitation x 3 overrides the default: 1 h to dispatch, 3 to start, 48 to resolve
    assert case["reported_at"] == NOW
    assert case["dispatch_due_at"] == NOW + 1 * H
    assert case["start_due_at"] == NOW + 3 * H
    assert case["due_at"] == NOW + 48 * H
    assert case["dispatched_at"] == NOW
    assert case["grid_code"] == "G1"
    assert [(e["action"], e["actor"]) for e in case["timeline"]] == [
        ("report", "officer G1"),
        ("dispatch", "twin"),
    ]
    assert case["timeline"][1]["data"]["rule"] == "sanitation"
    for unit in ("G1", "C", "D"):
        assert stat(conn, unit, "incident_status_dispatched") == 1
        assert stat(conn, unit, "open") == 1
    assert stat(conn, "G2", "incidents") == 0
    assert_verified(conn)


def test_a_case_no_rule_matches_waits_reported(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    made = create_case(conn, report(category="other"), CLOCK, CONFIG)
    assert made.rule is None
    assert made.case["status"] == "reported" and made.case["department"] is None
    assert made.case["dispatch_due_at"] == NOW + 2 * H  # the default for severity 3
    assert stat(conn, "G1", "incident_status_reported") == 1
    assert_verified(conn)


def test_the_code_is_given_or_made(conn: psycopg.Connection, world: dict[str, int]) -> None:
    given = create_case(conn, report(code="HOT-1"), CLOCK, CONFIG).case
    made = create_case(conn, report(), CLOCK, CONFIG).case
    assert given["code"] == "HOT-1"
    assert made["code"].startswith("C20261126")  # the local date of the clock
    with pytest.raises(CaseError) as err:
        create_case(conn, report(code="HOT-1"), CLOCK, CONFIG)
    assert err.value.field == "code"


def test_the_same_key_again_returns_the_first_case_and_writes_nothing(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    first = create_case(conn, report(key="k-1"), CLOCK, CONFIG)
    again = create_case(conn, report(key="k-1"), clock_at(5 * H), CONFIG)
    assert first.created and not again.created
    assert again.case["code"] == first.case["code"]
    assert again.rule == "sanitation"
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM incident_event").fetchone() == (2,)
    assert stat(conn, "D", "incidents") == 1


def test_the_same_key_with_another_body_is_refused(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    create_case(conn, report(key="k-1"), CLOCK, CONFIG)
    with pytest.raises(CaseError) as err:
        create_case(conn, report(key="k-1", severity=2), CLOCK, CONFIG)
    assert err.value.field == "key"
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (1,)


def test_the_same_key_sent_concurrently_makes_one_case(
    db_url: str, conn: psycopg.Connection, world: dict[str, int]
) -> None:
    n = 6
    barrier = threading.Barrier(n)
    results: list[Any] = []

    def send() -> None:
        with psycopg.connect(db_url, autocommit=True) as own:
            barrier.wait()
            results.append(create_case(own, report(key="retry-me"), CLOCK, CONFIG))

    threads = [threading.Thread(target=send) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == n
    assert sorted(r.created for r in results) == [False] * (n - 1) + [True]
    assert len({r.case["code"] for r in results}) == 1
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (1,)
    assert stat(conn, "D", "incidents") == 1
    assert_verified(conn)


def waiting_for_lock(conn: psycopg.Connection, seconds: float = 20.0) -> None:
    """Until another session of the database waits on a lock (fails after seconds)."""
    deadline = time.monotonic() + seconds
    while not conn.execute(
        "SELECT count(*) > 0 FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).fetchone()[0]:  # type: ignore[index]
        assert time.monotonic() < deadline, "the second create never waited on the first"
        time.sleep(0.02)


def test_the_same_code_written_meanwhile_is_refused_and_nothing_of_the_loser_stays(
    db_url: str, conn: psycopg.Connection, world: dict[str, int]
) -> None:
    # The first create's transaction is open when the second checks the code (free yet):
    # the second's insert waits on it, then meets the unique code and is rolled back whole.
    refused: list[CaseError] = []
    with psycopg.connect(db_url) as first, first.transaction():
        create_case(first, report(code="SAME", key="first"), CLOCK, CONFIG)

        def second() -> None:
            with psycopg.connect(db_url, autocommit=True) as own:
                try:
                    create_case(own, report(code="SAME", key="second"), CLOCK, CONFIG)
                except CaseError as exc:
                    refused.append(exc)

        racer = threading.Thread(target=second)
        racer.start()
        waiting_for_lock(conn)  # its insert waits on the first's row: the path under test
        assert racer.is_alive()
    racer.join(30)
    assert [(e.field, e.message) for e in refused] == [("code", "case SAME already exists")]
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM incident_event").fetchone() == (2,)
    assert conn.execute("SELECT key FROM incident_key").fetchall() == [("first",)]
    assert stat(conn, "D", "incidents") == 1
    assert_verified(conn)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "weather"}, "category"),
        ({"severity": 0}, "severity"),
        ({"severity": True}, "severity"),
        ({"source": "email"}, "source"),
        ({"lon": 181.0}, "lon"),
        ({"lat": float("nan")}, "lat"),
        ({"actor": " "}, "actor"),
        ({"description": "x" * 5000}, "description"),
        ({"code": "bad code"}, "code"),
        ({"key": ""}, "key"),
        ({"reported_at": NOW.replace(tzinfo=None)}, "reported_at"),
        ({"reported_at": NOW + 2 * H}, "reported_at"),
    ],
)
def test_a_bad_report_is_refused_naming_the_field_and_nothing_is_written(
    conn: psycopg.Connection, world: dict[str, int], change: dict[str, Any], field: str
) -> None:
    with pytest.raises(CaseError) as err:
        create_case(conn, replace(report(), **change), CLOCK, CONFIG)
    assert err.value.field == field
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (0,)
    assert conn.execute("SELECT count(*) FROM incident_event").fetchone() == (0,)


def test_a_case_outside_every_grid_is_kept_unassigned(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    made = create_case(conn, report(x=5, y=5), CLOCK, CONFIG).case
    assert made["grid_code"] is None
    row = conn.execute("SELECT incidents FROM grid_stat WHERE grid_id = 0").fetchone()
    assert row == (1,)
    assert_verified(conn)


def test_the_lifecycle_from_dispatch_to_close_is_on_the_timeline(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    code = create_case(conn, report(category="other"), CLOCK, CONFIG).case["code"]
    steps = [
        ("dispatch", {"department": "roads", "note": "send the van"}),
        ("start", {}),
        ("resolve", {"note": "cleared"}),
        ("reopen", {"note": "the citizen says it is back"}),
        ("resolve", {}),
        ("close", {}),
    ]
    for i, (action, extra) in enumerate(steps, start=1):
        case = act(conn, code, action, actor="duty officer", clock=clock_at(i * H), **extra)
    assert case["status"] == "closed"
    assert case["department"] == "roads"
    assert case["dispatched_at"] == NOW + 1 * H
    assert case["started_at"] == NOW + 2 * H  # rework keeps the first start
    assert case["resolved_at"] == NOW + 5 * H  # the resolution that stood
    assert case["closed_at"] == NOW + 6 * H
    timeline = [(e["action"], e["at"], e["note"]) for e in case["timeline"]]
    assert timeline[0][0] == "report"
    assert timeline[1:] == [
        ("dispatch", NOW + 1 * H, "send the van"),
        ("start", NOW + 2 * H, None),
        ("resolve", NOW + 3 * H, "cleared"),
        ("reopen", NOW + 4 * H, "the citizen says it is back"),
        ("resolve", NOW + 5 * H, None),
        ("close", NOW + 6 * H, None),
    ]
    assert all(e["actor"] == "duty officer" for e in case["timeline"][1:])
    assert stat(conn, "G1", "incident_status_closed") == 1
    assert stat(conn, "G1", "open") == 0
    assert_verified(conn)


def test_an_action_the_lifecycle_forbids_is_refused_and_changes_nothing(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    code = create_case(conn, report(category="other"), CLOCK, CONFIG).case["code"]
    with pytest.raises(CaseError) as err:
        act(conn, code, "close", actor="duty officer", clock=clock_at(H))
    assert err.value.field == "action"
    assert "reported" in err.value.message and "dispatched" in err.value.message
    case = get_case(conn, code)
    assert case["status"] == "reported" and len(case["timeline"]) == 1


def test_the_duty_officer_overrides_the_rule(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    code = create_case(conn, report(), CLOCK, CONFIG).case["code"]
    case = act(conn, code, "dispatch", actor="duty officer", department="roads", clock=clock_at(H))
    assert case["status"] == "dispatched" and case["department"] == "roads"
    assert case["dispatch_rule"] == "sanitation"  # which rule fired stays on record
    assert case["dispatched_at"] == NOW  # the stage ended at the first dispatch
    last = case["timeline"][-1]
    assert last["action"] == "dispatch" and last["actor"] == "duty officer"
    assert last["data"]["previous"] == {"department": "sanitation", "officer": None}


@pytest.mark.parametrize(
    ("action", "extra", "field"),
    [
        ("teleport", {}, "action"),
        ("start", {"department": "roads"}, "department"),
        ("dispatch", {"note": "x" * 3000}, "note"),
        ("dispatch", {"actor": ""}, "actor"),
    ],
)
def test_a_malformed_action_is_refused_naming_the_field(
    conn: psycopg.Connection, world: dict[str, int], action: str, extra: dict[str, Any], field: str
) -> None:
    code = create_case(conn, report(category="other"), CLOCK, CONFIG).case["code"]
    kwargs: dict[str, Any] = {"actor": "duty officer"} | extra
    with pytest.raises(CaseError) as err:
        act(conn, code, action, clock=clock_at(H), **kwargs)
    assert err.value.field == field
    assert get_case(conn, code)["status"] == "reported"


def test_a_dispatch_with_nowhere_to_send_is_refused(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    code = create_case(conn, report(category="other"), CLOCK, CONFIG).case["code"]
    with pytest.raises(CaseError) as err:
        act(conn, code, "dispatch", actor="duty officer", clock=clock_at(H))
    assert err.value.field == "department"


def test_an_unknown_case_is_not_found(conn: psycopg.Connection, world: dict[str, int]) -> None:
    with pytest.raises(CaseNotFound):
        get_case(conn, "NOPE")
    with pytest.raises(CaseNotFound):
        act(conn, "NOPE", "start", actor="duty officer", clock=CLOCK)


def test_emptying_the_case_table_empties_its_history(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    code = create_case(conn, report(key="k"), CLOCK, CONFIG).case["code"]
    merge(conn, code, create_case(conn, report(), CLOCK, CONFIG).case["code"], "duty", CLOCK)
    conn.execute("TRUNCATE incident RESTART IDENTITY")  # as a demo reload does
    for table in ("incident_event", "incident_key", "incident_merged", "incident_escalation"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone() == (0,), table


def test_a_key_whose_case_was_deleted_is_refused_not_recreated(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    code = create_case(conn, report(key="k"), CLOCK, CONFIG).case["code"]
    conn.execute("DELETE FROM incident WHERE code = %s", [code])
    with pytest.raises(CaseError) as err:
        create_case(conn, report(key="k"), CLOCK, CONFIG)
    assert err.value.field == "key"
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (0,)
