"""Performance evaluation (绩效评估) against hand-made cases with known stage times: each
figure as worked out by hand, and as plain SQL over the same cases computes it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import psycopg
import pytest

from tests import gridworld
from tests.db.test_ops_cases import report
from tests.opsworld import NOW, H, clock_at, config
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.ops.cases import act, create_case, merge
from twin.ops.sweep import sweep
from twin.performance.measures import Evaluation, Grouping, fetch_evaluation
from twin.performance.period import Period
from twin.settings import Settings

CONFIG = config()
TERMS = Terms.of(load_catalog(Settings().layers_dir))
AT = clock_at(100 * H)  # the evaluation is read 100 h after the first report
PERIOD = Period.month_of(clock_at(0 * H))  # the month of the reports (Asia/Shanghai)


def new(conn: psycopg.Connection, hours: float, x: float, y: float, **fields: Any) -> str:
    """A case reported `hours` after NOW at cell x, y; its code."""
    made = create_case(conn, report(x, y, **fields), clock_at(hours * H), CONFIG)
    return str(made.case["code"])


def do(conn: psycopg.Connection, code: str, action: str, hours: float, **extra: Any) -> None:
    act(conn, code, action, actor="tester", clock=clock_at(hours * H), **extra)


def build_cases(conn: psycopg.Connection) -> dict[str, str]:
    """The cases, written in time order through twin.ops (deadlines of tests/opsworld.py:
    'other' 2 h / 8 h / 72 h; sanitation, dispatched by rule at report, 1 h / 3 h / 48 h)."""
    gridworld.build(conn)
    c: dict[str, str] = {}
    c["A"] = new(conn, 0, 0.5, 0.5, category="other")  # G1: every stage in time
    c["B"] = new(conn, 0, 0.6, 0.6, category="other")  # G1: dispatched and resolved late
    c["C"] = new(conn, 0, 1.5, 0.5, category="other")  # G2: never dispatched
    c["D"] = new(conn, 0, 0.5, 1.5)  # G3: sanitation, resolved, reopened, resolved again
    c["H"] = new(conn, 0, 5.0, 5.0, category="other")  # outside every grid, untouched
    c["G"] = str(  # reported before the period starts: never counted
        create_case(
            conn,
            report(0.5, 0.5, category="other", reported_at=PERIOD.bounds(AT.tz)[0] - H),
            clock_at(0 * H),
            CONFIG,
        ).case["code"]
    )
    c["E"] = new(conn, 1, 1.2, 1.2)  # G4: sanitation, started, never resolved
    c["F"] = new(conn, 1, 0.51, 1.5)  # G3: repeats D, merged into it
    do(conn, c["A"], "dispatch", 1, department="roads", officer="ann")
    merge(conn, c["F"], c["D"], "tester", clock_at(1.5 * H))
    do(conn, c["D"], "start", 2)
    sweep(conn, clock_at(2.5 * H))  # B, C and H: dispatch overdue
    do(conn, c["B"], "dispatch", 3, department="roads")
    do(conn, c["E"], "start", 3.5)
    do(conn, c["A"], "start", 4)
    do(conn, c["B"], "start", 5)
    do(conn, c["D"], "resolve", 6)
    do(conn, c["A"], "resolve", 10)
    do(conn, c["D"], "reopen", 20)
    do(conn, c["D"], "resolve", 30)
    sweep(conn, clock_at(73 * H))  # B, E: resolve overdue; C, H: start and resolve
    do(conn, c["B"], "resolve", 80)
    return c


@pytest.fixture
def cases(conn: psycopg.Connection) -> dict[str, str]:
    return build_cases(conn)


def evaluate(conn: psycopg.Connection, by: str) -> Evaluation:
    return fetch_evaluation(conn, PERIOD, Grouping.parse(by, TERMS), AT, TERMS)


def rows_of(evaluation: Evaluation) -> dict[str | None, dict[str, Any]]:
    return {r["unit"]: r for r in evaluation.rows}


# What each unit's cases make, worked out by hand from the stage times above.
GRID_G1 = {  # A (1 h to dispatch, 10 h to resolve), B (3 h late, 80 h late, escalated twice)
    "cases": 2,
    "dispatch_h_median": 2.0,
    "dispatch_h_p90": 2.8,  # 1 + 0.9 * (3 - 1)
    "resolve_h_median": 45.0,
    "resolve_h_p90": 73.0,  # 10 + 0.9 * (80 - 10)
    "dispatch_on_time": 0.5,
    "start_on_time": 1.0,
    "resolve_on_time": 0.5,
    "overdue_rate": 0.0,
    "escalations": 2,
    "escalated_rate": 0.5,
    "reopen_rate": 0.0,
    "duplicate_share": 0.0,
}
GRID_G2 = {  # C: nothing done, every deadline past, escalated for each stage
    "cases": 1,
    "dispatch_h_median": None,
    "resolve_h_median": None,
    "dispatch_on_time": 0.0,
    "start_on_time": 0.0,
    "resolve_on_time": 0.0,
    "overdue_rate": 1.0,
    "escalations": 3,
    "escalated_rate": 1.0,
    "reopen_rate": None,  # nothing was ever resolved
    "duplicate_share": 0.0,
}
GRID_G3 = {  # D (dispatched at report, resolved at 6 h, reopened, resolved at 30 h) and F
    "cases": 1,
    "dispatch_h_median": 0.0,
    "resolve_h_median": 30.0,
    "resolve_h_p90": 30.0,
    "dispatch_on_time": 1.0,
    "start_on_time": 1.0,
    "resolve_on_time": 1.0,
    "overdue_rate": 0.0,
    "escalations": 0,
    "reopen_rate": 1.0,
    "duplicate_share": 0.5,  # F of D and F
}
GRID_G4 = {  # E: started in time (3.5 h of 1 + 3 h), open past its 48 h
    "cases": 1,
    "dispatch_h_median": 0.0,
    "dispatch_on_time": 1.0,
    "start_on_time": 1.0,
    "resolve_on_time": 0.0,
    "overdue_rate": 1.0,
    "escalations": 1,
}


def assert_figures(row: dict[str, Any], expected: dict[str, Any]) -> None:
    got = {k: row[k] for k in expected}
    assert got == pytest.approx(expected), row


def test_each_grid_has_the_figures_its_stage_times_make(
    conn: psycopg.Connection, cases: dict[str, str]
) -> None:
    rows = rows_of(evaluate(conn, "grid"))
    assert list(rows) == ["G1", "G2", "G3", "G4", None]  # every grid, then outside them
    for code, expected in (("G1", GRID_G1), ("G2", GRID_G2), ("G3", GRID_G3), ("G4", GRID_G4)):
        assert_figures(rows[code], expected)
    outside = rows[None]
    assert (outside["cases"], outside["escalations"], outside["overdue_rate"]) == (1, 3, 1.0)
    assert rows["G1"]["name"] == "grid G1"


def test_a_unit_without_cases_is_listed_with_nothing_to_rate(
    conn: psycopg.Connection, cases: dict[str, str]
) -> None:
    later = Period.between(PERIOD.last + timedelta(days=1), PERIOD.last + timedelta(days=3))
    evaluation = fetch_evaluation(conn, later, Grouping.parse("grid", TERMS), AT, TERMS)
    assert [(r["unit"], r["cases"], r["resolve_on_time"]) for r in evaluation.rows] == [
        (g, 0, None) for g in ("G1", "G2", "G3", "G4")
    ]
    assert evaluation.total["cases"] == 0


def test_departments_and_officers_group_who_handled_each_case(
    conn: psycopg.Connection, cases: dict[str, str]
) -> None:
    departments = rows_of(evaluate(conn, "department"))
    assert list(departments) == ["roads", "sanitation", None]
    assert_figures(departments["roads"], GRID_G1)  # A and B
    assert_figures(
        departments["sanitation"],  # D and E, and F merged into D
        {
            "cases": 2,
            "dispatch_on_time": 1.0,
            "resolve_on_time": 0.5,
            "overdue_rate": 0.5,
            "reopen_rate": 1.0,
            "duplicate_share": pytest.approx(1 / 3),
            "escalations": 1,
        },
    )
    assert departments[None]["cases"] == 2  # C and H: dispatched nowhere
    officers = rows_of(evaluate(conn, "officer"))
    # A was dispatched to ann; the others count for their grid's officer; H has none.
    assert {k: v["cases"] for k, v in officers.items()} == {
        "ann": 1,
        "officer G1": 1,
        "officer G2": 1,
        "officer G3": 1,
        "officer G4": 1,
        None: 1,
    }
    assert officers["officer G3"]["duplicate_share"] == 0.5


def test_a_coarser_level_and_the_city_count_every_case_once(
    conn: psycopg.Connection, cases: dict[str, str]
) -> None:
    street = evaluate(conn, "street")
    rows = rows_of(street)
    assert [(k, r["cases"]) for k, r in rows.items()] == [("S", 5), (None, 1)]
    assert rows["S"]["escalations"] == 6  # B 2, C 3, E 1
    total = street.total
    assert (total["cases"], total["escalations"], total["duplicate_share"]) == (6, 9, 1 / 7)
    assert total["dispatch_h_median"] == pytest.approx(0.5)  # 0, 0, 1, 3


# Plain SQL over the cases, per grid: the reference the evaluation's query must agree with.
PLAIN = """
SELECT g.code,
       (SELECT count(*) FROM incident i WHERE i.grid_id = g.id
          AND i.reported_at >= %(start)s AND i.reported_at < %(end)s) AS cases,
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY
               extract(epoch FROM i.dispatched_at - i.reported_at) / 3600)
        FROM incident i WHERE i.grid_id = g.id AND i.dispatched_at IS NOT NULL
          AND i.reported_at >= %(start)s AND i.reported_at < %(end)s) AS dispatch_median,
       (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY
               extract(epoch FROM i.resolved_at - i.reported_at) / 3600)
        FROM incident i WHERE i.grid_id = g.id AND i.resolved_at IS NOT NULL
          AND i.reported_at >= %(start)s AND i.reported_at < %(end)s) AS resolve_p90,
       (SELECT avg((i.resolved_at IS NOT NULL AND i.resolved_at <= i.due_at)::int)
        FROM incident i WHERE i.grid_id = g.id
          AND (i.resolved_at IS NOT NULL OR i.due_at < %(at)s)
          AND i.reported_at >= %(start)s AND i.reported_at < %(end)s) AS resolve_on_time,
       (SELECT avg((i.status NOT IN ('resolved', 'closed') AND i.due_at < %(at)s)::int)
        FROM incident i WHERE i.grid_id = g.id
          AND i.reported_at >= %(start)s AND i.reported_at < %(end)s) AS overdue_rate,
       (SELECT count(*) FROM incident_event e JOIN incident i ON i.id = e.incident_id
        WHERE i.grid_id = g.id AND e.action = 'escalate'
          AND i.reported_at >= %(start)s AND i.reported_at < %(end)s) AS escalations
