"""parent_code is optional at every level: the loader derives each missing parent by
containment, refuses a unit no parent holds at least 99 % of (naming it), and leaves units
directly under the city when no level above is loaded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
import shapely

from tests import files, shapes
from tests.gridworld import lonlat
from twin.catalog import Layer
from twin.export import export_layer
from twin.ingest.load import LoadRefused, load_file
from twin.synth.load import load_demo


def parents(conn: psycopg.Connection, level: str) -> dict[str, str | None]:
    rows = conn.execute(
        "SELECT g.code, p.code FROM grid g LEFT JOIN grid p ON p.id = g.parent_id"
        " WHERE g.level = %s",
        [level],
    ).fetchall()
    return dict(rows)


def refused(conn: psycopg.Connection, layer: Layer, path: Path) -> list[str]:
    with pytest.raises(LoadRefused) as err:
        load_file(conn, layer, path)
    return [str(p) for p in err.value.problems]


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return shapely.box(*lonlat(x0, y0), *lonlat(x1, y1))


def test_a_grid_file_without_parent_codes_finds_its_community(
    conn: psycopg.Connection, world: dict[str, int], layers: dict[str, Layer], tmp_path: Path
) -> None:
    conn.execute("DELETE FROM grid WHERE level = 'grid'")
    frame = files.grid_frame().drop(columns="parent_code")
    report = load_file(conn, layers["grid"], files.write(frame, tmp_path / "g.geojson"))
    assert report.inserted == 4
    assert parents(conn, "grid") == {"G1": "C", "G2": "C", "G3": "C", "G4": "C"}
    assert report.notes == [
        "4 unit(s) without a parent_code placed by containment: 4 under a community"
    ]


def test_empty_parent_codes_are_derived_beside_given_ones(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    load_file(conn, layers["community"], shapes.level_file("community", tmp_path / "c.geojson"))
    frame = files.grid_frame()
    frame["parent_code"] = [None, "", "CW", None]  # G3 lies in CW: named, and right
    load_file(conn, layers["grid"], files.write(frame, tmp_path / "g.geojson"))
    assert parents(conn, "grid") == {"G1": "CW", "G2": "CE", "G3": "CW", "G4": "CE"}


def test_a_unit_no_parent_holds_is_refused_by_name_and_nothing_is_written(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    load_file(conn, layers["community"], shapes.level_file("community", tmp_path / "c.geojson"))
    frame = files.grid_frame(["G1", "G2", "G3"]).drop(columns="parent_code")
    frame.loc[0, "geometry"] = box(0.3, 0, 1.3, 1)  # 70 % in CW, 30 % in CE
    frame.loc[1, "geometry"] = box(5, 5, 6, 6)  # in no community at all
    frame.loc[2, "geometry"] = box(0, 1, 1.005, 2)  # 99.5 % in CW: held, and taken
    problems = refused(conn, layers["grid"], files.write(frame, tmp_path / "g.geojson"))
    assert problems == [
        "feature 1 (code G1): parent_code: no parent holds 99% of it: the most is 70.0%,"
        " by community CW; give its parent_code",
        "feature 2 (code G2): parent_code: lies in no community; give its parent_code",
    ]
    assert conn.execute("SELECT count(*) FROM grid WHERE level = 'grid'").fetchone() == (0,)


def test_a_unit_takes_the_nearest_level_above_that_holds_it(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    """A district everywhere, communities over the west half only: east grids go under
    the district, west grids under their community."""
    load_file(conn, layers["district"], shapes.level_file("district", tmp_path / "d.geojson"))
    west = shapes.level_file("community", tmp_path / "c.geojson")
    communities = gpd.read_file(west)
    communities = communities[communities["code"] == "CW"]
    load_file(conn, layers["community"], files.write(communities, tmp_path / "cw.geojson"))
    grids = files.grid_frame().drop(columns="parent_code")
    load_file(conn, layers["grid"], files.write(grids, tmp_path / "g.geojson"))
    assert parents(conn, "community") == {"CW": "DW"}
    assert parents(conn, "grid") == {"G1": "CW", "G2": "DE", "G3": "CW", "G4": "DE"}


def test_the_demo_city_reloaded_without_parent_codes_keeps_its_hierarchy(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    load_demo(conn, "small")
    before = conn.execute("SELECT code, parent_id FROM grid ORDER BY code").fetchall()
    for level in ("street", "community", "grid"):
        out = tmp_path / f"{level}.gpkg"
        export_layer(conn, layers[level], out)
        frame = gpd.read_file(out)
        frame = frame[[f for f in layers[level].field_names if f != "parent_code"] + ["geometry"]]
        report = load_file(conn, layers[level], files.write(frame, tmp_path / f"{level}-bare.gpkg"))
        assert report.updated == len(frame)
    assert conn.execute("SELECT code, parent_id FROM grid ORDER BY code").fetchall() == before


def test_the_command_line_says_how_parents_were_found(
    db_url: str, conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    load_file(conn, layers["community"], shapes.level_file("community", tmp_path / "c.geojson"))
    path = files.write(files.grid_frame().drop(columns="parent_code"), tmp_path / "g.geojson")
    loaded = subprocess.run(
        [sys.executable, "-m", "twin.cli", "load", "grid", str(path)],
        env=os.environ | {"TWIN_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "note: 4 unit(s) without a parent_code placed by containment: 4 under a community\n" in (
        loaded.stdout
    )
