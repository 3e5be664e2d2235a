"""The `twin` command end to end, as a user runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta

from twin.app.launch import twin_serve


def twin(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twin.cli", *args],
        env=os.environ | env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_demo_loads_once_and_again_only_when_asked(db_url: str) -> None:
    env = {"TWIN_DATABASE_URL": db_url}
    first = twin("demo", "--no-serve", env=env)
    assert first.returncode == 0, first.stderr
    assert "demo city 'small' (seed 1) loaded" in first.stdout
    again = twin("demo", "--no-serve", env=env)
    assert "already loaded" in again.stdout
    reload = twin("demo", "--no-serve", "--reload", "--seed", "2", env=env)
    assert "(seed 2) loaded" in reload.stdout


def test_serve_answers_on_the_configured_port(db_url: str) -> None:
    with twin_serve(db_url) as url, urllib.request.urlopen(url + "/_dash-layout") as r:
        assert r.status == 200
        assert b'"twin.unitStyle"' in r.read()


def test_a_served_server_never_writes_into_a_pipe_nobody_reads(db_url: str) -> None:
    # A pipe's 64 KB fill with a busy server's warnings, then its next log line blocks it.
    with twin_serve(db_url) as url:
        port = url.rsplit(":", 1)[1]
        listing = subprocess.run(
            ["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=True
        ).stdout
        pid = re.search(r"pid=(\d+)", listing)
        assert pid is not None, listing
        for fd in (1, 2):
            assert not os.readlink(f"/proc/{pid[1]}/fd/{fd}").startswith("pipe:")


def test_errors_exit_non_zero_with_a_message(db_url: str) -> None:
    bad = twin("serve", env={"TWIN_PORT": "eighty"})
    assert bad.returncode == 2
    assert "twin: error: TWIN_PORT='eighty' is not a valid int" in bad.stderr
    unreachable = twin("db", "migrate", env={"TWIN_DATABASE_URL": "postgresql://x@127.0.0.1:1/x"})
    assert unreachable.returncode == 2
    assert "cannot reach the database at" in unreachable.stderr
    managed = twin("db", "stop", env={"TWIN_DATABASE_URL": db_url})
    assert managed.returncode == 1
    assert "twin does not manage that server" in managed.stdout


def test_load_export_and_layers_check_from_the_command_line(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests import gridworld

    env = {"TWIN_DATABASE_URL": db_url}
    assert twin("db", "migrate", env=env).returncode == 0
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        gridworld.build(conn)
    lon, lat = gridworld.lonlat(0.5, 0.5)
    good = {
        "code": "E1",
        "category": "dispute",
        "severity": 2,
        "source": "hotline",
        "due_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
    }
    feats = [
        {
            "type": "Feature",
            "properties": good,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        },
        {
            "type": "Feature",
            "properties": good | {"code": "E2", "category": "fire"},
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
        },
    ]
    bad = tmp_path / "bad.geojson"
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    refused = twin("load", "incident", str(bad), env=env)
    assert refused.returncode == 1
    assert "1 problem(s); nothing was loaded" in refused.stderr
    assert "feature 2 (code E2): category: unknown value 'fire'" in refused.stderr
    feats.pop()
    bad.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    loaded = twin("load", "incident", str(bad), env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "incident: 1 features from" in loaded.stdout and "(1 new, 0 updated)" in loaded.stdout
    out = tmp_path / "out.csv"
    exported = twin("export", "incident", str(out), "--where", "category = dispute", env=env)
    assert exported.returncode == 0 and out.read_text("utf-8").count("\n") == 2
    check = twin("layers", "check", env=env)
    assert check.returncode == 0 and "11 layers checked: all match the database" in check.stdout
    unknown = twin("load", "hydrant", str(bad), env=env)
    assert unknown.returncode == 2 and "no layer 'hydrant'" in unknown.stderr


def one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """A library error: exit 2 and one line `twin: error: …` naming the problem."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("twin: error: "), result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


def test_library_errors_are_one_line_with_exit_2(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    import psycopg

    from tests import gridworld

    env = {"TWIN_DATABASE_URL": db_url}
    assert twin("db", "migrate", env=env).returncode == 0
    with psycopg.connect(db_url, autocommit=True) as conn:
        gridworld.build(conn)
    lon, lat = gridworld.lonlat(0.5, 0.5)
    camera = {
        "type": "Feature",
        "properties": {"code": "C1", "name": "Sand and Sea", "status": "online"},
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }
    cameras = tmp_path / "cameras.geojson"
    cameras.write_text(json.dumps({"type": "FeatureCollection", "features": [camera]}))
    one_line_error(
        twin("load", "camera", str(cameras), "--crs", "EPSG:99999999", env=env), "EPSG:99999999"
    )
    one_line_error(twin("load", "camera", str(tmp_path / "none.geojson"), env=env), "none.geojson")
    out = tmp_path / "out.csv"
    one_line_error(twin("export", "camera", str(out), "--crs", "nonsense", env=env), "nonsense")
    one_line_error(
        twin("export", "camera", str(out), "--where", "last_seen = soon", env=env),
        "soon",
    )
    with psycopg.connect(db_url, autocommit=True) as conn:  # the database fails mid-load
        conn.execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'the disk is full'; END $$;"
            " CREATE TRIGGER refuse BEFORE INSERT ON camera"
            " FOR EACH STATEMENT EXECUTE FUNCTION refuse()"
        )
    one_line_error(twin("load", "camera", str(cameras), env=env), "the disk is full")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("DROP TRIGGER refuse ON camera")
        assert conn.execute("SELECT count(*) FROM camera").fetchone() == (0,)  # nothing written
    assert twin("load", "camera", str(cameras), env=env).returncode == 0
    quoted = twin(
        "export", "camera", str(out), "--where", "name IN ('Sand and Sea', 'a, b')", env=env
    )
    assert quoted.returncode == 0, quoted.stderr
    assert "Sand and Sea" in out.read_text("utf-8")
