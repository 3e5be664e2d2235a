"""/api/plans over the real app and database: drafts, edits, undo, review; refusals are 4xx."""

from __future__ import annotations

from typing import Any

import pytest
import shapely.geometry
from dash import Dash
from shapely.geometry import LineString

from tests import gridworld


def line(x: float) -> dict[str, Any]:
    """A GeoJSON north-south line across the world's west column at cell x."""
    return shapely.geometry.mapping(
        LineString([gridworld.lonlat(x, -0.1), gridworld.lonlat(x, 1.1)])
    )


@pytest.fixture
def client(app: Dash) -> Any:
    """A test client with a draft plan 'p' over community C."""
    c = app.server.test_client()
    made = c.post("/api/plans", json={"name": "p", "scope": "C", "actor": "alice"})
    assert made.status_code == 201
    assert made.get_json()["revision"] == 0
    return c


def test_edits_undo_and_review_through_the_api(client: Any) -> None:
    split = client.post(
        "/api/plans/p/edits/split",
        json={"revision": 0, "actor": "alice", "code": "G1", "line": line(0.4), "codes": ["G9"]},
    )
    assert split.status_code == 200
    assert split.get_json() | {"impact": {}, "problems": []} == {
        "revision": 1,
        "changed": ["G1", "G9"],
        "problems": [],
        "impact": {},
    }
    client.post("/api/plans/p/edits/merge", json={"revision": 1, "codes": ["G3", "G4"]})
    assert client.post("/api/plans/p/undo", json={"revision": 2}).get_json()["changed"] == [
        "G3",
        "G4",
    ]
    plan = client.get("/api/plans/p").get_json()
    assert plan["revision"] == 3
    assert [f["id"] for f in plan["changes"]["features"]] == ["G1", "G9"]
    assert plan["changes"]["features"][1]["properties"]["households"] == 160
    assert plan["removed"] == []
    assert client.post("/api/plans/p/submit", json={"actor": "alice"}).status_code == 200
    approved = client.post("/api/plans/p/approve", json={"actor": "bob", "comment": "ok"})
    assert approved.get_json()["state"] == "approved"
    listed = client.get("/api/plans").get_json()["plans"]
    assert [(p["name"], p["state"], p["changed"]) for p in listed] == [("p", "approved", 2)]
    events = client.get("/api/plans/p").get_json()["events"]
    assert [(e["actor"], e["action"], e["comment"]) for e in events][-1] == ("bob", "approve", "ok")


