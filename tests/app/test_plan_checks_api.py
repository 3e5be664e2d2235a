"""The checks API: a plan's problems, impact and fix, and the diff of two maps; bad input
answered with a 4xx naming the field."""

from __future__ import annotations

from dataclasses import replace

import psycopg
import shapely
from dash import Dash

from tests.db.test_plan_impact import cells
from twin.activity import Clock
from twin.plans import store
from twin.plans.versions import current_version, record_version


def plan_with_notch(conn: psycopg.Connection, clock: Clock) -> None:
    """Plan p: G1 takes the west half of G2, which loses a small notch at its bottom."""
    record_version(conn, "load", effective_at=None)
    plan = store.new_plan(conn, "p", None, "ann", clock)
    base = {u.code: u for u in store.base_units(conn, plan)}
    g2 = shapely.difference(cells(1.5, 0, 2, 1), cells(1.7, 0, 2, 0.001))
    changed = [replace(base["G1"], geom=cells(0, 0, 1.5, 1)), replace(base["G2"], geom=g2)]
    store.write_changes(conn, plan, changed, [], "ann", plan.revision, clock=clock)


def test_problems_impact_fix_and_diff_over_http(app: Dash, conn: psycopg.Connection) -> None:
    plan_with_notch(conn, Clock.current())
    client = app.server.test_client()
    found = client.get("/api/plans/p/problems").json["features"]
    assert [(f["properties"]["kind"], f["properties"]["codes"]) for f in found] == [
        ("gap", ["C", "G2"]),
        ("gap", ["C", "G4"]),
    ]
    impact = client.get("/api/plans/p/impact").json
    assert [(r["code"], r["change"]) for r in impact["rows"]] == [
        ("G1", "reshaped"),
        ("G2", "reshaped"),
    ]
    # E2 (severity 1, open) lies at (1.5, 0.5): on the new edge, so the lower code G1 has it
    assert [(c["code"], c["to_officer"]) for c in impact["inherited"]] == [("E2", "officer G1")]
    version = current_version(conn)
    diff = client.get(f"/api/diff?a={version}&b=p").json
    assert [r["code"] for r in diff["rows"]] == ["G1", "G2"]
    fixed = client.post("/api/plans/p/fix", json={"actor": "bob"})
    assert fixed.status_code == 200, fixed.json
    assert [r["to_code"] for r in fixed.json["repairs"]] == ["G2"]


def test_bad_requests_name_the_field(app: Dash, conn: psycopg.Connection) -> None:
    client = app.server.test_client()
    missing = client.get("/api/plans/nope/impact")
    assert (missing.status_code, missing.json["error"]["field"]) == (404, "name")
    assert client.get("/api/diff?a=1").json["error"]["field"] == "b"
    assert client.get("/api/diff?a=1&b=99").status_code == 404
    bad = client.post("/api/plans/nope/fix", json={"actor": 3})
    assert (bad.status_code, bad.json["error"]["field"]) == (400, "actor")
