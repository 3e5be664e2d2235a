"""The README's planner's walk-through (new plan → export for QGIS → import → check → impact
→ review → publish → history → rollback), run as written after the planner example."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import psycopg

from tests.db.test_examples import ROOT, readme_block

REDRAWN = ("420102001001001", "420102001001002")


def run_block(marker: str, cwd: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    """One README block under `set -e`, in cwd, against the test database."""
    return subprocess.run(
        ["bash", "-c", "set -e\n" + readme_block(marker)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=os.environ | {"TWIN_DATABASE_URL": db_url},
        check=False,
    )


def outlines(db_url: str) -> dict[str, tuple[float, int]]:
    """The two redrawn grids' area (m², rounded) and households in force."""
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT code, round(ST_Area(geom::geography)), households FROM grid"
            " WHERE code = ANY(%s)",
            [list(REDRAWN)],
        ).fetchall()
    return {code: (float(area), households) for code, area, households in rows}


def test_the_readme_walkthrough_runs_as_written(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "layers").symlink_to(ROOT / "layers")
    loaded = run_block("planner-example", tmp_path, db_url)
    assert loaded.returncode == 0, loaded.stderr
    before = outlines(db_url)
    done = run_block("planner-walkthrough", tmp_path, db_url)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert "(grid): 0 added, 2 changed, 0 removed" in done.stdout
    assert "plan kangcheng-east: no problem" in done.stdout
    with open(tmp_path / "kangcheng-impact.csv", encoding="utf-8") as fh:
        impact = {r["code"]: r for r in csv.DictReader(fh)}
    assert set(REDRAWN) <= set(impact)
    assert impact[REDRAWN[0]]["households_before"] == str(before[REDRAWN[0]][1])
    assert impact[REDRAWN[0]]["households_after"] == "250"
    assert impact[REDRAWN[1]]["households_after"] == "498"
    assert (tmp_path / "kangcheng.gpkg").stat().st_size > 0
    with psycopg.connect(db_url) as conn:
        kinds = conn.execute("SELECT kind, plan_name FROM grid_version ORDER BY version").fetchall()
        state = conn.execute("SELECT state FROM grid_plan WHERE name = 'kangcheng-east'").fetchone()
    assert [k for k, _ in kinds[-2:]] == ["plan", "rollback"]
    assert kinds[-2][1] == "kangcheng-east"
    assert state == ("published",)
    assert outlines(db_url) == before  # the rollback put the old map back
    with psycopg.connect(db_url) as conn:
        published = conn.execute(
            "SELECT h.code, round(ST_Area(h.geom::geography)), h.households FROM grid_history h"
            " JOIN grid_version v ON v.version = h.version_from"
            " WHERE v.plan_name = 'kangcheng-east' AND h.code = ANY(%s) ORDER BY h.code",
            [list(REDRAWN)],
        ).fetchall()
    (a, area_a, hh_a), (b, area_b, hh_b) = published
    assert float(area_a) < before[a][0] and float(area_b) > before[b][0]
    assert (hh_a, hh_b) == (250, 498)
    assert "reshaped" in done.stdout  # the unit's history after the publish
