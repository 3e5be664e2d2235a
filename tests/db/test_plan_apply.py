"""Writing a change set into the grid table: exact counts, only the points inside changed
areas moved, nothing recounted that did not change, refusals that write nothing."""

from __future__ import annotations

import psycopg
import pytest
import shapely
from shapely.geometry import box

from tests import gridworld
from tests.gridworld import add_incident, lonlat
from twin.db.verify import verify
from twin.plans.apply import ChangeError, apply_changes
from twin.plans.model import UnitState
from twin.plans.versions import record_version, units_of_version


def cell_box(x0: float, y0: float, x1: float, y1: float):  # type: ignore[no-untyped-def]
    (a, b), (c, d) = lonlat(x0, y0), lonlat(x1, y1)
    return box(a, b, c, d)


@pytest.fixture
def units(conn: psycopg.Connection) -> dict[str, UnitState]:
    """The grid world with an incident in each grid and one in G2's west strip."""
    gridworld.build(conn)
    for code, (x, y) in {"E1": (0.5, 0.5), "E2": (1.7, 0.5), "E3": (0.5, 1.5)}.items():
        add_incident(conn, code, x, y)
    add_incident(conn, "E4", 1.6, 1.7)
    add_incident(conn, "E5", 1.2, 0.5)  # in the strip that moves from G2 to G1
    record_version(conn, "load", effective_at=None)
    return {u.code: u for u in units_of_version(conn, 2)}


def unit_of(conn: psycopg.Connection, code: str) -> str | None:
    row = conn.execute(
        "SELECT g.code FROM incident i LEFT JOIN grid g ON g.id = i.grid_id WHERE i.code = %s",
        [code],
    ).fetchone()
    assert row is not None
    return row[0]


def counts(conn: psycopg.Connection) -> dict[str, int]:
    return dict(
        conn.execute(
            "SELECT coalesce(g.code, '-'), s.incidents FROM grid_stat s"
            " LEFT JOIN grid g ON g.id = s.grid_id"
        ).fetchall()
    )


def row_versions(conn: psycopg.Connection, table: str) -> dict[object, str]:
    """Each row's xmin: which rows a statement rewrote."""
    key = "code" if table == "incident" else "grid_id"
    return dict(conn.execute(f"SELECT {key}, xmin::text FROM {table}").fetchall())


def moved_strip(units: dict[str, UnitState]) -> list[UnitState]:
    strip = cell_box(1.0, 0.0, 1.5, 1.0)
    g1, g2 = units["G1"], units["G2"]
    return [
        UnitState("G1", g1.name, "grid", "C", g1.geom.union(strip), g1.officer, 1000, 400),
        UnitState("G2", g2.name, "grid", "C", g2.geom.difference(strip), g2.officer, 1000, 400),
    ]


def test_a_moved_boundary_moves_only_the_points_inside_it(
    conn: psycopg.Connection, units: dict[str, UnitState]
) -> None:
    before = row_versions(conn, "incident")
    applied = apply_changes(conn, moved_strip(units), [])
    assert applied.updated == ("G1", "G2")
    assert unit_of(conn, "E5") == "G1"
    after = row_versions(conn, "incident")
    assert [c for c in before if before[c] != after[c]] == ["E5"]
    assert counts(conn) | {"-": 0} == {
        "-": 0,
        "G1": 2,
        "G2": 1,
        "G3": 1,
        "G4": 1,
        "C": 5,
        "S": 5,
        "D": 5,
    }
    assert verify(conn).problems == []


def test_a_merge_hands_the_removed_units_points_on_without_a_recount(
    conn: psycopg.Connection, units: dict[str, UnitState]
) -> None:
    g1, g2 = units["G1"], units["G2"]
    stats_before = row_versions(conn, "grid_stat")
    merged = UnitState("G1", g1.name, "grid", "C", g1.geom.union(g2.geom), g1.officer, 2000, 800)
    applied = apply_changes(conn, [merged], ["G2"])
    assert applied.removed == ("G2",)
    assert (unit_of(conn, "E2"), unit_of(conn, "E5")) == ("G1", "G1")
    assert counts(conn)["G1"] == 3 and counts(conn)["C"] == 5
    assert verify(conn).problems == []
    stats_after = row_versions(conn, "grid_stat")
    ids = dict(conn.execute("SELECT code, id FROM grid").fetchall())
    # G3 and G4 kept their counts untouched: no recount of the city (migration 013)
    assert stats_after[ids["G3"]] == stats_before[ids["G3"]]
    assert stats_after[ids["G4"]] == stats_before[ids["G4"]]


