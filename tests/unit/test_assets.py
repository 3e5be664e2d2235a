"""What the browser is served from assets/: the vendored chart library matches plotly's."""

from __future__ import annotations

import re
from pathlib import Path

import plotly

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def version(path: Path) -> str:
    """The plotly.js version in a bundle's banner."""
    found = re.search(r"plotly\.js .*?v(\d+\.\d+\.\d+)", path.read_text("utf-8")[:400])
    assert found, f"no plotly.js banner in {path}"
    return found.group(1)


def test_the_basic_bundle_is_the_plotly_js_that_plotly_py_ships() -> None:
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert version(ASSETS / "vendor" / "plotly-basic.min.js") == version(shipped)
    assert (ASSETS / "vendor" / "plotly-basic.LICENSE").read_text().startswith("MIT License")


def test_assets_name_no_outside_host() -> None:
    for path in [ASSETS / "twin.css", *sorted(ASSETS.glob("*.js"))]:  # every script of ours
        assert not re.search(r"https?://|//[a-z]", path.read_text("utf-8")), path


def test_no_module_uses_the_deprecated_dash_table() -> None:
    package = Path(__file__).resolve().parents[2] / "twin"
    users = [p for p in package.rglob("*.py") if re.search(r"\bdash_table\b", p.read_text("utf-8"))]
    assert users == []
