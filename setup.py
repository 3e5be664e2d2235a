"""Build hook: the wheel carries the layer catalog and the browser assets inside the package.

`layers/` and `assets/` stay at the top of the checkout, the one copy anyone edits; a build
copies them to `twin/_data/` in the wheel, where `twin.package_data` finds them once installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {"layers": ("*.toml",), "assets": ("*.css", "*.js", "vendor/*")}


class BuildWithData(build_py):
    """build_py, then the shipped folders copied under twin/_data/ (not for editable installs,
    which read them from the checkout)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for folder, patterns in SHIPPED.items():
            target = Path(self.build_lib) / "twin" / "_data" / folder
            shutil.rmtree(target, ignore_errors=True)
            for pattern in patterns:
                for source in sorted((ROOT / folder).glob(pattern)):
                    dest = target / source.relative_to(ROOT / folder)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, dest)


setup(cmdclass={"build_py": BuildWithData})
