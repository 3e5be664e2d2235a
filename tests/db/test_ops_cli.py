"""`twin ops sweep` for cron, `twin ops check`, and the sweep thread of `twin serve`."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import psycopg

from tests import gridworld
from tests.db.test_cli import twin
from tests.db.test_ops_cases import report
from tests.opsworld import config
from twin.activity import Clock
from twin.app.launch import twin_serve
from twin.ops.cases import create_case, get_case


def overdue_case(conn: psycopg.Connection) -> str:
    """A case reported 10 h before the real now, never dispatched: its dispatch (2 h) and
    start (8 h) deadlines have passed, its resolve deadline (72 h) has not."""
    gridworld.build(conn)
    ten_hours_ago = Clock(datetime.now(UTC) - timedelta(hours=10))
    return str(create_case(conn, report(category="other"), ten_hours_ago, config()).case["code"])


def test_ops_sweep_escalates_the_overdue_stages_once(db_url: str, conn: psycopg.Connection) -> None:
    code = overdue_case(conn)
    env = {"TWIN_DATABASE_URL": db_url}
    first = twin("ops", "sweep", env=env)
    assert first.returncode == 0, first.stderr
    assert f"escalated {code}: dispatch was due" in first.stdout
    assert f"escalated {code}: start was due" in first.stdout
    assert "2 stage(s) escalated" in first.stdout
    again = twin("ops", "sweep", env=env)
    assert "0 stage(s) escalated" in again.stdout
    assert get_case(conn, code)["status"] == "escalated"


def test_ops_check_names_a_bad_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ok = twin("ops", "check", env={})
    assert ok.returncode == 0 and "dispatch rule(s)" in ok.stdout
    (tmp_path / "deadlines.toml").write_text("[default]\n")
    bad = twin("ops", "check", env={"TWIN_OPS_DIR": str(tmp_path)})
    assert bad.returncode == 2
    assert "twin: error: deadlines.toml: [default] lacks severity 1" in bad.stderr


def test_serve_sweeps_while_it_runs(db_url: str, conn: psycopg.Connection) -> None:
    code = overdue_case(conn)
    with twin_serve(db_url, TWIN_SWEEP_SECONDS="1"):
        deadline = time.monotonic() + 30
        while get_case(conn, code)["status"] != "escalated":
            assert time.monotonic() < deadline, "twin serve never escalated the case"
            time.sleep(0.5)
    assert [e["stage"] for e in get_case(conn, code)["escalations"]] == ["dispatch", "start"]
