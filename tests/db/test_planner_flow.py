"""The planner's workflow and lists over the real store: the confirmation's figures against
plain SQL, each action done through twin.plans, refusals as messages, problem counts, compare."""

from __future__ import annotations

from datetime import UTC, timedelta

import psycopg
import pytest
from shapely.geometry import box

from tests import gridworld
from tests.gridworld import add_incident, lonlat, point
from twin.activity import Clock
from twin.app.planner.comparing import compare, diff_rows, exchange_rows, summary
from twin.app.planner.flow import (
    REFUSALS,
    Figures,
    Request,
    asked,
    figures_of,
    perform,
    plan_by_key,
)
from twin.app.planner.listing import ProblemCounts
from twin.db.verify import verify
from twin.plans import store
from twin.plans.model import UnitState
from twin.plans.rules import Rules
from twin.plans.versions import current_version, record_version

TZ = "Asia/Shanghai"
RULES = Rules()


def cell_box(x0: float, y0: float, x1: float, y1: float):  # type: ignore[no-untyped-def]
    (a, b), (c, d) = lonlat(x0, y0), lonlat(x1, y1)
    return box(a, b, c, d)


@pytest.fixture
def clock(conn: psycopg.Connection) -> Clock:
    row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    return Clock(row[0].astimezone(UTC), TZ)


@pytest.fixture
def city(conn: psycopg.Connection) -> None:
    """The grid world as version 2, three cases in G2's west strip (two open), one east."""
    gridworld.build(conn)
    for code, x in (("E1", 1.2), ("E2", 1.3), ("E4", 1.8)):
        add_incident(conn, code, x, 0.5)
    conn.execute(
        "INSERT INTO incident (code, category, severity, source, status, due_at, dispatched_at,"
        " resolved_at, closed_at, geom) VALUES ('E3', 'sanitation', 3, 'patrol', 'closed',"
        " now(), now(), now(), now(), %s)",
        [point(1.4, 0.5)],
    )
    record_version(conn, "load", effective_at=None)


def strip_plan(conn: psycopg.Connection, clock: Clock, name: str = "strip") -> store.Plan:
    """A draft moving G2's west strip (x 1.0–1.5) into G1."""
    plan = store.new_plan(conn, name, "C", "alice", clock)
    units = {u.code: u for u in store.base_units(conn, plan)}
    strip = cell_box(1.0, 0.0, 1.5, 1.0)
    g1, g2 = units["G1"], units["G2"]
    store.write_changes(
        conn,
        plan,
        [
            UnitState("G1", g1.name, "grid", "C", g1.geom.union(strip), g1.officer),
            UnitState("G2", g2.name, "grid", "C", g2.geom.difference(strip), g2.officer),
        ],
        [],
        "alice",
        plan.revision,
        clock=clock,
    )
    return store.get_plan(conn, name)


