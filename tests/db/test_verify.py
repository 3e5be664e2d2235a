"""`twin db verify` recounts from scratch and names every count and assignment that drifted."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg

from tests.gridworld import add_incident, point
from twin.db.verify import CountDrift, Misassigned, verify
from twin.ingest.bulk import begin_bulk, end_bulk


def populate(conn: psycopg.Connection) -> None:
    """A few points of each built-in layer, in grids and outside."""
    add_incident(conn, "E1", 0.5, 0.5)
    add_incident(conn, "E2", 1.5, 0.5, severity=1)
    add_incident(conn, "E3", 5.0, 5.0)  # unassigned
    conn.execute(
        "INSERT INTO camera (code, name, status, geom) VALUES ('K1', 'k', 'fault', %s)",
        [point(0.5, 1.5)],
    )
    conn.execute(
        "INSERT INTO sensor (code, kind, status, geom) VALUES ('S1', 'smoke', 'alarm', %s)",
        [point(1.2, 1.2)],
    )


def corrupt(conn: psycopg.Connection, world: dict[str, int]) -> None:
    """One counter edited by hand; one point moved to the wrong grid past the assignment
    trigger (as the bulk loader may), its counts following the move."""
    conn.execute("UPDATE grid_stat SET open = open + 5 WHERE grid_id = %s", [world["S"]])
    with conn.transaction():
        marked = begin_bulk(conn)
        conn.execute("SET LOCAL twin.bulk_assigned = 'on'")
        conn.execute("UPDATE incident SET grid_id = %s WHERE code = 'E1'", [world["G4"]])
        end_bulk(conn, marked)


def twin(*args: str, db_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twin.cli", *args],
        env=os.environ | {"TWIN_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_store_kept_by_the_triggers_verifies(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    populate(conn)
    conn.execute("UPDATE incident SET status = 'dispatched' WHERE code = 'E2'")
    conn.execute("DELETE FROM camera")
    result = verify(conn)
    assert result.problems == []
    columns = conn.execute("SELECT count(*) FROM twin_stat_column").fetchone()
    assert (result.units, result.columns, result.points, result.layers) == (
        8,  # D, S, C, four grids and the unassigned row
        columns[0] if columns else -1,
        4,
        3,
    )
    assert result.summary().startswith("verified 8 units × ")
    assert result.summary().endswith("and 4 points in 3 layers: all agree")


def test_one_corrupt_counter_and_one_misassigned_point_are_both_named(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    populate(conn)
    corrupt(conn, world)
    result = verify(conn)
    assert result.drifts == [CountDrift("S", "open", 7, 2)]
    assert result.misassigned == [Misassigned("incident", "E1", "G4", "G1")]


def test_a_missing_stat_row_is_named(conn: psycopg.Connection, world: dict[str, int]) -> None:
    populate(conn)
    conn.execute("DELETE FROM grid_stat WHERE grid_id = %s", [world["G2"]])
    drifts = verify(conn).drifts
    assert CountDrift("G2", "incidents", None, 1) in drifts
    assert CountDrift("G2", "cameras", None, 0) in drifts


def test_db_verify_exits_0_when_all_agree_and_1_naming_each_problem(
    conn: psycopg.Connection, world: dict[str, int], db_url: str
) -> None:
    populate(conn)
    good = twin("db", "verify", db_url=db_url)
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("verified 8 units × ") and good.stdout.count("\n") == 1
    corrupt(conn, world)
    bad = twin("db", "verify", db_url=db_url)
    assert bad.returncode == 1
    assert bad.stdout == ""
    lines = bad.stderr.splitlines()
    assert lines[:2] == [
        "  count: unit S, column open: stored 7, recounted 2",
        "  assignment: incident E1: stored in G4, belongs to G1",
    ]
    assert len(lines) == 3
    assert lines[2].startswith("2 problem(s) in 8 units × ")
    assert lines[2].endswith("and 5 points in 3 layers")
