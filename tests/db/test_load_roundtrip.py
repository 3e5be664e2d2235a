"""Upsert by code, export → load round trips in every format, chunked loads, export filters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from tests import files, gridworld
from twin.catalog import Layer
from twin.export import ExportError, build_where, export_layer, fetch_features
from twin.ingest.load import LoadRefused, load_file
from twin.synth.load import load_demo

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
FORMATS = ("gpkg", "geojson", "shp", "csv")


def snapshot(conn: psycopg.Connection, layer: Layer) -> list[tuple[object, ...]]:
    """Every catalog field and the exact geometry of every feature, plus derived grid ids."""
    frame = fetch_features(conn, layer)
    cols = list(layer.field_names)
    rows = [
        tuple(r)
        for r in frame[cols].astype(object).where(frame[cols].notna(), None).itertuples(index=False)
    ]
    return sorted(
        zip(rows, frame.geometry.to_wkb(hex=True), strict=True), key=lambda r: str(r[0][0])
    )  # type: ignore[arg-type]


def test_reloading_a_corrected_file_updates_instead_of_duplicating(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    gridworld.build(conn)
    frame = files.incidents([(0.5, 0.5), (1.5, 0.5)])
    load_file(conn, layers["incident"], files.write(frame, tmp_path / "a.geojson"))
    frame.loc[0, "category"] = "dispute"
    frame.loc[1, "geometry"] = files.incidents([(0.5, 1.5)]).geometry[0]
    report = load_file(conn, layers["incident"], files.write(frame, tmp_path / "b.geojson"))
    assert (report.inserted, report.updated) == (0, 2)
    rows = conn.execute(
        "SELECT i.code, i.category, g.code FROM incident i "
        "JOIN grid g ON g.id = i.grid_id ORDER BY 1"
    ).fetchall()
    assert rows == [("F1", "dispute", "G1"), ("F2", "sanitation", "G3")]
    counts = conn.execute(
        "SELECT code, incident_category_dispute, incidents FROM grid_stat "
        "JOIN grid ON id = grid_id WHERE level = 'grid' ORDER BY 1"
    ).fetchall()
    assert counts == [("G1", 1, 1), ("G2", 0, 0), ("G3", 0, 1), ("G4", 0, 0)]


def test_a_status_reload_must_follow_the_lifecycle(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    gridworld.build(conn)
    frame = files.incidents([(0.5, 0.5)])
    load_file(conn, layers["incident"], files.write(frame, tmp_path / "a.geojson"))
    frame.loc[0, ["status", "resolved_at", "closed_at"]] = ["closed", *["2026-11-21T08:00:00Z"] * 2]
    with pytest.raises(LoadRefused) as err:
        load_file(conn, layers["incident"], files.write(frame, tmp_path / "b.geojson"))
    assert str(err.value.problems[0]) == (
        "file: database: incident F1: status cannot move from reported to closed "
        "(from reported it may move to: dispatched, escalated)"
    )
    assert conn.execute("SELECT status FROM incident").fetchone() == ("reported",)


@pytest.fixture
def city(conn: psycopg.Connection) -> psycopg.Connection:
    load_demo(conn, "small", seed=5, now=NOW)
    return conn


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("layer_name", ["grid", "incident", "camera"])
def test_export_then_load_changes_nothing(
    city: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path, fmt: str, layer_name: str
) -> None:
    layer = layers[layer_name]
    where = "status = 'escalated'" if layer_name == "incident" else None  # keep files small
    before = snapshot(city, layer)
    path = tmp_path / f"{layer_name}.{fmt}"
    n = export_layer(city, layer, path, where=where)
    assert n > 0
    report = load_file(city, layer, path, crs="4326" if fmt == "csv" else None)
    assert (report.inserted, report.updated) == (0, n)
    assert snapshot(city, layer) == before


def test_grid_exports_carry_status_columns(
    city: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = fetch_features(city, layers["grid"])
    sql_open = dict(
        city.execute(
            "SELECT g.code, s.open FROM grid g JOIN grid_stat s "
            "ON s.grid_id = g.id WHERE g.level = 'grid'"
        ).fetchall()
    )
    assert dict(zip(frame["code"], frame["open"], strict=True)) == sql_open
    assert {"overdue", "composite", "incident_category_dispute"} <= set(frame.columns)


def test_export_where_and_crs(
    city: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    layer = layers["incident"]
    frame = fetch_features(city, layer, "status IN (reported, escalated) AND severity = 1")
    expected = city.execute(
        "SELECT count(*) FROM incident WHERE status IN ('reported', 'escalated') AND severity = 1"
    ).fetchone()
    assert expected is not None and len(frame) == expected[0]
    assert set(frame["status"]) <= {"reported", "escalated"}
    path = tmp_path / "gk.gpkg"
    export_layer(city, layer, path, crs="4547", where="status = 'escalated'")
    import pyogrio

    assert pyogrio.read_info(path)["crs"] == "EPSG:4547"
    for bad, message in (
        ("grid_id = 3", "not a field"),
        ("status; drop table", "cannot read"),
        ("1 = 1", "cannot read"),
    ):
        with pytest.raises(ExportError, match=message):
            build_where(layer, bad)


def test_chunks_are_bounded_and_duplicates_found_across_them(
    conn: psycopg.Connection,
    layers: dict[str, Layer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import twin.ingest.read as read

    monkeypatch.setattr(read, "CHUNK", 1000)
    gridworld.build(conn)
    frame = files.incidents([(0.1 + (i % 17) / 10, 0.1 + (i % 13) / 10) for i in range(2500)])
    frame.loc[2400, "code"] = "F7"  # repeats a code of the first chunk
    frame = frame.drop(columns="geometry").assign(lon=frame.geometry.x, lat=frame.geometry.y)
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    seen = []
    original = read.Source.chunks

    def spy(self: read.Source, size: int = 0) -> object:
        for chunk in original(self, read.CHUNK):
            seen.append(len(chunk.attributes))
            yield chunk

    monkeypatch.setattr(read.Source, "chunks", spy)
    with pytest.raises(LoadRefused) as err:
        load_file(conn, layers["incident"], path, crs="4326")
    assert seen == [1000, 1000, 500]
    assert [str(p) for p in err.value.problems] == [
        "feature 7 (code F7): code: duplicate code in the file (features 7, 2401)",
        "feature 2401 (code F7): code: duplicate code in the file (features 7, 2401)",
    ]
    frame.loc[2400, "code"] = "F2401"
    frame.to_csv(path, index=False)
    report = load_file(conn, layers["incident"], path, crs="4326")
    assert report.inserted == 2500 and report.rate > 0