def test_a_reparented_unit_takes_its_counts_to_its_new_parent(
    conn: psycopg.Connection, units: dict[str, UnitState]
) -> None:
    c, g4 = units["C"], units["G4"]
    east = cell_box(1.0, 1.0, 2.0, 2.0)
    stats_before = row_versions(conn, "grid_stat")
    change = [
        UnitState("C", c.name, "community", "S", c.geom.difference(east)),
        UnitState("C2", "community C2", "community", "S", east),
        UnitState("G4", g4.name, "grid", "C2", g4.geom, g4.officer, 1000, 400),
    ]
    applied = apply_changes(conn, change, [])
    assert (applied.inserted, applied.updated) == (("C2",), ("C", "G4"))
    got = counts(conn)
    assert (got["C"], got["C2"], got["S"], got["G4"]) == (4, 1, 5, 1)
    assert verify(conn).problems == []
    ids = dict(conn.execute("SELECT code, id FROM grid").fetchall())
    assert row_versions(conn, "grid_stat")[ids["G1"]] == stats_before[ids["G1"]]


def test_a_split_gives_the_new_unit_the_points_in_its_half(
    conn: psycopg.Connection, units: dict[str, UnitState]
) -> None:
    g3 = units["G3"]
    west, east = cell_box(0.0, 1.0, 0.3, 2.0), cell_box(0.3, 1.0, 1.0, 2.0)
    change = [
        UnitState("G3", g3.name, "grid", "C", west, g3.officer, 500, 200),
        UnitState("G5", "grid G5", "grid", "C", east, "officer G5", 500, 200),
    ]
    apply_changes(conn, change, [])
    assert unit_of(conn, "E3") == "G5"
    assert counts(conn)["G3"] == 0
    assert verify(conn).problems == []


def test_a_change_that_breaks_the_hierarchy_writes_nothing(
    conn: psycopg.Connection, units: dict[str, UnitState]
) -> None:
    before = conn.execute("SELECT code, ST_AsText(geom) FROM grid ORDER BY code").fetchall()
    orphan = UnitState("G9", "grid G9", "grid", "C9", units["G1"].geom)
    with pytest.raises(ChangeError, match="G9: its parent C9 is neither in the map nor in the"):
        apply_changes(conn, [*moved_strip(units), orphan], [])
    with pytest.raises(ChangeError, match="G1: its parent C is removed and it is not re-parented"):
        apply_changes(conn, [], ["C"])
    with pytest.raises(ChangeError, match="GX: it is removed but no such unit exists"):
        apply_changes(conn, [], ["GX"])
    with pytest.raises(ChangeError, match="units both changed and removed: G1"):
        apply_changes(conn, moved_strip(units), ["G1"])
    after = conn.execute("SELECT code, ST_AsText(geom) FROM grid ORDER BY code").fetchall()
    assert after == before


def test_the_changed_area_of_a_redrawn_unit_is_what_it_gained_or_lost(
    conn: psycopg.Connection, units: dict[str, UnitState]
) -> None:
    g2 = units["G2"]
    strip = cell_box(1.0, 0.0, 1.5, 1.0)
    row = conn.execute(
        "SELECT ST_AsBinary(twin_changed_area(ST_GeomFromText(%s, 4326),"
        " ST_GeomFromText(%s, 4326)))",
        [g2.geom.wkt, g2.geom.difference(strip).wkt],
    ).fetchone()
    assert row is not None
    assert shapely.from_wkb(bytes(row[0])).symmetric_difference(strip).area < 1e-16
