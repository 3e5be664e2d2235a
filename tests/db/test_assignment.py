"""Write-time grid assignment: the rule for interiors, shared edges, vertices, holes, outside."""

from __future__ import annotations

import pandas as pd
import psycopg
import pytest

from tests import gridworld
from tests.gridworld import add_incident, point
from twin.catalog import Layer
from twin.ingest.bulk import insert_points
from twin.store import fetch_grid_statuses, fetch_one_status, fetch_unassigned


@pytest.fixture
def ids(conn: psycopg.Connection) -> dict[str, int]:
    return gridworld.build(conn)


def grid_of(conn: psycopg.Connection, code: str) -> str | None:
    row = conn.execute(
        "SELECT g.code FROM incident i LEFT JOIN grid g ON g.id = i.grid_id WHERE i.code = %s",
        [code],
    ).fetchone()
    assert row is not None, f"incident {code} missing"
    return row[0]


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (0.5, 0.5, "G1"),  # interior
        (1.5, 0.5, "G2"),
        (0.5, 1.5, "G3"),
        (1.2, 1.2, "G4"),  # interior of G4, outside its hole
        (1.0, 0.5, "G1"),  # edge shared by G1 and G2: lowest code
        (1.5, 1.0, "G2"),  # edge shared by G2 and G4
        (1.0, 1.0, "G1"),  # vertex shared by all four grids
        (2.0, 2.0, "G4"),  # outer corner: only G4 covers it
        (3.0, 3.0, None),  # outside every grid
        (1.5, 1.5, "C"),  # in G4's hole: no grid covers it, so the finest unit that does
    ],
)
def test_point_gets_the_grid_the_rule_names(
    conn: psycopg.Connection, ids: dict[str, int], x: float, y: float, expected: str | None
) -> None:
    add_incident(conn, "E1", x, y)
    assert grid_of(conn, "E1") == expected


def test_point_on_shared_edge_belongs_to_one_grid(
    conn: psycopg.Connection, ids: dict[str, int]
) -> None:
    add_incident(conn, "E1", 1.0, 0.25)
    counts = fetch_grid_statuses(conn).set_index("code")["incidents"]
    assert counts.to_dict() == {"G1": 1, "G2": 0, "G3": 0, "G4": 0}


def test_points_outside_are_kept_and_counted_as_unassigned(
    conn: psycopg.Connection, ids: dict[str, int]
) -> None:
    add_incident(conn, "OUT", 5.0, 5.0)
    add_incident(conn, "FAR", -3.0, 1.0)
    add_incident(conn, "IN", 0.5, 0.5)
    assert fetch_unassigned(conn)["incidents"] == 2
    assert fetch_grid_statuses(conn, "district")["incidents"].tolist() == [1]
    row = conn.execute("SELECT count(*) FROM incident").fetchone()
    assert row == (3,)


def test_moving_a_point_moves_its_grid_and_its_counts(
    conn: psycopg.Connection, ids: dict[str, int]
) -> None:
    add_incident(conn, "E1", 0.5, 0.5)
    conn.execute("UPDATE incident SET geom = %s WHERE code = 'E1'", [point(1.5, 0.5)])
    assert grid_of(conn, "E1") == "G2"
    counts = fetch_grid_statuses(conn).set_index("code")["incidents"].to_dict()
    assert counts == {"G1": 0, "G2": 1, "G3": 0, "G4": 0}
    conn.execute("UPDATE incident SET geom = %s WHERE code = 'E1'", [point(9, 9)])
    assert grid_of(conn, "E1") is None
    assert fetch_unassigned(conn)["incidents"] == 1


def test_grid_id_cannot_be_set_by_hand(conn: psycopg.Connection, ids: dict[str, int]) -> None:
    add_incident(conn, "E1", 0.5, 0.5)
    conn.execute("UPDATE incident SET grid_id = %s WHERE code = 'E1'", [ids["G3"]])
    assert grid_of(conn, "E1") == "G1"


def test_bulk_insert_assigns_by_the_same_rule(
    conn: psycopg.Connection, ids: dict[str, int], layers: dict[str, Layer]
) -> None:
    spots = [(0.5, 0.5), (1.0, 0.5), (1.0, 1.0), (1.5, 1.0), (1.5, 1.5), (3.0, 3.0), (1.2, 1.8)]
    for i, (x, y) in enumerate(spots):
        add_incident(conn, f"ROW{i}", x, y)
    frame = pd.DataFrame(
        {
            "code": [f"BULK{i}" for i in range(len(spots))],
            "category": "dispute",
            "severity": 2,
            "source": "hotline",
            "status": "reported",
            "due_at": pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=30),
            "lon": [gridworld.lonlat(x, y)[0] for x, y in spots],
            "lat": [gridworld.lonlat(x, y)[1] for x, y in spots],
        }
    )
    with conn.transaction():
        assert insert_points(conn, layers["incident"], frame) == len(spots)
    for i in range(len(spots)):
        assert grid_of(conn, f"BULK{i}") == grid_of(conn, f"ROW{i}"), spots[i]


