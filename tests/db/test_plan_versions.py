"""Versions of the grid map: recorded after every change, read back whole, one in force on
any moment, each unit's history."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from shapely import wkt
from shapely.geometry import box

from tests import gridworld
from tests.gridworld import lonlat
from twin.plans.apply import apply_changes
from twin.plans.model import UnitState
from twin.plans.versions import (
    VersionError,
    current_version,
    list_versions,
    record_version,
    unit_history,
    units_as_of,
    units_of_version,
    version_at,
)


def grid_now(conn: psycopg.Connection) -> list[tuple[object, ...]]:
    """The grid table as (code, name, level, parent code, officer, population, households,
    WKT), by code: what a version's read-back must equal."""
    return conn.execute(
        "SELECT g.code, g.name, g.level, p.code, g.officer, g.population, g.households,"
        " ST_AsText(g.geom) FROM grid g LEFT JOIN grid p ON p.id = g.parent_id ORDER BY g.code"
    ).fetchall()


def as_rows(units: list[UnitState]) -> list[tuple[object, ...]]:
    return [
        (u.code, u.name, u.level, u.parent, u.officer, u.population, u.households, u.geom.wkt)
        for u in units
    ]


def same_shapes(a: list[tuple[object, ...]], b: list[tuple[object, ...]]) -> bool:
    """Rows equal, geometries compared as shapes (WKT number formatting differs)."""
    if [r[:7] for r in a] != [r[:7] for r in b]:
        return False
    return all(
        wkt.loads(str(x[7])).equals_exact(wkt.loads(str(y[7])), 0)
        for x, y in zip(a, b, strict=True)
    )


def cell_box(x0: float, y0: float, x1: float, y1: float) -> object:
    (a, b), (c, d) = lonlat(x0, y0), lonlat(x1, y1)
    return box(a, b, c, d)


def test_version_one_is_the_map_when_versions_began(conn: psycopg.Connection) -> None:
    rows = conn.execute("SELECT version, kind FROM grid_version").fetchall()
    assert rows == [(1, "initial")]
    assert units_of_version(conn, 1) == []