FROM grid g WHERE g.level = 'grid' ORDER BY g.code
"""


def test_the_figures_agree_with_plain_sql(conn: psycopg.Connection, cases: dict[str, str]) -> None:
    start, end = PERIOD.bounds(AT.tz)
    plain = conn.execute(PLAIN, {"start": start, "end": end, "at": AT.now}).fetchall()
    rows = rows_of(evaluate(conn, "grid"))
    for code, n, dispatch_median, resolve_p90, on_time, overdue, escalations in plain:
        row = rows[code]
        assert row["cases"] == n
        assert row["dispatch_h_median"] == pytest.approx(dispatch_median)
        assert row["resolve_h_p90"] == pytest.approx(resolve_p90)
        assert row["resolve_on_time"] == pytest.approx(None if on_time is None else float(on_time))
        assert row["overdue_rate"] == pytest.approx(float(overdue))
        assert row["escalations"] == escalations


def test_a_case_loaded_without_a_timeline_counts_its_escalation_once(
    conn: psycopg.Connection,
) -> None:
    gridworld.build(conn)
    reported = NOW + 1 * H
    conn.execute(
        "INSERT INTO incident (code, category, severity, source, status, reported_at, due_at,"
        " escalated_at, geom) VALUES ('L1', 'other', 3, 'patrol', 'escalated', %s, %s, %s, %s)",
        [reported, reported + 2 * H, reported + 3 * H, gridworld.point(0.5, 0.5)],
    )
    rows = rows_of(evaluate(conn, "grid"))
    assert (rows["G1"]["escalations"], rows["G1"]["escalated_rate"]) == (1, 1.0)
    # A file gives only the resolve deadline: the other stages have none to be late for.
    assert (rows["G1"]["dispatch_on_time"], rows["G1"]["start_on_time"]) == (None, None)
    assert rows["G1"]["resolve_on_time"] == 0.0
