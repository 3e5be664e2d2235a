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
from twin.changes import fetch_change_clock, fetch_changed_units
from twin.ingest import bulk, csv_parts, direct, indexes
from twin.ingest.load import LoadRefused, LoadReport, load_file
from twin.ingest.read import Source

REAL_STAGE = bulk.create_point_stage


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


def test_a_load_counted_once_at_its_end_notes_every_unit_it_counted(
    conn: psycopg.Connection,
    load: Callable[[Path], LoadReport],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import twin.ingest.read as read

    monkeypatch.setattr(read, "CHUNK", 40)  # several chunks, each once its own COPY
    before = fetch_change_clock(conn).version
    load(csv(tmp_path / "a.csv", spots()))
    counted = {
        int(r[0]) for r in conn.execute("SELECT grid_id FROM grid_stat WHERE incidents <> 0")
    }
    assert len(counted) > 4
    assert fetch_change_clock(conn).version == before + 1  # one version for the whole load
    assert fetch_changed_units(conn, before) >= counted


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


@pytest.fixture
def cut_small(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Any CSV is cut in two and read in chunks of 7; how many parts each load cut."""
    import twin.ingest.read as read

    monkeypatch.setattr(csv_parts, "SPLIT_FROM", 0)
    monkeypatch.setattr(csv_parts, "room_for_a_second_reader", lambda: True)
    monkeypatch.setattr(read, "CHUNK", 7)
    cuts: list[int] = []
    original = csv_parts.split

    def spy(source: Source) -> list[csv_parts.Part]:
        parts = original(source)
        cuts.append(len(parts))
        return parts

    monkeypatch.setattr(csv_parts, "split", spy)
    return cuts


def same_by_stage(
    conn: psycopg.Connection,
    load: Callable[[Path], LoadReport],
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Load the file (into the empty table), then again through the stage: the same rows."""
    load(path)
    rows, stored = dump(conn), counts(conn)
    conn.execute("DELETE FROM incident")
    monkeypatch.setattr(bulk, "create_point_stage", REAL_STAGE)
    staged_only(monkeypatch)
    load(path)
    assert dump(conn) == rows and counts(conn) == stored


def test_a_file_cut_in_two_stores_what_the_stage_stores(
    conn: psycopg.Connection,
    load: Callable[[Path], LoadReport],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cut_small: list[int],
) -> None:
    path = csv(tmp_path / "a.csv", spots())
    path.write_bytes(path.read_bytes().rstrip(b"\n"))  # the last row without a line break
    monkeypatch.setattr(bulk, "create_point_stage", refused := StageSpy())
    same_by_stage(conn, load, path, monkeypatch)
    assert cut_small == [2] and refused.calls == 0


@pytest.mark.parametrize("where", ["at the cut", "before it"])
def test_a_field_holding_a_line_break_hands_a_cut_file_to_the_stage(
    conn: psycopg.Connection,
    load: Callable[[Path], LoadReport],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cut_small: list[int],
    where: str,
) -> None:
    points = spots()[:40]
    long = "长" * 4000 if where == "at the cut" else "短"
    frame = files.incidents(points)
    frame["description"] = frame["code"]
    frame.loc[2 if where == "before it" else 20, "description"] = f"{long}\n{long}"
    frame = frame.drop(columns="geometry").assign(lon=frame.geometry.x, lat=frame.geometry.y)
    frame.to_csv(path := tmp_path / "a.csv", index=False)
    monkeypatch.setattr(bulk, "create_point_stage", staged := StageSpy(real=REAL_STAGE))
    same_by_stage(conn, load, path, monkeypatch)
    assert cut_small == [2] and staged.calls == 1  # handed over
    assert conn.execute(
        "SELECT count(*) FROM incident WHERE description = %s", [f"{long}\n{long}"]
    ).fetchone() == (1,)


class StageSpy:
    """Counts the stages made; makes them when given the real function, else refuses."""

    def __init__(self, real: Callable[..., None] | None = None) -> None:
        self.real, self.calls = real, 0

    def __call__(self, *args: object) -> None:
        self.calls += 1
        if self.real is None:
            raise AssertionError("the load staged its rows")
        self.real(*args)
