"""grid_stat.counts (migrations 027, 029): each unit's count columns packed in one value, in
2, 4 or 8 bytes a count (the fewest all of the unit's fit in), which the level and unit
status reads unpack; it follows every write and every column added."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pytest

from tests import gridworld
from tests.db.test_new_layer import HYDRANT, load_hydrants
from twin.catalog import load_catalog
from twin.changes import fetch_unit_statuses
from twin.settings import Settings
from twin.spatial.counts import CountsChanged, unpack, unpack_units
from twin.spatial.status import WORKING, Thresholds
from twin.store import fetch_grid_statuses


def stored(conn: psycopg.Connection, level: str) -> dict[str, dict[str, int]]:
    """Every count column of a level's units as stored, by code."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT g.code, s.* FROM grid g JOIN grid_stat_counts s ON s.grid_id = g.id"
            " WHERE g.level = %s",
            [level],
        )
        names = [d.name for d in cur.description or []][2:]  # status reads drop WORKING
        return {
            row[0]: {k: v for k, v in zip(names, row[2:], strict=True) if k not in WORKING}
            for row in cur.fetchall()
        }


def read(frame: pd.DataFrame, names: list[str]) -> dict[str, dict[str, int]]:
    """These count columns of a status frame, by code."""
    table = frame.set_index("code")[names]
    return {code: {k: int(v) for k, v in row.items()} for code, row in table.iterrows()}


def test_each_level_read_gives_every_count_its_stored_value(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    for n, (x, y, severity) in enumerate([(0.5, 0.5, 1), (1.5, 0.5, 2), (1.5, 1.5, 3)]):
        gridworld.add_incident(conn, f"I{n}", x, y, severity=severity)
    conn.execute("UPDATE incident SET status = 'dispatched' WHERE code = 'I1'")
    for level in ("grid", "community", "district"):
        want = stored(conn, level)
        names = list(next(iter(want.values())))
        assert read(fetch_grid_statuses(conn, level), names) == want
    assert fetch_grid_statuses(conn).set_index("code").loc["G1", "open_severity_1"] == 1


def test_a_count_column_added_is_packed_and_read(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    gridworld.add_incident(conn, "I1", 0.5, 0.5, severity=2)
    conn.execute("SELECT twin_stat_add_column('incident', 'severity_two', 'severity = 2')")
    conn.execute("SELECT twin_stat_rebuild('incident')")
    gridworld.add_incident(conn, "I2", 0.5, 0.5, severity=2)
    width = conn.execute(
        "SELECT DISTINCT length(counts) / 2 = cardinality(twin_stat_counts_columns())"
        " FROM grid_stat"
    ).fetchall()
    assert width == [(True,)]
    statuses = fetch_grid_statuses(conn).set_index("code")
    assert statuses.loc["G1", "severity_two"] == 2
    units = fetch_unit_statuses(conn, [world["G1"], world["C"]], None, Thresholds())
    assert units.set_index("code")["severity_two"].to_dict() == {"G1": 2, "C": 2}


def test_each_unit_packs_its_counts_in_the_fewest_bytes_they_fit_and_reads_exactly(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    gridworld.add_incident(conn, "I1", 0.5, 0.5, severity=2)
    # one more than 2 bytes hold, one more than 4 bytes hold, the least 8 bytes hold
    sizes = {"G2": 2**15, "G3": 2**31, "G4": -(2**63)}
    for code, n in sizes.items():
        conn.execute("UPDATE grid_stat SET incidents = %s WHERE grid_id = %s", [n, world[code]])
    widths = conn.execute(
        "SELECT g.code, length(s.counts) / cardinality(twin_stat_counts_columns())"
        " FROM grid_stat s JOIN grid g ON g.id = s.grid_id WHERE g.level = 'grid'"
    ).fetchall()
    assert dict(widths) == {"G1": 2, "G2": 4, "G3": 8, "G4": 8}
    want = stored(conn, "grid")
    assert {code: want[code]["incidents"] for code in sizes} == sizes
    assert read(fetch_grid_statuses(conn, "grid"), list(want["G1"])) == want
    ids = [world[code] for code in ("G1", *sizes)]
    units = fetch_unit_statuses(conn, ids, None, Thresholds())
    assert units.set_index("code")["incidents"].to_dict() == {"G1": 1, **sizes}


def test_counts_unpacked_beside_other_names_are_refused_not_misread() -> None:
    blobs = [np.array([1, 2, 3], dtype=w).tobytes() for w in (">i2", ">i8", ">i4")]
    got = unpack(blobs, ["a", "b", "c"])
    assert {k: v.tolist() for k, v in got.items()} == {
        "a": [1, 1, 1],
        "b": [2, 2, 2],
        "c": [3, 3, 3],
    }
    for names in (["a", "b"], ["a", "b", "c", "d"], ["a"]):
        with pytest.raises(CountsChanged):
            unpack(blobs, names)


def test_a_levels_packed_counts_are_refused_unless_of_the_units_counted() -> None:
    def unit(grid_id: int, counts: list[int], width: str) -> bytes:
        return np.array([0, grid_id], ">i8").tobytes() + np.array(counts, width).tobytes()

    packed = [unit(1, [2, 3], ">i2"), unit(2, [4, 2**20], ">i4"), unit(3, [6, 2**40], ">i8")]
    got = unpack_units(packed, ["a", "b"], 3)
    assert got.tolist() == [[0, 1, 2, 3], [0, 2, 4, 2**20], [0, 3, 6, 2**40]]
    assert unpack_units([None, None, packed[2]], ["a", "b"], 1).tolist() == [[0, 3, 6, 2**40]]
    for names, n in ((["a", "b"], 2), (["a", "b"], 4), (["a"], 3), (["a", "b", "c"], 3)):
        with pytest.raises(CountsChanged):
            unpack_units(packed, names, n)


def test_a_new_layer_packs_its_counts_once_and_they_are_read(
    conn: psycopg.Connection, world: dict[str, int], tmp_path: Path
) -> None:
    (tmp_path / "layers").mkdir()
    shutil.copytree(Settings().layers_dir, tmp_path / "layers", dirs_exist_ok=True)
    (tmp_path / "layers" / "hydrant.toml").write_text(HYDRANT, "utf-8")
    hydrant = load_catalog(tmp_path / "layers")["hydrant"]
    dropped = (
        "SELECT count(*) FROM pg_attribute WHERE attrelid = 'grid_stat'::regclass AND attisdropped"
    )
    before = conn.execute(dropped).fetchone()
    load_hydrants(conn, hydrant, tmp_path)  # creates the table and its 3 count columns
    after = conn.execute(dropped).fetchone()
    assert before and after and after[0] == before[0] + 1  # one rewrite, not one per column
    g1 = fetch_grid_statuses(conn).set_index("code").loc["G1"]
    assert (g1["hydrants"], g1["hydrant_status_low_pressure"]) == (2, 1)