def sql_moving(conn: psycopg.Connection) -> tuple[int, int]:
    """Cases in the strip by plain SQL: all of them, and the open ones."""
    (a, b), (c, d) = lonlat(1.0, 0.0), lonlat(1.5, 1.0)
    row = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE status <> 'closed') FROM incident"
        " WHERE ST_Within(geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))",
        [a, b, c, d],
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_the_confirmation_counts_what_plain_sql_counts(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    strip_plan(conn, clock)
    cases, open_cases = sql_moving(conn)
    assert (cases, open_cases) == (3, 2)
    assert figures_of(conn, Request("submit", plan="strip"), clock, RULES) == Figures(2, 3, 2)
    said = asked(conn, Request("submit", plan="strip"), clock, RULES, "en")
    assert said == "Submit plan “strip”: 2 units change, 3 cases move (2 open)."


def test_submit_approve_publish_today_puts_the_plan_in_force(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    strip_plan(conn, clock)
    today = clock.local.date()
    assert perform(conn, Request("submit", plan="strip"), "alice", clock, "en") == (
        "Plan “strip” submitted"
    )
    assert perform(conn, Request("approve", plan="strip"), "bob", clock, "zh-CN") == (
        "方案“strip”已批准"
    )
    said = asked(conn, Request("publish", plan="strip", effective=today), clock, RULES, "en")
    assert said.endswith(f"2 units change, 3 cases move (2 open), effective {today}.")
    done = perform(conn, Request("publish", plan="strip", effective=today), "carol", clock, "en")
    assert done == "Plan “strip” is in force as version 3"
    assert current_version(conn) == 3
    assert verify(conn).problems == []
    events = store.plan_events(conn, store.get_plan(conn, "strip"))
    assert [(e["action"], e["actor"]) for e in events][-3:] == [
        ("submit", "alice"),
        ("approve", "bob"),
        ("publish", "carol"),
    ]


def test_a_later_date_schedules_the_plan(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    strip_plan(conn, clock)
    perform(conn, Request("submit", plan="strip"), "a", clock, "en")
    perform(conn, Request("approve", plan="strip"), "b", clock, "en")
    later = clock.local.date() + timedelta(days=30)
    done = perform(conn, Request("publish", plan="strip", effective=later), "c", clock, "en")
    assert done == f"Plan “strip” takes effect on {later}"
    assert store.get_plan(conn, "strip").state == "scheduled"
    assert current_version(conn) == 2


def test_reject_keeps_the_comment_and_a_wrong_state_is_refused(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    strip_plan(conn, clock)
    with pytest.raises(REFUSALS, match="plan 'strip' is draft: it cannot become approved"):
        perform(conn, Request("approve", plan="strip"), "bob", clock, "en")
    perform(conn, Request("submit", plan="strip"), "alice", clock, "en")
    done = perform(conn, Request("reject", plan="strip", comment="too thin"), "bob", clock, "en")
    assert done == "Plan “strip” rejected"
    last = store.plan_events(conn, store.get_plan(conn, "strip"))[-1]
    assert (last["action"], last["comment"]) == ("reject", "too thin")


def test_rollback_figures_and_action_restore_the_version(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    strip_plan(conn, clock)
    for action in ("submit", "approve"):
        perform(conn, Request(action, plan="strip"), "a", clock, "en")
    perform(conn, Request("publish", plan="strip", effective=clock.local.date()), "a", clock, "en")
    back = Request("rollback", version=2)
    assert figures_of(conn, back, clock, RULES) == Figures(2, 3, 2)
    said = asked(conn, back, clock, RULES, "en")
    assert said == "Roll back to version 2: 2 units change, 3 cases move (2 open), effective now."
    assert perform(conn, back, "dora", clock, "en") == (
        "Rolled back to version 2 (in force now: version 4)"
    )
    row = conn.execute(
        "SELECT g.code FROM incident i JOIN grid g ON g.id = i.grid_id WHERE i.code = 'E1'"
    ).fetchone()
    assert row == ("G2",)
    assert verify(conn).problems == []
    with pytest.raises(REFUSALS, match="version 4 is the map in force"):
        perform(conn, Request("rollback", version=4), "dora", clock, "en")


def test_problem_counts_follow_the_plan_revision(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    plan = strip_plan(conn, clock)
    counts = ProblemCounts()
    first = counts.of(conn, store.list_plans(conn), RULES)
    assert first == {"strip": 1}  # the hole in G4 that no grid fills
    units = {u.code: u for u in store.proposed_units(conn, plan)}
    gap = units["G1"].geom.difference(cell_box(0.0, 0.0, 0.3, 0.3))  # a gap in the community
    g1 = units["G1"]
    store.write_changes(
        conn,
        plan,
        [UnitState("G1", g1.name, "grid", "C", gap, g1.officer)],
        [],
        "alice",
        plan.revision,
        clock=clock,
    )
    assert counts.of(conn, store.list_plans(conn), RULES)["strip"] == 2


def test_a_plan_is_found_by_its_id_or_its_name(
    conn: psycopg.Connection, city: None, clock: Clock
) -> None:
    plan = strip_plan(conn, clock)
    assert plan_by_key(conn, str(plan.id)) == plan
    assert plan_by_key(conn, "strip") == plan
    assert plan_by_key(conn, "nope") is None


def test_compare_a_version_with_a_plan(conn: psycopg.Connection, city: None, clock: Clock) -> None:
    strip_plan(conn, clock)
    cmp = compare(conn, "2", "strip")
    assert [u.code for u in cmp.units_a] == ["G1", "G2"] == [u.code for u in cmp.units_b]
    assert [(r["code"], r["changes"]) for r in diff_rows(cmp.diff, "en")] == [
        ("G1", "reshaped"),
        ("G2", "reshaped"),
    ]
    swaps = exchange_rows(cmp.diff, "en")
    assert [(r["from"], r["to"]) for r in swaps] == [("G2", "G1")]
    area = int(swaps[0]["area"].replace(",", ""))
    row = conn.execute(
        "SELECT ST_Area(ST_MakeEnvelope(%s, %s, %s, %s, 4326)::geography)",
        [*lonlat(1.0, 0.0), *lonlat(1.5, 1.0)],
    ).fetchone()
    assert row is not None and abs(area - row[0]) < 0.001 * row[0]
    assert summary(cmp.diff, "en").startswith("2 units differ; 1 areas changed hands")
    with pytest.raises(REFUSALS, match="no plan named 'nope'"):
        compare(conn, "2", "nope")
