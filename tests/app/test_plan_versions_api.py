"""The versions API: list, read a version back, a unit's history, publish and roll back;
bad input answered with a 4xx naming the field."""

from __future__ import annotations

from datetime import timedelta

import psycopg
from dash import Dash
from shapely.geometry import box

from tests.gridworld import lonlat
from twin.activity import Clock
from twin.plans import store
from twin.plans.model import UnitState
from twin.plans.versions import record_version


def approved(conn: psycopg.Connection, clock: Clock) -> None:
    """A plan moving G2's west strip into G1, approved."""
    plan = store.new_plan(conn, "strip", None, "alice", clock)
    units = {u.code: u for u in store.base_units(conn, plan)}
    (a, b), (c, d) = lonlat(1.0, 0.0), lonlat(1.5, 1.0)
    strip = box(a, b, c, d)
    g1, g2 = units["G1"], units["G2"]
    store.write_changes(
        conn,
        plan,
        [
            UnitState("G1", g1.name, "grid", "C", g1.geom.union(strip), g1.officer, 1000, 400),
            UnitState("G2", g2.name, "grid", "C", g2.geom.difference(strip), g2.officer, 1000, 400),
        ],
        [],
        "alice",
        plan.revision,
        clock=clock,
    )
    plan = store.set_state(conn, store.get_plan(conn, "strip"), "submitted", "alice", "", clock)
    store.set_state(conn, plan, "approved", "bob", "", clock)


def test_publish_read_back_history_and_rollback_over_http(
    app: Dash, conn: psycopg.Connection
) -> None:
    record_version(conn, "load", effective_at=None)
    clock = Clock.current()
    approved(conn, clock)
    client = app.server.test_client()
    done = client.post("/api/plans/strip/publish", json={"effective": "today", "actor": "carol"})
    assert done.status_code == 200, done.json
    assert (done.json["state"], done.json["version"]) == ("published", 3)
    listed = client.get("/api/versions").json["versions"]
    assert [v["version"] for v in listed] == [3, 2, 1]
    assert listed[0]["plan_name"] == "strip"
    old = client.get("/api/versions/2/units?level=grid").json
    assert [f["properties"]["code"] for f in old["features"]] == ["G1", "G2", "G3", "G4"]
    history = client.get("/api/units/G2/history").json["states"]
    assert [h["changes"] for h in history] == [["created"], ["reshaped"]]
    back = client.post("/api/versions/2/restore", json={"actor": "dave"})
    assert back.status_code == 200, back.json
    assert (back.json["plan"], back.json["version"]) == ("rollback-to-2", 4)
    assert client.post("/api/plans/activate").json == {"published": []}


def test_bad_requests_are_answered_4xx_naming_the_field(
    app: Dash, conn: psycopg.Connection
) -> None:
    record_version(conn, "load", effective_at=None)
    clock = Clock.current()
    approved(conn, clock)
    client = app.server.test_client()
    cases = [
        (client.get("/api/versions/9/units"), 404, "version"),
        (client.get("/api/versions/2/units?level=planet"), 400, "level"),
        (client.get("/api/units/nobody/history"), 404, "code"),
        (client.post("/api/plans/strip/publish", json={}), 400, "effective"),
        (client.post("/api/plans/strip/publish", json={"effective": "soon"}), 400, "effective"),
        (client.post("/api/plans/strip/publish", json=["x"]), 400, None),
        (client.post("/api/plans/strip/publish", json={"effective": 5}), 400, "effective"),
        (client.post("/api/plans/nope/publish", json={"effective": "today"}), 404, "name"),
        (client.post("/api/versions/2/restore", json={}), 409, "version"),
        (client.post("/api/versions/0/restore", json={}), 404, "version"),
    ]
    for response, status, field in cases:
        assert response.status_code == status, response.json
        assert response.json["error"]["field"] == field
    yesterday = (clock.local.date() - timedelta(days=1)).isoformat()
    late = client.post("/api/plans/strip/publish", json={"effective": yesterday})
    assert late.status_code == 409
    assert "cannot take effect on" in late.json["error"]["message"]
