"""Performance evaluation against the map in force on another date (`--as-of`): the cases
placed in that version's units, not today's, and the figures as plain SQL over
grid_history gives them."""

from __future__ import annotations

import csv
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from tests import gridworld
from tests.db.test_cli import twin
from tests.db.test_performance import AT, PERIOD, TERMS, do, new
from tests.db.test_plan_asof import cell_box
from tests.opsworld import H, clock_at
from twin.ops.cases import merge
from twin.performance.measures import Evaluation, Grouping, fetch_evaluation
from twin.plans.apply import apply_changes
from twin.plans.model import UnitState
from twin.plans.versions import current_version, record_version, units_of_version

TZ = "Asia/Shanghai"


@pytest.fixture
def moved(conn: psycopg.Connection) -> tuple[Any, Any]:
    """Cases in the world's grids, three in the strip x 1.0–1.5 of G2; the map as version 2,
    then the strip given to G1 as version 3 a day later. The two versions' start moments."""
    gridworld.build(conn)
    a = new(conn, 0, 0.5, 0.5, category="other")  # G1 in both
    s1 = new(conn, 0, 1.2, 0.5, category="other")  # the strip: G2, then G1
    s2 = new(conn, 1, 1.3, 0.7, category="other")
    s3 = new(conn, 1, 1.25, 0.6, category="other")
    b = new(conn, 2, 1.7, 0.5, category="other")  # G2 in both
    new(conn, 2, 1.2, 1.2, category="other")  # G4 in both
    do(conn, a, "dispatch", 1, department="roads", officer="ann")
    do(conn, s1, "dispatch", 1, department="roads")
    do(conn, s1, "start", 2)
    do(conn, s1, "resolve", 5)
    do(conn, b, "dispatch", 3, department="parks")
    merge(conn, s3, s2, "tester", clock_at(1.5 * H))  # a duplicate inside the strip
    start = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
    record_version(conn, "load", effective_at=start)
    units = {u.code: u for u in units_of_version(conn, current_version(conn))}
    strip = cell_box(1.0, 0.0, 1.5, 1.0)
    g1, g2 = units["G1"], units["G2"]
    apply_changes(
        conn,
        [
            UnitState("G1", g1.name, "grid", "C", g1.geom.union(strip), g1.officer, 1000, 400),
            UnitState("G2", g2.name, "grid", "C", g2.geom.difference(strip), g2.officer, 1000, 400),
        ],
        [],
    )
    record_version(conn, "plan", effective_at=start + timedelta(days=1))
    return start, start + timedelta(days=1)


def evaluate(conn: psycopg.Connection, by: str, version: int | None) -> dict[Any, dict]:
    found: Evaluation = fetch_evaluation(
        conn, PERIOD, Grouping.parse(by, TERMS), AT, TERMS, version
    )
    assert found.version == version
    return {r["unit"]: r for r in found.rows}


# Plain SQL: each case (and merged report) in the finest unit of version :version covering
# it, lowest code first; its cases, dispatches and merged reports per unit.
PLAIN = """
WITH units AS (
    SELECT code, officer, geom FROM grid_history
    WHERE level = 'grid' AND version_from <= %(version)s
      AND (version_to IS NULL OR version_to > %(version)s)
), reports AS (
    SELECT id, geom, dispatched_at, officer, false AS merged FROM incident
    WHERE reported_at >= %(start)s AND reported_at < %(end)s
    UNION ALL
    SELECT incident_id, ST_GeomFromEWKB(decode(snapshot ->> 'geom', 'hex')), NULL,
           snapshot ->> 'officer', true FROM incident_merged
)
SELECT u.code,
       count(*) FILTER (WHERE NOT r.merged) AS cases,
       count(r.dispatched_at) AS dispatched,
       count(*) FILTER (WHERE r.merged) AS merged
FROM units u
LEFT JOIN reports r ON ST_Covers(u.geom, r.geom)
     AND u.code = (SELECT min(v.code) FROM units v WHERE ST_Covers(v.geom, r.geom))
GROUP BY u.code ORDER BY u.code
"""


def test_cases_count_in_the_units_of_the_version_then(
    conn: psycopg.Connection, moved: tuple[Any, Any]
) -> None:
    start, end = PERIOD.bounds(AT.tz)
    now = evaluate(conn, "grid", None)
    then = evaluate(conn, "grid", 2)
    # The strip's two cases (and its merged duplicate) are G2's in version 2, G1's now.
    assert {u: now[u]["cases"] for u in ("G1", "G2", "G3", "G4")} == {
        "G1": 3,
        "G2": 1,
        "G3": 0,
        "G4": 1,
    }
    assert {u: then[u]["cases"] for u in ("G1", "G2", "G3", "G4")} == {
        "G1": 1,
        "G2": 3,
        "G3": 0,
        "G4": 1,
    }
    assert then["G2"]["duplicate_share"] == pytest.approx(1 / 4)
    # Merged reports follow the map now too (by where they lie, not a stale snapshot).
    assert now["G2"]["duplicate_share"] == 0 and now["G1"]["duplicate_share"] == pytest.approx(
        1 / 4
    )
    for version, rows in ((2, then), (3, now)):
        plain = conn.execute(PLAIN, {"version": version, "start": start, "end": end})
        for code, cases, dispatched, merged in plain.fetchall():
            assert rows[code]["cases"] == cases, (version, code)
            assert rows[code]["duplicate_share"] == pytest.approx(
                merged / (cases + merged) if cases + merged else None
            ), (version, code)
            assert (rows[code]["dispatch_h_median"] is None) == (dispatched == 0), (version, code)


def test_officers_and_coarser_levels_follow_the_version(
    conn: psycopg.Connection, moved: tuple[Any, Any]
) -> None:
    # Cases dispatched to nobody fall to their unit's officer: the strip's two are G2's
    # officer's in version 2, G1's now; ann's case is hers either way.
    then = evaluate(conn, "officer", 2)
    now = evaluate(conn, "officer", None)
    assert {k: r["cases"] for k, r in then.items()} == {"ann": 1, "officer G2": 3, "officer G4": 1}
    assert {k: r["cases"] for k, r in now.items()} == {
        "ann": 1,
        "officer G1": 2,
        "officer G2": 1,
        "officer G4": 1,
    }
    community = evaluate(conn, "community", 2)
    assert list(community) == ["C"] and community["C"]["cases"] == 5


def test_report_performance_as_of_a_date_from_the_command_line(
    conn: psycopg.Connection, db_url: str, moved: tuple[Any, Any], tmp_path: Any
) -> None:
    before, _ = moved
    env = {"TWIN_DATABASE_URL": db_url, "TWIN_TIMEZONE": TZ}
    day = before.astimezone(ZoneInfo(TZ)).date().isoformat()
    out = tmp_path / "then.csv"
    done = twin(
        "report",
        "performance",
        "--period",
        PERIOD.text,
        "--by",
        "grid",
        "--as-of",
        day,
        "--out",
        str(out),
        "--lang",
        "en",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert f"cases placed in map version 2 (in force {day})" in done.stdout
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    cases = {r[0]: r[2] for r in rows[1:]}
    assert (cases["G1"], cases["G2"]) == ("1", "3")
    bad = twin(
        "report",
        "performance",
        "--period",
        PERIOD.text,
        "--as-of",
        "someday",
        "--out",
        str(out),
        env=env,
    )
    assert bad.returncode == 2 and "twin: error: --as-of 'someday': give a date" in bad.stderr
