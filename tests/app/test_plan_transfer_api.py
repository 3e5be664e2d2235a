"""/api/plans/<name>/import and /export over the real app and database: a round trip, an
edit by GeoJSON, and refusals that name every bad feature and change nothing."""

from __future__ import annotations

import copy
from typing import Any

import psycopg
from dash import Dash
from shapely.geometry import box, mapping

from tests import gridworld


def cells(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
    """A GeoJSON box in cell units."""
    (a, b), (c, d) = gridworld.lonlat(x0, y0), gridworld.lonlat(x1, y1)
    return mapping(box(a, b, c, d))


def exported(client: Any, name: str) -> dict[str, Any]:
    answer = client.get(f"/api/plans/{name}/export?level=grid")
    assert answer.status_code == 200
    return answer.get_json()


def test_export_then_import_with_a_moved_boundary(app: Dash, conn: psycopg.Connection) -> None:
    client = app.server.test_client()
    assert client.post("/api/plans", json={"name": "p"}).status_code == 201
    grids = exported(client, "p")
    assert [f["properties"]["code"] for f in grids["features"]] == ["G1", "G2", "G3", "G4"]
    assert grids["features"][0]["properties"]["parent_code"] == "C"
    same = client.post("/api/plans/p/import?level=grid&actor=zhou", json=grids)
    assert same.get_json() | {"plan": "p"} == {
        "plan": "p",
        "level": "grid",
        "added": [],
        "changed": [],
        "removed": [],
        "revision": 0,
    }
    moved = copy.deepcopy(grids)
    moved["features"][0]["geometry"] = cells(0, 0, 1.2, 1)
    moved["features"][1]["geometry"] = cells(1.2, 0, 2, 1)
    moved["features"][1]["properties"]["households"] = 7
    del moved["features"][3]  # G4 goes
    done = client.post("/api/plans/p/import", json=moved).get_json()
    assert (done["changed"], done["removed"], done["revision"]) == (["G1", "G2"], ["G4"], 1)
    after = {f["id"]: f["properties"] for f in exported(client, "p")["features"]}
    assert sorted(after) == ["G1", "G2", "G3"]
    assert after["G2"]["households"] == 7
    assert after["G3"] == grids["features"][2]["properties"]
    whole = client.get("/api/plans/p/export").get_json()
    assert {f["properties"]["level"] for f in whole["features"]} == {
        "district",
        "street",
        "community",
        "grid",
    }
    revisions = conn.execute("SELECT action FROM grid_plan_revision ORDER BY revision")
    assert revisions.fetchall() == [("import",)]


def test_a_bad_collection_names_every_feature_and_field_and_changes_nothing(app: Dash) -> None:
    client = app.server.test_client()
    client.post("/api/plans", json={"name": "p"})
    grids = exported(client, "p")
    bad = copy.deepcopy(grids)
    bad["features"][0]["properties"]["code"] = ""
    bad["features"][1]["properties"]["households"] = -3
    bad["features"][2]["geometry"] = {"type": "Point", "coordinates": [114.0, 30.0]}
    bad["features"][3]["properties"]["code"] = "G2"
    bad["features"].append({"type": "Feature", "properties": {"code": "G9"}, "geometry": None})
    answer = client.post("/api/plans/p/import", json=bad)
    assert answer.status_code == 400
    found = [(p["feature"], p["field"]) for p in answer.get_json()["problems"]]
    assert found == [(1, "code"), (2, "households"), (3, "geometry"), (4, "code"), (5, "geometry")]
    assert client.get("/api/plans/p").get_json()["revision"] == 0
    bow = copy.deepcopy(grids)
    (a, b), (c, d) = gridworld.lonlat(0, 0), gridworld.lonlat(1, 1)
    bow["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[a, b], [c, d], [c, b], [a, d], [a, b]]],
    }
    twisted = client.post("/api/plans/p/import", json=bow).get_json()["problems"]
    assert [(p["feature"], p["field"]) for p in twisted] == [(1, "geometry")]
    assert "Self-intersection" in twisted[0]["message"]


def test_refusals_are_4xx(app: Dash) -> None:
    client = app.server.test_client()
    client.post("/api/plans", json={"name": "p"})
    assert client.post("/api/plans/p/import", json=[1]).status_code == 400
    assert client.post("/api/plans/p/import", data="x").status_code == 400
    empty = {"type": "FeatureCollection", "features": []}
    assert client.post("/api/plans/p/import", json=empty).get_json()["problems"] == [
        {"feature": None, "field": "features", "message": "features must be a non-empty list"}
    ]
    assert client.post("/api/plans/p/import?level=ward", json=empty).status_code == 400
    assert client.get("/api/plans/p/export?level=ward").status_code == 400
    assert client.get("/api/plans/nope/export").status_code == 404
    change = {"revision": 0, "code": "G1", "changes": {"officer": "Li"}}
    assert client.post("/api/plans/p/edits/set", json=change).status_code == 200
    assert client.post("/api/plans/p/submit", json={}).status_code == 200
    one = exported(client, "p")
    one["features"][1]["properties"]["officer"] = "Wu"
    assert client.post("/api/plans/p/import", json=one).status_code == 409
