"""The README's planner example, run exactly as written, on the shipped example files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]


def readme_block(marker: str) -> str:
    """The sh block after the README's comment `<!-- MARKER`, its twin run by this Python."""
    text = (ROOT / "README.md").read_text("utf-8")
    block = text.split(f"<!-- {marker}")[1].split("```sh")[1].split("```")[0]
    return block.replace(".venv/bin/twin", f"{sys.executable} -m twin.cli")


def readme_commands() -> str:
    return readme_block("planner-example")


def test_the_readme_example_loads_the_shipped_files(db_url: str) -> None:
    script = "set -e\n" + readme_commands()
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ | {"TWIN_DATABASE_URL": db_url},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(re.findall(r"features from", done.stdout)) == 5
    with psycopg.connect(db_url) as conn:
        levels = dict(conn.execute("SELECT level, count(*) FROM grid GROUP BY 1").fetchall())
        assert levels == {"district": 1, "street": 2, "community": 4, "grid": 12}
        unassigned, total, sanitation = conn.execute(
            "SELECT (SELECT incidents FROM grid_stat WHERE grid_id = 0), count(*),"
            " count(*) FILTER (WHERE category = 'sanitation') FROM incident"
        ).fetchone()  # type: ignore[misc]
        assert (unassigned, total) == (0, 36) and sanitation > 0
        officer = conn.execute("SELECT officer FROM grid WHERE level = 'grid' LIMIT 1").fetchone()
        assert officer and officer[0]