def test_bulk_insert_failure_writes_nothing(
    conn: psycopg.Connection, ids: dict[str, int], layers: dict[str, Layer]
) -> None:
    frame = pd.DataFrame(
        {
            "code": ["A", "B"],
            "category": ["dispute", "not-a-category"],
            "severity": 2,
            "source": "hotline",
            "status": "reported",
            "due_at": pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=30),
            "lon": [114.005, 114.005],
            "lat": [30.005, 30.005],
        }
    )
    with pytest.raises(psycopg.errors.CheckViolation, match="category"), conn.transaction():
        insert_points(conn, layers["incident"], frame)
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (0,)
    assert fetch_grid_statuses(conn)["incidents"].sum() == 0


def test_redrawing_a_grid_reassigns_only_what_moved(
    conn: psycopg.Connection, ids: dict[str, int]
) -> None:
    add_incident(conn, "WEST", 0.2, 0.5)
    add_incident(conn, "NEAR", 0.8, 0.5)
    add_incident(conn, "EAST", 1.5, 0.5)
    # Move the G1|G2 edge west to x = 0.5: NEAR now lies in G2.
    conn.execute(
        "UPDATE grid SET geom = CASE code WHEN 'G1' THEN %s::geometry ELSE %s::geometry END "
        "WHERE code IN ('G1', 'G2')",
        [gridworld.square_wkt(0, 0, 0.5, 1), gridworld.square_wkt(0.5, 0, 2, 1)],
    )
    assert [grid_of(conn, c) for c in ("WEST", "NEAR", "EAST")] == ["G1", "G2", "G2"]
    counts = fetch_grid_statuses(conn).set_index("code")["incidents"].to_dict()
    assert counts == {"G1": 1, "G2": 2, "G3": 0, "G4": 0}


def test_an_empty_store_has_an_empty_status_table(conn: psycopg.Connection) -> None:
    frame = fetch_grid_statuses(conn)
    assert frame.empty
    assert {"code", "open", "overdue", "composite"} <= set(frame.columns)


def test_moving_a_grid_to_another_parent_moves_its_counts(
    conn: psycopg.Connection, ids: dict[str, int]
) -> None:
    add_incident(conn, "E1", 0.5, 0.5)
    add_incident(conn, "E2", 1.5, 0.5)
    conn.execute(
        "INSERT INTO grid (code, name, level, parent_id, geom) VALUES ('C2', 'c2', 'community',"
        " %s, %s)",
        [ids["S"], gridworld.square_wkt(0, 0, 1, 1)],
    )
    conn.execute(
        "UPDATE grid SET parent_id = (SELECT id FROM grid WHERE code = 'C2') WHERE code = 'G1'"
    )
    counts = fetch_grid_statuses(conn, "community").set_index("code")["incidents"].to_dict()
    assert counts == {"C": 1, "C2": 1}
    assert fetch_grid_statuses(conn, "street")["incidents"].tolist() == [2]
    lineage = conn.execute(
        "SELECT g.code FROM grid_ancestor a JOIN grid g ON g.id = a.ancestor_id"
        " WHERE a.grid_id = %s ORDER BY a.depth",
        [ids["G1"]],
    ).fetchall()
    assert [c for (c,) in lineage] == ["G1", "C2", "S", "D"]


def test_deleting_a_grid_gives_its_points_to_the_next_covering_unit(
    conn: psycopg.Connection, ids: dict[str, int]
) -> None:
    add_incident(conn, "E1", 1.5, 0.5)
    conn.execute("DELETE FROM grid WHERE code = 'G2'")
    assert grid_of(conn, "E1") == "C"
    assert fetch_unassigned(conn)["incidents"] == 0
    assert fetch_one_status(conn, ids["C"])["incidents"] == 1
    assert fetch_grid_statuses(conn, "district")["incidents"].tolist() == [1]
    assert conn.execute(
        "SELECT count(*) FROM grid_ancestor WHERE grid_id = %s", [ids["G2"]]
    ).fetchone() == (0,)


def test_a_parent_may_be_any_coarser_unit_or_none_but_never_a_peer_or_finer(
    conn: psycopg.Connection, ids: dict[str, int]
) -> None:
    whole = gridworld.square_wkt(0, 0, 2, 2)
    insert = "INSERT INTO grid (code, name, level, parent_id, geom) VALUES (%s, %s, %s, %s, %s)"
    conn.execute(insert, ["G9", "under the district", "grid", ids["D"], whole])  # skips two
    conn.execute(insert, ["S9", "under the city", "street", None, whole])
    for level, parent in (("community", "C"), ("community", "G1")):
        with pytest.raises(psycopg.errors.CheckViolation, match="must have a coarser unit"):
            conn.execute(insert, ["X", "x", level, ids[parent], whole])


def test_a_community_with_no_grids_owns_the_points_inside_it(
    conn: psycopg.Connection, ids: dict[str, int]
) -> None:
    add_incident(conn, "E1", 2.5, 0.5)  # east of the world: in no unit yet
    row = conn.execute(
        "INSERT INTO grid (code, name, level, parent_id, geom) VALUES ('C9', 'c9', 'community',"
        " NULL, %s) RETURNING id",
        [gridworld.square_wkt(2, 0, 3, 1)],
    ).fetchone()
    assert row is not None
    add_incident(conn, "E2", 2.2, 0.8)
    assert (grid_of(conn, "E1"), grid_of(conn, "E2")) == ("C9", "C9")
    assert fetch_one_status(conn, row[0])["incidents"] == 2
    assert fetch_unassigned(conn)["incidents"] == 0
