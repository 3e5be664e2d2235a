"""The README's curl examples of the API and Open311, run as written against a served test
city (only the address changes), each a success, and their effects in the store."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import psycopg
from dash import Dash

from tests.app.live import served
from tests.app.test_api_cases import png
from tests.gridworld import point

README = Path(__file__).resolve().parents[2] / "README.md"
ADDRESS = "http://127.0.0.1:8050"


def examples() -> list[str]:
    """The curl lines of the README's API section."""
    text = README.read_text("utf-8")
    section = text.split("## The HTTP API and Open311", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "the API section has no sh block"
    return [line for line in block.group(1).splitlines() if line.startswith("curl ")]


def test_readme_curl_examples_run_as_written(
    app: Dash, conn: psycopg.Connection, tmp_path: Path
) -> None:
    conn.execute(
        "INSERT INTO sensor (code, kind, geom) VALUES ('SMOKE-7', 'smoke', %s)", [point(0.5, 0.5)]
    )
    conn.execute(
        "INSERT INTO camera (code, name, status, geom) VALUES ('CAM-3', 'gate', 'offline', %s)",
        [point(0.5, 0.5)],
    )
    (tmp_path / "gate.png").write_bytes(png(2, 2))
    lines = examples()
    assert len(lines) >= 10
    with served(app) as url:
        for line in lines:
            assert ADDRESS in line, line
            done = subprocess.run(
                ["bash", "-c", line.replace(ADDRESS, url)],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=30,
            )
            assert done.returncode == 0, (line, done.stdout, done.stderr)
    case = conn.execute("SELECT status, source FROM incident WHERE code = 'HL-0042'").fetchone()
    assert case == ("resolved", "hotline")
    assert conn.execute("SELECT status FROM sensor WHERE code = 'SMOKE-7'").fetchone() == ("alarm",)
    assert conn.execute("SELECT status FROM camera WHERE code = 'CAM-3'").fetchone() == ("online",)
    photos = conn.execute("SELECT count(*) FROM incident_photo").fetchone()
    assert photos == (1,)
    filed = conn.execute("SELECT count(*) FROM incident WHERE category = 'city_management'")
    assert filed.fetchone() == (1,)
