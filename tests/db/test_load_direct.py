"""A point file loaded straight into its empty table stores exactly what the staged path
stores (every column of every row, each point's unit, the counts), and anything that path
cannot load as the stage would is handed over to it, leaving nothing of its own."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tests import files
from tests.db.test_assign_memory import LINES, NUDGES
from tests.db.test_load_pinned import dump
from twin.catalog import Layer
from twin.ingest import bulk, direct, indexes
from twin.ingest.load import LoadRefused, LoadReport, load_file


def spots() -> list[tuple[float, float]]:
    """Points on and near the grid world's edges, vertices and hole, inside and outside."""
    lines = [v + d for v in LINES for d in NUDGES]
    inner = [(0.3, 0.4), (1.7, 0.2), (0.5, 1.5), (1.5, 1.5), (1.9, 1.9)]
    outside = [(-0.5, 0.5), (2.5, 2.5), (1.0, -1e-9)]
    return [*itertools.product(lines[::3], lines[1::4]), *inner, *outside]


def csv(path: Path, points: list[tuple[float, float]], **overrides: object) -> Path:
    """Incidents at cell coordinates as a lon/lat CSV."""
    frame = files.incidents(points, **overrides)
    frame = frame.drop(columns="geometry").assign(lon=frame.geometry.x, lat=frame.geometry.y)
    frame.to_csv(path, index=False)
    return path


def counts(conn: psycopg.Connection) -> list[tuple[object, ...]]:
    """Every unit's stored counts."""
    return conn.execute("SELECT grid_id, counts FROM grid_stat ORDER BY grid_id").fetchall()


@pytest.fixture
def load(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer]
) -> Callable[[Path], LoadReport]:
    """Load a file into the grid world's incidents."""
    return lambda path: load_file(conn, layers["incident"], path)


def staged_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loads from here on go through the stage."""
    monkeypatch.setattr(direct, "load", lambda *args: None)


def test_an_empty_table_is_loaded_without_a_stage(
    conn: psycopg.Connection,
    load: Callable[[Path], LoadReport],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_stage(*args: object) -> None:
        raise AssertionError("the load staged its rows")

    monkeypatch.setattr(bulk, "create_point_stage", no_stage)
    report = load(csv(tmp_path / "a.csv", spots()))
    assert report.inserted == len(spots()) and report.updated == 0
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (len(spots()),)


def test_the_direct_path_stores_what_the_stage_stores(
    conn: psycopg.Connection,
    load: Callable[[Path], LoadReport],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = csv(tmp_path / "a.csv", spots())
    load(path)
    straight, straight_counts = dump(conn), counts(conn)
    assert any(row["grid"] is None for row in straight)  # some fall outside every unit
    assert len({row["grid"] for row in straight}) > 4  # and the others in several
    conn.execute("DELETE FROM incident")
    staged_only(monkeypatch)
    load(path)
    assert dump(conn) == straight
    assert counts(conn) == straight_counts


def test_a_problem_in_a_later_chunk_refuses_the_file_as_the_stage_does(
    conn: psycopg.Connection,
    load: Callable[[Path], LoadReport],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import twin.ingest.read as read

    monkeypatch.setattr(read, "CHUNK", 50)
    points = spots()[:120]
    path = csv(tmp_path / "a.csv", points)
    text = path.read_text("utf-8").splitlines()
    text[101] = text[101].replace(",3,", ",nine,", 1)  # feature 101's severity
    path.write_text("\n".join(text) + "\n", "utf-8")
    before = sorted(indexes.secondary_indexes(conn, "incident"), key=str)
    with pytest.raises(LoadRefused) as err:
        load(path)
    staged_only(monkeypatch)
    with pytest.raises(LoadRefused) as by_stage:
        load(path)
    assert [str(p) for p in err.value.problems] == [str(p) for p in by_stage.value.problems]
    assert [p.feature for p in err.value.problems] == [101]
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (0,)
    assert sorted(indexes.secondary_indexes(conn, "incident"), key=str) == before


def test_a_table_that_holds_rows_is_loaded_through_the_stage(
    conn: psycopg.Connection,
    load: Callable[[Path], LoadReport],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load(csv(tmp_path / "a.csv", spots()[:3]))
    called = []
    monkeypatch.setattr(direct, "_copy_in", lambda *args: called.append(1))
    report = load(csv(tmp_path / "b.csv", spots()[:5]))
    assert called == [] and (report.inserted, report.updated) == (2, 3)
