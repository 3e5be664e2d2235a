"""Every `twin` command builds the whole parser: building it must not load what only one
command uses (the hotspot analyses load scipy's statistics and geopandas, half a second)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import twin.cli
print(",".join(sorted(m for m in sys.modules if m.startswith(("twin.hotspots", "scipy.stats")))))
"""


def test_the_parser_loads_no_hotspot_analysis() -> None:
    loaded = (
        subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
        .stdout.strip()
        .split(",")
    )
    assert "twin.hotspots.command" in loaded  # the probe sees what the parser imports
    heavy = {"twin.hotspots.analysis", "twin.hotspots.steps", "twin.hotspots.weights"}
    assert heavy.isdisjoint(loaded)
    assert not any(m.startswith("scipy.stats") for m in loaded)
