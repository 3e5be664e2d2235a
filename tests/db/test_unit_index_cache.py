"""A new process's bulk assignment reads the unit index the last one built from its file, and
places every point as PostGIS does; a write to the grid, or a damaged file, makes it build
its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import psycopg
import pytest

from tests import gridworld
from tests.db.test_assign_memory import assert_same_as_postgis, stage
from twin.spatial import assign_memory
from twin.spatial.unit_index import UnitIndex

POINTS = [gridworld.lonlat(x, y) for x in np.linspace(0.05, 1.95, 20) for y in (0.5, 1.0, 1.5)]


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """The levels of every unit index built from here on (each file in tmp_path)."""
    monkeypatch.setenv("TWIN_CACHE_DIR", str(tmp_path))
    assign_memory.forget_unit_indexes()
    built: list[str] = []
    real: Callable[..., UnitIndex | None] = assign_memory.build_unit_index

    def counted(level: str, ids: np.ndarray, polygons: np.ndarray) -> UnitIndex | None:
        built.append(level)
        return real(level, ids, polygons)

    monkeypatch.setattr(assign_memory, "build_unit_index", counted)
    return built


def test_a_new_process_reads_the_index_the_last_one_built(
    conn: psycopg.Connection, builds: list[str], tmp_path: Path
) -> None:
    with conn.transaction(force_rollback=True):
        gridworld.build(conn)
        stage(conn, POINTS)
        assert_same_as_postgis(conn)
        assert builds == ["grid"] and len(list(tmp_path.glob("units-*.npz"))) == 1
        assign_memory.forget_unit_indexes()  # as a new process starts
        assert_same_as_postgis(conn)
        assert builds == ["grid"]


def test_a_grid_written_since_is_indexed_afresh_in_a_new_process(
    conn: psycopg.Connection, builds: list[str]
) -> None:
    with conn.transaction(force_rollback=True):
        gridworld.build(conn)
        stage(conn, POINTS)
        assert_same_as_postgis(conn)
        for right in (1.5, 0.5):  # G1 grows over G2's west half, then shrinks
            conn.execute(
                "UPDATE grid SET geom = %s WHERE code = 'G1'",
                [gridworld.square_wkt(0, 0, right, 1)],
            )
            assign_memory.forget_unit_indexes()
            assert_same_as_postgis(conn)
        assert builds == ["grid"] * 3


def test_a_damaged_file_is_built_again_and_replaced(
    conn: psycopg.Connection, builds: list[str], tmp_path: Path
) -> None:
    with conn.transaction(force_rollback=True):
        gridworld.build(conn)
        stage(conn, POINTS)
        assert_same_as_postgis(conn)
        (path,) = tmp_path.glob("units-*.npz")
        path.write_bytes(path.read_bytes()[:-100])
        assign_memory.forget_unit_indexes()
        assert_same_as_postgis(conn)
        assert builds == ["grid"] * 2
        assign_memory.forget_unit_indexes()
        assert_same_as_postgis(conn)
        assert builds == ["grid"] * 2  # the file built again is sound


def test_forgetting_the_files_too_builds_as_after_a_grid_change(
    conn: psycopg.Connection, builds: list[str], tmp_path: Path
) -> None:
    with conn.transaction(force_rollback=True):
        gridworld.build(conn)
        stage(conn, POINTS)
        assert_same_as_postgis(conn)
        assign_memory.forget_unit_indexes(files=True)
        assert not list(tmp_path.glob("units-*.npz"))
        assert_same_as_postgis(conn)
        assert builds == ["grid"] * 2


def test_a_grid_truncated_and_reloaded_twice_in_one_transaction_has_another_key(
    conn: psycopg.Connection,
) -> None:
    # The second reload repeats the first one's ctids, xmin and count: only the table's new
    # file node tells the two grids apart.
    keys = []
    with conn.transaction():
        for _ in range(2):  # the same shapes under new ids: an index of the first is wrong
            conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks run: truncatable
            conn.execute("TRUNCATE grid CASCADE")
            gridworld.build(conn)
            keys.append(assign_memory._key(conn))
    assert keys[0] is not None and keys[0] != keys[1]
