"""A new point layer takes one TOML file and a load: no code. Fire hydrants, here."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geobuf
import geopandas as gpd
import psycopg
import pytest
import shapely
from dash import Dash, html

from tests import gridworld
from tests.app.test_server import call, find
from tests.gridworld import lonlat
from twin.app import ids
from twin.app.pages import control_options
from twin.app.server import create_app
from twin.app.unit_page import devices as unit_devices
from twin.app.views import CatalogText, point_rows
from twin.catalog import Layer, load_catalog
from twin.catalog.check import check_catalog, check_layer
from twin.catalog.terms import Terms
from twin.db.connect import open_pool
from twin.export import export_layer
from twin.ingest.load import load_file
from twin.settings import Settings
from twin.store import fetch_grid_detail, fetch_grid_statuses

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
  { value = "low_pressure", zh = "低压", en = "Low pressure", color = "#d93025", attention = true },
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


def load_hydrants(conn: psycopg.Connection, hydrant: Layer, tmp_path: Path) -> None:
    """Four hydrants: two in G1 (one low on pressure), one in G4, one outside every grid."""
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
    load_hydrants(conn, hydrant, tmp_path)
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


@pytest.fixture
def hydrant_app(
    db_url: str, conn: psycopg.Connection, layers_dir: Path, tmp_path: Path
) -> Iterator[Dash]:
    """The dashboard over the grid world and its hydrants, the catalog read from layers_dir."""
    gridworld.build(conn)
    load_hydrants(conn, load_catalog(layers_dir)["hydrant"], tmp_path)
    pool = open_pool(db_url, 2)
    try:
        yield create_app(Settings(lang="en", layers_dir=layers_dir, refresh_seconds=1), pool)
    finally:
        pool.close()


def codes(response: Any) -> list[str]:
    """The point codes of a /twin/points response."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(f["properties"]["code"] for f in geobuf.decode(response.data)["features"])


def test_a_layer_only_its_toml_defines_is_on_the_map_with_its_tooltips(
    hydrant_app: Dash, layers_dir: Path
) -> None:
    client = hydrant_app.server.test_client()
    layout = client.get("/_dash-layout").get_json()
    assert find(layout, ids.points("hydrant")) is not None  # a map layer of its own
    # City-wide only what needs attention (the catalog marks low pressure so); in a unit, all.
    assert codes(client.get("/twin/points/hydrant.pbf")) == ["H1"]
    assert codes(client.get("/twin/points/hydrant.pbf?unit=G1")) == ["H0", "H1"]
    state = {"mode": "unit", "lang": "en", "unit": "G1"}
    got = call(
        hydrant_app,
        f"{ids.points('hydrant')}.url",
        {"layers.value": ["hydrant"]} | {"state.data": state},
    ).get_json()["response"]
    assert got[ids.points("hydrant")]["url"] == "/twin/points/hydrant.pbf?unit=G1"
    tooltip = got[ids.points("hydrant")]["hideout"]
    status = next(f for f in tooltip["fields"] if f["name"] == "status")
    assert status["labels"] == {"ok": "OK", "low_pressure": "Low pressure"}
    assert [f["title"] for f in tooltip["fields"]] == ["Status", "Pressure (MPa)"]
    assert tooltip["colours"] == {"ok": "#1e8e3e", "low_pressure": "#d93025"}
    # The layer control offers it, titled from the TOML.
    options = control_options((), CatalogText(load_catalog(layers_dir)), "en")[2]
    assert {"label": "Fire hydrants", "value": "hydrant"} in options


def test_a_layer_only_its_toml_defines_is_in_the_drill_down_and_the_exports(
    conn: psycopg.Connection, layers_dir: Path, tmp_path: Path
) -> None:
    gridworld.build(conn)
    layers = load_catalog(layers_dir)
    load_hydrants(conn, layers["hydrant"], tmp_path)
    terms = Terms.of(layers)
    assert terms.device_layers == ("camera", "hydrant", "sensor")
    devices = [layers[d] for d in terms.device_layers]
    detail = fetch_grid_detail(conn, "D", devices=devices)  # a district: every level below
    found = detail.devices["hydrant"]
    assert [r["code"] for r in found] == ["H1", "H0", "H2"]  # low pressure first, then by code
    assert list(found[0]) == ["code", "status", "pressure_mpa", "lon", "lat"]
    text = CatalogText(layers)
    rows = point_rows(found, layers["hydrant"], text, "en", "Asia/Shanghai")
    assert [(r["code"], r["status"], r["pressure_mpa"]) for r in rows] == [
        ("H1", "Low pressure", "0.05"),
        ("H0", "OK", "0.3"),
        ("H2", "OK", "0.32"),
    ]
    blocks = unit_devices(detail, text, "en", "UTC")
    headings = [b.children for b in blocks if isinstance(b, html.H3)]
    assert headings == ["Cameras (0)", "Fire hydrants (3)", "Sensors (0)"]
    # Exports: the grids carry its counts, in every format (a Shapefile too).
    export_layer(conn, layers["grid"], tmp_path / "grids.gpkg")
    grids = gpd.read_file(tmp_path / "grids.gpkg").set_index("code")
    assert grids["hydrants"].to_dict() == {"G1": 2, "G2": 0, "G3": 0, "G4": 1}
    assert grids["hydrant_status_low_pressure"].to_dict()["G1"] == 1
    export_layer(conn, layers["grid"], tmp_path / "grids.shp")
    assert gpd.read_file(tmp_path / "grids.shp").set_index("code")["hydrants"]["G1"] == 2


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
