"""Upsert by code, export → load round trips in every format (into a fresh database, compared
column by column in plain SQL), chunked loads, export filters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
from psycopg import sql

from tests import files, gridworld
from tests.conftest import fresh_database
from twin.catalog import Layer
from twin.export import ExportError, build_where, export_layer, fetch_features
from twin.ingest.load import LoadRefused, load_file
from twin.synth.load import load_demo

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
FORMATS = ("gpkg", "geojson", "shp", "csv")
# Compressed: single files gzipped, any format zipped (a bare .zip is a zipped shapefile).
PACKED = ("geojson.gz", "csv.gz", "gpkg.gz", "zip", "gpkg.zip", "geojson.zip", "csv.zip")
LEVELS = ("district", "street", "community", "grid")
ESCALATED = "status = 'escalated'"  # a slice of the incidents keeps the files small


def contents(
    conn: psycopg.Connection, layer: Layer, where: str = "true"
) -> list[tuple[object, ...]]:
    """Every column of the layer's rows, read by plain SQL: the row ids replaced by codes
    (the parent's, the grid's), the geometry as exact EWKB."""
    if layer.kind == "grid":
        stmt = sql.SQL(
            "SELECT t.*, p.code AS parent FROM grid t LEFT JOIN grid p ON p.id = t.parent_id "
            "WHERE t.level = {level} AND {where}"
        ).format(level=sql.Literal(layer.level), where=sql.SQL(where))
    else:
        stmt = sql.SQL(
            "SELECT t.*, g.code AS grid FROM {table} t LEFT JOIN grid g ON g.id = t.grid_id "
            "WHERE {where}"
        ).format(table=sql.Identifier(layer.table), where=sql.SQL(where))
    with conn.cursor() as cur:
        cur.execute(stmt)
        assert cur.description is not None
        names = [d.name for d in cur.description]
        keep = [i for i, n in enumerate(names) if n not in ("id", "parent_id", "grid_id")]
        rows = [tuple(row[i] for i in keep) for row in cur.fetchall()]
    assert rows, f"no rows of {layer.name} to compare"
    return sorted(rows, key=lambda r: str(r[keep.index(names.index("code"))]))


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


@pytest.mark.parametrize("fmt", FORMATS + PACKED)
def test_an_export_loads_into_a_fresh_store_unchanged(
    city: psycopg.Connection,
    layers: dict[str, Layer],
    tmp_path: Path,
    server_url: str,
    template_url: str,
    fmt: str,
) -> None:
    with fresh_database(server_url) as url, psycopg.connect(url, autocommit=True) as fresh:
        for name in (*LEVELS, "camera", "sensor", "incident"):
            layer = layers[name]
            where = ESCALATED if name == "incident" else None
            path = tmp_path / f"{name}.{fmt}"
            n = export_layer(city, layer, path, where=where)
            report = load_file(fresh, layer, path)  # no --crs: the export says or is WGS 84
            assert (report.features, report.inserted, report.updated) == (n, n, 0), name
            sql_where = f"t.{ESCALATED}" if where else "true"
            assert contents(fresh, layer) == contents(city, layer, sql_where), name


def test_a_projected_csv_export_carries_its_crs_to_the_loader(
    city: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    layer = layers["camera"]
    path = tmp_path / "cameras.csv"
    export_layer(city, layer, path, crs="4547")
    assert (tmp_path / "cameras.prj").exists()
    assert path.read_text("utf-8").startswith("x,y,code,")
    where = "SELECT code, ST_X(geom), ST_Y(geom) FROM camera ORDER BY code"
    before = city.execute(where).fetchall()
    report = load_file(city, layer, path)
    assert report.notes == [] and report.updated == len(before)
    after = city.execute(where).fetchall()
    assert [r[0] for r in after] == [r[0] for r in before]
    drift = max(max(abs(a[1] - b[1]), abs(a[2] - b[2])) for a, b in zip(after, before, strict=True))
    assert 0 < drift < 1e-7  # under a centimetre: GK there and back


def test_a_lossy_export_is_caught(
    city: psycopg.Connection,
    layers: dict[str, Layer],
    tmp_path: Path,
    server_url: str,
    template_url: str,
) -> None:
    """The comparison above can fail: a file that drops a column does not load back equal."""
    path = tmp_path / "cameras.geojson"
    export_layer(city, layers["camera"], path)
    frame = gpd.read_file(path).drop(columns=["heading_deg"])
    files.write(frame, path)
    with fresh_database(server_url) as url, psycopg.connect(url, autocommit=True) as fresh:
        for name in LEVELS:
            export_layer(city, layers[name], tmp_path / f"{name}.gpkg")
            load_file(fresh, layers[name], tmp_path / f"{name}.gpkg")
        load_file(fresh, layers["camera"], path)
        assert contents(fresh, layers["camera"]) != contents(city, layers["camera"])


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
    sizes = tmp_path / "sizes"  # a CSV is read in a child process: it writes them down
    original = read.Source.chunks

    def spy(self: read.Source, size: int = 0) -> object:
        for chunk in original(self, read.CHUNK):
            with sizes.open("a") as out:
                out.write(f"{len(chunk.attributes)}\n")
            yield chunk

    monkeypatch.setattr(read.Source, "chunks", spy)
    with pytest.raises(LoadRefused) as err:
        load_file(conn, layers["incident"], path, crs="4326")
    # Read twice: straight into the empty table, whose key then finds the code repeated, and
    # again through the stage, which names the features that repeat it.
    assert sizes.read_text().split() == ["1000", "1000", "500"] * 2
    assert [str(p) for p in err.value.problems] == [
        "feature 7 (code F7): code: duplicate code in the file (features 7, 2401)",
        "feature 2401 (code F7): code: duplicate code in the file (features 7, 2401)",
    ]
    frame.loc[2400, "code"] = "F2401"
    frame.to_csv(path, index=False)
    report = load_file(conn, layers["incident"], path, crs="4326")
    assert report.inserted == 2500 and report.rate > 0
