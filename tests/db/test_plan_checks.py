"""The checks of stored plans and their command line: check, fix, impact, diff, import, export."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
import shapely

from tests import gridworld
from tests.db.test_cli import twin
from tests.db.test_plan_impact import cells, scatter
from twin.activity import Clock
from twin.catalog import load_catalog
from twin.plans import store
from twin.plans.checks import diff_of, fix_plan, impact_of, validate_plan
from twin.plans.rules import Rules
from twin.plans.transfer import export_plan, import_plan
from twin.plans.versions import current_version, record_version
from twin.settings import Settings

CLOCK = Clock(datetime.now(UTC).replace(microsecond=0))
RULES = Rules()
NOTCH = (1.7, 0, 2, 0.001)  # a strip of about 321 m² along the bottom of G2 and C


@pytest.fixture
def planned(conn: psycopg.Connection, world: dict[str, int]) -> store.Plan:
    """The world recorded as a version, with plan p: G1 takes the west half of G2, and G2
    loses a small notch at its bottom (a gap of about 321 m² inside community C)."""
    scatter(conn)
    record_version(conn, "load", effective_at=None)
    plan = store.new_plan(conn, "p", None, "ann", CLOCK)
    base = {u.code: u for u in store.base_units(conn, plan)}
    g2 = shapely.difference(cells(1.5, 0, 2, 1), cells(*NOTCH))
    changed = [replace(base["G1"], geom=cells(0, 0, 1.5, 1)), replace(base["G2"], geom=g2)]
    store.write_changes(conn, plan, changed, [], "ann", plan.revision, clock=CLOCK)
    return store.get_plan(conn, "p")


def test_a_plan_is_validated_with_its_gaps(conn: psycopg.Connection, planned: store.Plan) -> None:
    found = [(p.kind, p.codes) for p in validate_plan(conn, planned, RULES)]
    # G4's hole (in force already) and the new notch, both inside community C
    assert found == [("gap", ("C", "G2")), ("gap", ("C", "G4"))]


def test_fix_gives_the_notch_to_g2_and_keeps_the_big_hole(
    conn: psycopg.Connection, planned: store.Plan
) -> None:
    fixed = fix_plan(conn, planned, RULES, "ann", CLOCK)
    assert [(r.kind, r.to_code) for r in fixed.repairs] == [("gap", "G2")]
    assert [(p.kind, p.codes) for p in fixed.problems] == [("gap", ("C", "G4"))]
    plan = store.get_plan(conn, "p")
    assert plan.revision == fixed.revision > planned.revision
    g2 = next(u for u in store.proposed_units(conn, plan) if u.code == "G2")
    assert shapely.equals(g2.geom, cells(1.5, 0, 2, 1))


def test_a_scoped_plan_checks_inside_its_parent_only(
    conn: psycopg.Connection, planned: store.Plan
) -> None:
    scoped = store.new_plan(conn, "s", "C", "ann", CLOCK)
    assert [(p.kind, p.codes) for p in validate_plan(conn, scoped, RULES)] == [("gap", ("C", "G4"))]


def test_impact_of_a_plan_names_the_touched_units(
    conn: psycopg.Connection, planned: store.Plan
) -> None:
    result = impact_of(conn, planned, CLOCK, RULES)
    assert [(r.code, r.change) for r in result.rows] == [("G1", "reshaped"), ("G2", "reshaped")]
    assert {(m.from_code, m.to_code) for m in result.moved} == {("G2", "G1")}


def test_diff_of_a_version_and_a_plan(conn: psycopg.Connection, planned: store.Plan) -> None:
    d = diff_of(conn, str(current_version(conn)), "p")
    assert [(r.code, r.changes) for r in d.rows] == [("G1", ("reshaped",)), ("G2", ("reshaped",))]
    assert [(e.from_code, e.to_code) for e in d.exchanges] == [("G2", "G1"), ("G2", None)]


def test_export_then_import_gives_the_same_map(
    conn: psycopg.Connection, planned: store.Plan, tmp_path: Path
) -> None:
    out = tmp_path / "p.gpkg"
    written = export_plan(conn, "p", out, RULES)
    assert written == {"district": 1, "street": 1, "community": 1, "grid": 4, "problems": 2}
    problems = gpd.read_file(out, layer="problems")
    assert problems["kind"].tolist() == ["gap", "gap"]
    layers = load_catalog(Settings().layers_dir)
    done = import_plan(conn, "q", out, None, "grid", {}, "bob", CLOCK, layers)
    assert (done.level, done.added, done.changed, done.removed) == ("grid", (), ("G1", "G2"), ())
    q = {u.code: u for u in store.proposed_units(conn, store.get_plan(conn, "q"))}
    p = {u.code: u for u in store.proposed_units(conn, planned)}
    assert all(shapely.equals(q[c].geom, p[c].geom) for c in p)


def test_import_adds_and_removes_units_and_finds_new_parents(
    conn: psycopg.Connection, planned: store.Plan, tmp_path: Path
) -> None:
    frame = gpd.GeoDataFrame(
        {"code": ["G1", "G2", "G3", "G5"], "name": ["a", "b", "c", "new"]},
        geometry=[cells(0, 0, 1, 1), cells(1, 0, 2, 1), cells(0, 1, 1, 2), cells(1, 1, 2, 2)],
        crs="EPSG:4326",
    )
    path = tmp_path / "redrawn.geojson"
    frame.to_file(path, driver="GeoJSON")
    layers = load_catalog(Settings().layers_dir)
    done = import_plan(conn, "r", path, "grid", None, {}, "bob", CLOCK, layers)
    assert (done.added, done.changed, done.removed) == (("G5",), ("G1", "G2", "G3"), ("G4",))
    units = {u.code: u for u in store.proposed_units(conn, store.get_plan(conn, "r"))}
    assert (units["G5"].parent, units["G1"].officer) == ("C", "officer G1")
    assert validate_plan(conn, store.get_plan(conn, "r"), RULES) == []


def test_the_command_line(
    conn: psycopg.Connection, planned: store.Plan, db_url: str, tmp_path: Path
) -> None:
    env = {"TWIN_DATABASE_URL": db_url}
    check = twin("plan", "check", "p", env=env)
    assert check.returncode == 1, check.stderr
    assert check.stdout.splitlines()[-1] == "plan p: 2 problem(s)"
    out = tmp_path / "impact.csv"
    assert twin("plan", "impact", "p", "--out", str(out), env=env).returncode == 0
    with open(out, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:4] == ["code", "change", "households_before", "households_after"]
    assert list(rows[0])[-2:] == ["incidents_90d_before", "incidents_90d_after"]
    assert [r["code"] for r in rows] == ["G1", "G2"]
    table = tmp_path / "diff.csv"
    diffed = twin("plan", "diff", str(current_version(conn)), "p", "--out", str(table), env=env)
    assert diffed.returncode == 0, diffed.stderr
    assert table.read_text("utf-8").splitlines()[1].startswith("G1,grid,reshaped,")
    fixed = twin("plan", "fix", "p", env=env)
    assert fixed.returncode == 0 and "1 repair(s)" in fixed.stdout
    missing = twin("plan", "check", "nope", env=env)
    assert (missing.returncode, missing.stderr.strip()) == (
        2,
        "twin: error: no plan named 'nope' (see `twin plan list`)",
    )
    bad = twin("plan", "export", "p", str(tmp_path / "p.shp"), env=env)
    assert bad.returncode == 2 and "GeoPackage" in bad.stderr
    assert gridworld.X0 == 114.0  # the shapes above are in the world's cells