def test_a_changed_map_is_recorded_and_read_back_whole(conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    version = record_version(conn, "load", effective_at=None, note="the world")
    assert version == 2
    assert current_version(conn) == 2
    assert same_shapes(as_rows(units_of_version(conn, 2)), grid_now(conn))
    assert units_of_version(conn, 1) == []  # the past is left as it was
    assert [u.code for u in units_of_version(conn, 2, "grid")] == ["G1", "G2", "G3", "G4"]


def test_nothing_changed_records_no_version(conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    record_version(conn, "load", effective_at=None)
    assert record_version(conn, "load", effective_at=None) is None
    assert current_version(conn) == 2


def test_a_past_version_reads_back_as_it_was_after_a_redraw(conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    record_version(conn, "load", effective_at=None)
    before = grid_now(conn)
    g1, g2 = (next(u for u in units_of_version(conn, 2) if u.code == c) for c in ("G1", "G2"))
    strip = cell_box(1.0, 0.0, 1.5, 1.0)
    apply_changes(
        conn,
        [
            UnitState("G1", "grid G1", "grid", "C", g1.geom.union(strip), "officer G1", 1000, 400),
            UnitState(
                "G2", "grid G2", "grid", "C", g2.geom.difference(strip), "officer G2", 1000, 400
            ),
        ],
        [],
    )
    assert record_version(conn, "plan", effective_at=None, plan_name="p") == 3
    assert same_shapes(as_rows(units_of_version(conn, 2)), before)
    assert same_shapes(as_rows(units_of_version(conn, 3)), grid_now(conn))
    assert not same_shapes(before, grid_now(conn))
    listed = {v["version"]: v for v in list_versions(conn)}
    assert (listed[3]["added"], listed[3]["changed"], listed[3]["removed"]) == (0, 2, 0)
    assert (listed[2]["added"], listed[2]["changed"]) == (7, 0)


def test_exactly_one_version_is_in_force_at_any_moment(conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    row = conn.execute("SELECT effective_at FROM grid_version WHERE version = 1").fetchone()
    assert row is not None
    start = row[0]
    later = start + timedelta(days=3)
    record_version(conn, "load", effective_at=later)
    conn.execute("UPDATE grid SET officer = 'someone else' WHERE code = 'G1'")
    record_version(conn, "load", effective_at=later + timedelta(days=2))
    assert version_at(conn, start - timedelta(days=30)) == 1  # before the first: the first
    assert version_at(conn, start) == 1
    assert version_at(conn, later - timedelta(microseconds=1)) == 1
    assert version_at(conn, later) == 2
    assert version_at(conn, later + timedelta(days=1)) == 2
    assert version_at(conn, later + timedelta(days=2)) == 3
    assert version_at(conn, later + timedelta(days=400)) == 3
    g1 = {u.code: u.officer for u in units_as_of(conn, later + timedelta(days=1), "grid")}
    assert g1["G1"] == "officer G1"


def test_a_version_never_takes_effect_before_the_one_it_follows(
    conn: psycopg.Connection,
) -> None:
    gridworld.build(conn)
    row = conn.execute("SELECT effective_at FROM grid_version WHERE version = 1").fetchone()
    assert row is not None
    record_version(conn, "load", effective_at=row[0] - timedelta(days=10))
    got = conn.execute("SELECT effective_at FROM grid_version WHERE version = 2").fetchone()
    assert got == row


def test_unknown_version_and_naive_time_are_refused(conn: psycopg.Connection) -> None:
    with pytest.raises(VersionError, match="no version 7 of the grid map: versions run 1 to 1"):
        units_of_version(conn, 7)
    row = conn.execute("SELECT effective_at FROM grid_version").fetchone()
    assert row is not None
    with pytest.raises(VersionError, match="give a time with its zone"):
        version_at(conn, row[0].replace(tzinfo=None))


def test_a_unit_history_says_created_reshaped_and_merged_into_what(
    conn: psycopg.Connection,
) -> None:
    gridworld.build(conn)
    record_version(conn, "load", effective_at=None)
    g1 = next(u for u in units_of_version(conn, 2) if u.code == "G1")
    g2 = next(u for u in units_of_version(conn, 2) if u.code == "G2")
    strip = cell_box(1.0, 0.0, 1.5, 1.0)
    reshaped = g2.geom.difference(strip)
    apply_changes(
        conn,
        [
            UnitState("G1", "grid G1", "grid", "C", g1.geom.union(strip), "officer G1", 1000, 400),
            UnitState("G2", "grid G2", "grid", "C", reshaped, "officer G2", 1000, 400),
        ],
        [],
    )
    record_version(conn, "plan", effective_at=None, plan_name="move")
    merged = g1.geom.union(g2.geom)
    apply_changes(
        conn, [UnitState("G1", "grid G1", "grid", "C", merged, "officer G1", 2000, 800)], ["G2"]
    )
    record_version(conn, "plan", effective_at=None, plan_name="merge")
    history = unit_history(conn, "G2")
    assert [(h["version_from"], h["version_to"]) for h in history] == [(2, 3), (3, 4)]
    assert history[0]["changes"] == ["created"]
    assert history[1]["changes"] == ["reshaped"]
    assert history[1]["plan_name"] == "move"
    assert history[1]["taken_by"] == ["G1"]
    assert history[1]["removed_in"] == 4
    assert unit_history(conn, "G1")[-1]["changes"] == ["reshaped", "new figures"]
    assert unit_history(conn, "nobody") == []


def test_a_grid_load_records_a_version(conn: psycopg.Connection, layers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.shapes import level_file
    from twin.ingest.load import load_file

    path = level_file("district", tmp_path / "districts.geojson")
    load_file(conn, layers["district"], path)
    assert current_version(conn) == 2
    kind, note = conn.execute("SELECT kind, note FROM grid_version WHERE version = 2").fetchone()
    assert (kind, note) == ("load", "district: districts.geojson")
    assert same_shapes(as_rows(units_of_version(conn, 2)), grid_now(conn))
