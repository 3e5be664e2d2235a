"""`twin plan publish | rollback | activate | history` as a planner runs them."""

from __future__ import annotations

from datetime import timedelta

import psycopg

from tests.db.test_cli import twin
from tests.db.test_plan_publish import TZ, approved_plan
from tests.gridworld import add_incident, build
from twin.activity import Clock
from twin.plans.versions import record_version


def test_publish_history_rollback_and_activate_from_the_command_line(
    conn: psycopg.Connection, db_url: str
) -> None:
    build(conn)
    add_incident(conn, "E1", 1.2, 0.5)
    record_version(conn, "load", effective_at=None)
    clock = Clock.current(TZ)
    approved_plan(conn, clock)
    env = {"TWIN_DATABASE_URL": db_url, "TWIN_TIMEZONE": TZ}
    done = twin("plan", "publish", "strip", "--effective", "today", "--actor", "carol", env=env)
    assert done.returncode == 0, done.stderr
    assert "plan strip published as version 3, in force from" in done.stdout
    assert "0 added, 2 changed, 0 removed" in done.stdout
    listed = twin("plan", "history", env=env).stdout.splitlines()
    assert listed[0].startswith("version 3: plan strip, in force from")
    assert [line.split(":")[0] for line in listed] == ["version 3", "version 2", "version 1"]
    unit = twin("plan", "history", "--unit", "G2", env=env).stdout.splitlines()
    assert unit[0].startswith("version 2: created (load)")
    assert unit[1].startswith("versions 3–now: reshaped (plan strip)")
    back = twin("plan", "rollback", "strip", "--comment", "too soon", env=env)
    assert back.returncode == 0, back.stderr
    assert back.stdout.startswith("rolled back to version 2: plan rollback-to-2 published as")
    idle = twin("plan", "activate", env=env)
    assert (idle.returncode, idle.stdout.strip()) == (0, "no scheduled plan is due")


def test_bad_publish_commands_exit_2_naming_what(conn: psycopg.Connection, db_url: str) -> None:
    build(conn)
    record_version(conn, "load", effective_at=None)
    clock = Clock.current(TZ)
    approved_plan(conn, clock)
    env = {"TWIN_DATABASE_URL": db_url, "TWIN_TIMEZONE": TZ}
    later = (clock.local.date() + timedelta(days=400)).isoformat()
    cases = [
        (("publish", "strip", "--effective", "soon"), "--effective 'soon': give a date"),
        (("publish", "nope", "--effective", "today"), "no plan named 'nope'"),
        (("rollback",), "twin plan rollback: give a published plan's NAME or --to VERSION"),
        (("rollback", "strip"), "plan 'strip' is approved: only a published plan"),
        (("rollback", "--to", "9"), "no version 9 of the grid map"),
        (("history", "--unit", "ZZ"), "--unit 'ZZ': no unit with that code"),
    ]
    for args, said in cases:
        got = twin("plan", *args, env=env)
        assert got.returncode == 2, (args, got.stdout, got.stderr)
        assert f"twin: error: {said}" in got.stderr, got.stderr
    scheduled = twin("plan", "publish", "strip", "--effective", later, env=env)
    assert scheduled.returncode == 0, scheduled.stderr
    assert f"plan strip scheduled: in force from {later} 00:00 ({TZ})" in scheduled.stdout