def test_a_stale_edit_of_the_same_unit_is_a_409_naming_it(client: Any) -> None:
    body = {"revision": 0, "actor": "bob", "code": "G1", "changes": {"officer": "B"}}
    assert client.post("/api/plans/p/edits/set", json=body).status_code == 200
    stale = client.post("/api/plans/p/edits/set", json=body | {"actor": "carol"})
    assert stale.status_code == 409
    assert "G1 by bob (set, revision 1)" in stale.get_json()["error"]["message"]
    other = body | {"code": "G2", "actor": "carol"}
    assert client.post("/api/plans/p/edits/set", json=other).status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "status", "field", "message"),
    [
        (
            "/api/plans/p/edits/split",
            {"revision": 0, "code": "G1"},
            400,
            "line",
            "line is required",
        ),
        (
            "/api/plans/p/edits/split",
            {"revision": 0, "code": "G1", "line": {"type": "Nope"}},
            400,
            "line",
            "not a GeoJSON geometry",
        ),
        (
            "/api/plans/p/edits/split",
            {"revision": "0", "code": "G1", "line": line(0.4)},
            400,
            "revision",
            "wrong type",
        ),
        (
            "/api/plans/p/edits/split",
            {"revision": 0, "code": "G1", "line": line(3)},
            422,
            None,
            "does not cross the unit",
        ),
        (
            "/api/plans/p/edits/merge",
            {"revision": 0, "codes": ["G1", "G4"]},
            422,
            None,
            "do not border G1",
        ),
        ("/api/plans/p/edits/delete", {"revision": 0, "code": "NOPE"}, 422, None, "no unit 'NOPE'"),
        (
            "/api/plans/p/edits/set",
            {"revision": 0, "code": "G1", "changes": {"officer": 5}},
            422,
            None,
            "officer must be text",
        ),
        (
            "/api/plans/p/edits/set",
            {"revision": 0, "code": "G1", "changes": {"households": 1.5}},
            422,
            None,
            "households must be a whole number",
        ),
        (
            "/api/plans/p/edits/set",
            {"revision": 0, "code": "G1", "changes": {"population": 3_000_000_000}},
            422,
            None,
            "population must be a whole number from 0 to 2,147,483,647",
        ),
        ("/api/plans/p/edits/paint", {"revision": 0}, 404, "op", "no edit 'paint'"),
        (
            "/api/plans/q/edits/delete",
            {"revision": 0, "code": "G1"},
            404,
            None,
            "no plan named 'q'",
        ),
        ("/api/plans/p/approve", {}, 409, None, "is draft: it cannot become approved"),
        ("/api/plans/p/undo", {"revision": 0}, 422, None, "nothing to undo"),
        ("/api/plans/p/undo", {"revision": 5}, 422, None, "has no revision 5"),
        ("/api/plans", {"name": "p"}, 409, None, "exists already"),
        ("/api/plans", [1], 400, None, "must be a JSON object"),
        (
            "/api/plans/p/edits/move",
            {"revision": 0, "from": "G1", "to": "G2", "area": line(0.4)},
            422,
            None,
            "is not an outline",
        ),
        (
            "/api/plans/p/edits/add",
            {
                "revision": 0,
                "code": "N",
                "name": "n",
                "level": "grid",
                "parent": "C",
                "geom": line(0.4),
                "snap_m": 1000,
            },
            400,
            "snap_m",
            "between 0 and 100",
        ),
    ],
)
def test_bad_requests_are_4xx_naming_what_is_wrong(
    client: Any, path: str, body: Any, status: int, field: str | None, message: str
) -> None:
    answer = client.post(path, json=body)
    assert answer.status_code == status
    error = answer.get_json()["error"]
    assert error["field"] == field
    assert message in error["message"]


@pytest.mark.parametrize("path", ["/api/plans", "/api/plans/p/fix", "/api/plans/p/publish"])
def test_json_nested_deeper_than_the_parser_goes_is_a_400(client: Any, path: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    answer = client.post(path, data=deep, content_type="application/json")
    assert answer.status_code == 400
    assert answer.get_json()["error"] == {
        "field": "body",
        "message": "the JSON is nested too deeply",
    }


@pytest.mark.parametrize("ref", ["²", "9" * 5000])
def test_a_version_that_is_no_number_python_reads_is_a_4xx(client: Any, ref: str) -> None:
    answer = client.get("/api/diff", query_string={"a": ref, "b": "p"})
    assert 400 <= answer.status_code < 500


def test_drop_takes_a_unit_out_of_the_plan_and_refusals_are_4xx(client: Any) -> None:
    for k, code in enumerate(("G1", "G2")):
        done = client.post(
            "/api/plans/p/edits/set",
            json={"revision": k, "code": code, "changes": {"officer": "Li"}},
        )
        assert done.status_code == 200
    dropped = client.post("/api/plans/p/drop", json={"revision": 2, "code": "G1"})
    assert dropped.status_code == 200
    assert (dropped.get_json()["revision"], dropped.get_json()["changed"]) == (3, ["G1"])
    plan = client.get("/api/plans/p").get_json()
    assert [f["id"] for f in plan["changes"]["features"]] == ["G2"]
    again = client.post("/api/plans/p/drop", json={"revision": 3, "codes": ["G1"]})
    assert again.status_code == 422
    assert "does not change unit(s) G1" in again.get_json()["error"]["message"]
    assert client.post("/api/plans/p/drop", json={"revision": 3}).status_code == 400
    assert client.post("/api/plans/p/drop", json={"revision": 3, "codes": []}).status_code == 400
    assert client.post("/api/plans/p/drop", json={"revision": 3, "codes": [1]}).status_code == 400
    stale = client.post("/api/plans/p/drop", json={"revision": 1, "code": "G2"})
    assert stale.status_code == 409
    assert (
        client.post("/api/plans/nope/drop", json={"revision": 0, "code": "G2"}).status_code == 404
    )
