"""`twin hotspots` end to end: files in three formats, bad options exit 2 naming the option."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pytest

from tests.db.test_cli import twin
from tests.db.test_hotspots import NOW, incident

COLUMNS = ["code", "count", "gi_z", "p_value", "p_fdr", "class"]


@pytest.fixture
def env(conn: psycopg.Connection, world: dict[str, int], db_url: str) -> dict[str, str]:
    incident(conn, "A", 0.2, 0.2, timedelta(days=1), category="dispute")
    incident(conn, "B", 0.3, 0.2, timedelta(days=2), category="dispute")
    incident(conn, "C", 1.5, 1.2, timedelta(days=3), category="sanitation")
    incident(conn, "D", 0.5, 0.5, timedelta(days=50), category="dispute")
    return {"TWIN_DATABASE_URL": db_url}


def test_writes_csv_gpkg_and_geojson_with_the_issue_columns(
    env: dict[str, str], tmp_path: Path
) -> None:
    now = ["--now", NOW.isoformat()]
    out = tmp_path / "hot.csv"
    done = twin("hotspots", *now, "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert "4 units (grid, queen)" in done.stdout
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == COLUMNS
    assert dict(zip(table["code"], table["count"], strict=True)) == {
        "G1": 2,
        "G2": 0,
        "G3": 0,
        "G4": 1,
    }
    gpkg = tmp_path / "hot.gpkg"
    args = ["--category", "dispute", "--window", "all", "--level", "hex:400", "--weights", "knn:3"]
    assert twin("hotspots", *now, *args, "--out", str(gpkg), env=env).returncode == 0
    frame = gpd.read_file(gpkg)
    assert list(frame.columns) == [*COLUMNS, "geometry"]
    assert int(frame["count"].sum()) == 3
    assert frame.crs.to_epsg() == 4326
    geojson = tmp_path / "hot.geojson"
    done = twin("hotspots", *now, "--level", "district", "--out", str(geojson), env=env)
    assert done.returncode == 0, done.stderr
    assert "1 islands without neighbours (no class): D" in done.stdout
    feature = json.loads(geojson.read_text())["features"][0]
    assert feature["properties"]["class"] == "" and feature["properties"]["count"] == 3


def test_permutations_give_a_seeded_pseudo_p(env: dict[str, str], tmp_path: Path) -> None:
    args = ["hotspots", "--now", NOW.isoformat(), "--permutations", "99", "--seed", "4"]
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert twin(*args, "--out", str(first), env=env).returncode == 0
    assert twin(*args, "--out", str(second), env=env).returncode == 0
    assert first.read_text() == second.read_text()
    p = pd.read_csv(first)["p_value"]
    assert ((p * 100).round(6) % 2 == 0).all()  # 2·(k+1)/100: multiples of 0.02 (or 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--weights", "rook"], "argument --weights: weights 'rook'"),
        (["--window", "5d"], "argument --window: '5d'"),
        (["--level", "hex:1"], "argument --level: 'hex:1'"),
        (["--permutations", "-3"], "argument --permutations: '-3'"),
        (["--severity", "x"], "argument --severity"),
        (["--level", "block"], "twin: error: --level: 'block'"),
        (["--category", "arson"], "twin: error: --category: 'arson'"),
        (["--layer", "grid"], "twin: error: --layer: 'grid'"),
        (["--layer", "sensor", "--category", "smoke"], "twin: error: --category: layer 'sensor'"),
    ],
)
def test_bad_options_exit_2_naming_the_option(
    env: dict[str, str], tmp_path: Path, args: list[str], message: str
) -> None:
    done = twin("hotspots", *args, "--out", str(tmp_path / "x.csv"), env=env)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_out_is_required_and_must_be_a_known_format(env: dict[str, str], tmp_path: Path) -> None:
    assert "the following arguments are required: --out" in twin("hotspots", env=env).stderr
    done = twin("hotspots", "--out", str(tmp_path / "x.shp"), env=env)
    assert done.returncode == 2
    assert "argument --out" in done.stderr
