"""Where the layer catalog and the browser assets are: inside the installed package, or in the
checkout (an editable install or a source tree), whose top-level folders are the originals."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

CHECKOUT = Path(__file__).resolve().parents[1]


def data_dir(name: Literal["layers", "assets"]) -> Path:
    """The folder of layer TOML files or of browser assets that this twin runs with."""
    installed = Path(str(files("twin"))) / "_data" / name  # written by setup.py's build hook
    return installed if installed.is_dir() else CHECKOUT / name
