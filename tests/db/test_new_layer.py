"""A new point layer takes one TOML file and a load: no code. Fire hydrants, here."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
import shapely

from tests import gridworld
from tests.gridworld import lonlat
from twin.catalog import load_catalog
from twin.catalog.check import check_catalog, check_layer
from twin.export import export_layer
from twin.ingest.load import load_file
from twin.settings import Settings
from twin.store import fetch_grid_statuses

HYDRANT = """
# Fire hydrants (消防栓), counted per grid and drawn by status.
[layer]
name = "hydrant"
table = "hydrant"
kind = "point"
title = { zh = "消防栓", en = "Fire hydrants" }

[[field]]
name = "code"
type = "text"
required = true
title = { zh = "编号", en = "Code" }

[[field]]
name = "status"
type = "enum"
required = true
title = { zh = "状态", en = "Status" }
values = [
  { value = "ok", zh = "正常", en = "OK", color = "#1e8e3e" },
  { value = "low_pressure", zh = "水压不足", en = "Low pressure", color = "#d93025" },
]

[[field]]
name = "pressure_mpa"
type = "float"
title = { zh = "水压（兆帕）", en = "Pressure (MPa)" }

[rollup]
total = "hydrants"
by = ["status"]

[style]
color_by = "status"
popup = ["code", "status", "pressure_mpa"]
icon = "hydrant"
"""


@pytest.fixture
def layers_dir(tmp_path: Path) -> Path:
    target = tmp_path / "layers"
    shutil.copytree(Settings().layers_dir, target)
    (target / "hydrant.toml").write_text(HYDRANT, "utf-8")
    return target


def test_a_hydrant_layer_from_one_toml_file_and_a_load(
    conn: psycopg.Connection, layers_dir: Path, tmp_path: Path
) -> None:
    gridworld.build(conn)
    layers = load_catalog(layers_dir)
    hydrant = layers["hydrant"]
    assert check_layer(conn, hydrant) == [
        "layers/hydrant.toml (hydrant): table 'hydrant' does not exist (a new point layer's "
        "table is created by its first `twin load`)"
    ]
    spots = [(0.5, 0.5, "ok"), (0.6, 0.4, "low_pressure"), (1.5, 1.2, "ok"), (9, 9, "ok")]
    frame = gpd.GeoDataFrame(
        {
            "code": [f"H{i}" for i in range(4)],
            "status": [s for *_, s in spots],
            "pressure_mpa": [0.3, 0.05, 0.32, 0.3],
        },
        geometry=[shapely.Point(*lonlat(x, y)) for x, y, _ in spots],
        crs="EPSG:4326",
    )
    path = tmp_path / "hydrants.geojson"
    frame.to_file(path)
    report = load_file(conn, hydrant, path)
    assert report.created_table and report.inserted == 4
    assert check_catalog(conn, layers) == []
    grids = fetch_grid_statuses(conn).set_index("code")
    assert grids["hydrants"].to_dict() == {"G1": 2, "G2": 0, "G3": 0, "G4": 1}
    assert grids["hydrant_status_low_pressure"].to_dict() == {"G1": 1, "G2": 0, "G3": 0, "G4": 0}
    assert conn.execute("SELECT hydrants FROM grid_stat WHERE grid_id = 0").fetchone() == (1,)
    # It behaves like any layer: moves are reassigned and counted, exports work.
    conn.execute(
        "UPDATE hydrant SET geom = ST_SetSRID(ST_MakePoint(%s, %s), 4326) WHERE code = 'H1'",
        list(lonlat(1.5, 0.5)),
    )
    assert fetch_grid_statuses(conn).set_index("code")["hydrants"]["G2"] == 1
    assert export_layer(conn, hydrant, tmp_path / "out.gpkg") == 4


def test_layers_check_finds_what_differs(conn: psycopg.Connection, layers_dir: Path) -> None:
    layers = load_catalog(layers_dir)
    del layers["hydrant"]
    assert check_catalog(conn, layers) == []
    text = (layers_dir / "camera.toml").read_text("utf-8")
    (layers_dir / "camera.toml").write_text(text.replace('name = "range_m"', 'name = "reach_m"'))
    (layers_dir / "grid.toml").write_text(
        (layers_dir / "grid.toml").read_text("utf-8").replace('type = "int"', 'type = "float"', 1)
    )
    errors = check_catalog(
        conn, {k: v for k, v in load_catalog(layers_dir).items() if k != "hydrant"}
    )
    assert errors == [
        "layers/camera.toml (camera): field 'reach_m': no column 'reach_m' in camera",
        "layers/grid.toml (grid): field 'population' is float but the column is integer",
    ]
