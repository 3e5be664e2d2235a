"""A non-editable install works: the wheel carries the layer catalog, the browser assets and the
SQL, and an installed twin runs from any directory with no checkout behind it.

Offline and quick: the wheel is built with this venv's setuptools (no build isolation), and the
throwaway venv borrows this one's dependencies through a .pth file instead of installing them.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from twin.db.cluster import free_port

pytestmark = pytest.mark.install

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "twin", "layers", "assets")
ASSETS = ("twin.css", "twin_map.js", "twin_grid.js", "vendor/plotly-basic.min.js")


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command; its output, or a failure that shows it."""
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """twin's wheel, built from a copy of the checkout (so no build/ is left in it)."""
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheel")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_data")
            shutil.copytree(ROOT / name, src / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, src / name)
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "-q")
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", out, src)
    (built,) = out.glob("twin-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the installed wheel (its dependencies borrowed from this venv)."""
    venv = tmp_path_factory.mktemp("venv")
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    # A plain path line: this venv's packages come after the wheel's, and its editable twin
    # (installed by a .pth hook in that folder) is never loaded.
    (site / "site-packages" / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = (sys.executable, "-m", "pip", "--disable-pip-version-check", "-q")
    # --ignore-installed: without it pip uninstalls this venv's own (editable) twin first,
    # leaving the project's venv with no `twin` after the suite.
    run(*pip, "install", "--no-deps", "--no-compile", "--ignore-installed", "--prefix", venv, wheel)
    assert importlib.metadata.distribution("twin").files, "the project's own twin was removed"
    return venv


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without twin's settings (PYTHONPATH stays: the checks below would see
    a checkout on it, and shifted-clock runs put their sitecustomize there)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("TWIN_")} | extra


def test_the_wheel_carries_layers_assets_and_sql(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    layers = sorted(p.name for p in (ROOT / "layers").glob("*.toml"))
    assert layers and [f"twin/_data/layers/{n}" in names for n in layers] == [True] * len(layers)
    assert {f"twin/_data/assets/{a}" for a in ASSETS} <= names
    migrations = sorted((ROOT / "twin" / "sql" / "migrations").glob("*.sql"))
    assert {f"twin/sql/migrations/{m.name}" for m in migrations} <= names
    assert not any(
        n.startswith(("twin/_data/layers/examples", "layers/", "assets/")) for n in names
    )


def test_an_installed_twin_runs_from_any_directory(
    installed: Path, db_url: str, tmp_path: Path
) -> None:
    python = installed / "bin" / "python"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(TWIN_DATABASE_URL=db_url)
    where = run(
        python,
        "-c",
        "import twin, twin.settings as s, twin.app.server as a;"
        "print(twin.__file__, s.Settings().layers_dir, a.ASSETS, sep='\\n')",
        cwd=elsewhere,
        env=env,
    ).split()
    site = str(installed / "lib")
    assert [w.startswith(site) for w in where] == [True, True, True]  # nothing from the checkout
    layers = len([p for p in (ROOT / "layers").glob("*.toml") if p.name != "plans.toml"])
    said = run(python, "-m", "twin.cli", "layers", "check", cwd=elsewhere, env=env)
    assert said.strip() == f"{layers} layers checked: all match the database"


@pytest.fixture
def served(installed: Path, db_url: str, tmp_path: Path) -> Iterator[str]:
    """The installed twin serving, started from a directory that is not the checkout."""
    port = free_port()
    env = clean_env(TWIN_DATABASE_URL=db_url, TWIN_PORT=str(port))
    proc = subprocess.Popen(
        [installed / "bin" / "python", "-m", "twin.cli", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/_dash-layout").close()
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else "exited"
                assert time.monotonic() < deadline, "the installed twin did not answer in 60 s"
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def test_an_installed_twin_serves_its_own_assets(served: str) -> None:
    for asset in ASSETS:
        with urllib.request.urlopen(f"{served}/assets/{asset}") as r:
            assert r.read() == (ROOT / "assets" / asset).read_bytes(), asset
    with urllib.request.urlopen(served + "/") as r:
        page = r.read().decode()
    bundle = next(s for s in page.split('"') if "/dash_ag_grid/dash_ag_grid" in s)
    with urllib.request.urlopen(served + bundle) as r:
        assert r.status == 200
