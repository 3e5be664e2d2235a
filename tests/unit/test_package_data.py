"""Where twin finds its layer catalog, assets and data when run from a checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.app.server import ASSETS
from twin.cli import say_data_dir
from twin.package_data import data_dir
from twin.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_runs_with_its_own_layers_and_assets() -> None:
    # The installed branch is proven by tests/db/test_install.py on a built wheel.
    assert (data_dir("layers"), data_dir("assets")) == (ROOT / "layers", ROOT / "assets")
    assert (Settings().layers_dir, ASSETS) == (ROOT / "layers", ROOT / "assets")


def test_the_embedded_clusters_data_dir_is_said_in_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    say_data_dir(Settings(pgdata=Path(".twin/pg")))
    assert capsys.readouterr().out == f"embedded PostGIS data: {tmp_path}/.twin/pg (TWIN_PGDATA)\n"
    say_data_dir(Settings(database_url="postgresql://x@127.0.0.1/x"))
    assert capsys.readouterr().out == ""  # a server twin does not manage keeps its data itself
