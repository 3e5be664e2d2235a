"""`twin hotspots --emerging --step`: the issue's columns plus category and trend; bad options."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pytest

from tests.db.test_cli import twin
from tests.db.test_emerging import NOW, weeks  # noqa: F401 (the fixture)

COLUMNS = ["code", "count", "gi_z", "p_value", "p_fdr", "class", "category", "trend_z", "trend_p"]


@pytest.fixture
def env(conn: psycopg.Connection, weeks: None, db_url: str) -> dict[str, str]:  # noqa: F811
    return {"TWIN_DATABASE_URL": db_url}


def test_emerging_writes_category_and_trend(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "emerging.csv"
    args = ["--emerging", "--window", "90d", "--level", "hex:250", "--now", NOW.isoformat()]
    done = twin("hotspots", *args, "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert "units × 12 steps of 7d" in done.stdout
    table = pd.read_csv(out, keep_default_na=False)
    assert list(table.columns) == COLUMNS
    assert {"new", "persistent"} <= set(table["category"])
    gpkg = tmp_path / "emerging.gpkg"
    daily = ["--emerging", "--step", "1d", "--lags", "1", "--window", "7d"]
    daily += ["--now", NOW.isoformat()]
    assert twin("hotspots", *daily, "--out", str(gpkg), env=env).returncode == 0
    frame = gpd.read_file(gpkg)
    assert list(frame.columns) == [*COLUMNS, "geometry"]
    assert frame["code"].tolist() == ["G1", "G2", "G3", "G4"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--step", "1d"], "--step: only with --emerging"),
        (["--lags", "1"], "--lags: only with --emerging"),
        (["--emerging", "--lags", "-1"], "--lags: '-1'"),
        (["--emerging", "--step", "2w"], "--step: invalid choice"),
        (["--emerging", "--window", "24h", "--step", "1d"], "--step: the window holds 1 step"),
        (["--emerging", "--permutations", "99"], "--permutations: not with --emerging"),
        (["--emerging", "--level", "block"], "--level: 'block'"),
    ],
)
def test_bad_emerging_options_exit_2_naming_the_option(
    env: dict[str, str], tmp_path: Path, args: list[str], message: str
) -> None:
    done = twin(
        "hotspots", *args, "--now", NOW.isoformat(), "--out", str(tmp_path / "x.csv"), env=env
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
