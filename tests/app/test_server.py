"""The served app over HTTP: layout with the map, the click callback, offline assets."""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest
from dash import Dash

from tests import gridworld
from tests.gridworld import add_incident
from twin.app import ids
from twin.app.server import create_app
from twin.db.connect import open_pool
from twin.settings import Settings


@pytest.fixture
def app(db_url: str, conn: psycopg.Connection) -> Iterator[Dash]:
    gridworld.build(conn)
    add_incident(conn, "E1", 0.5, 0.5)
    conn.execute(
        "UPDATE incident SET reported_at = now() - interval '4 days',"
        " due_at = now() - interval '1 day'"
    )
    pool = open_pool(db_url, 2)
    try:
        yield create_app(Settings(lang="en"), pool)
    finally:
        pool.close()


def find(node: object, id_: str) -> dict[str, object] | None:
    if isinstance(node, dict):
        props = node.get("props", {})
        if isinstance(props, dict) and props.get("id") == id_:
            return props
        for value in node.values():
            hit = find(value, id_)
            if hit:
                return hit
    elif isinstance(node, list):
        for value in node:
            hit = find(value, id_)
            if hit:
                return hit
    return None


def test_layout_has_every_grid_and_its_status(app: Dash) -> None:
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout").get_json()
    grids = find(layout, ids.GRIDS)
    assert grids is not None
    codes = [f["properties"]["code"] for f in grids["data"]["features"]]  # type: ignore[index]
    assert codes == ["G1", "G2", "G3", "G4"]
    assert grids["hideout"]["status"]["G1"] == "yellow"  # type: ignore[index]
    assert grids["style"] == {"variable": "twin.gridStyle"}


def test_clicking_a_grid_returns_its_status_panel(app: Dash) -> None:
    client = app.server.test_client()
    body = {
        "output": f"{ids.PANEL}.children",
        "outputs": {"id": ids.PANEL, "property": "children"},
        "inputs": [
            {"id": ids.GRIDS, "property": "clickData", "value": {"properties": {"code": "G1"}}}
        ],
        "changedPropIds": [f"{ids.GRIDS}.clickData"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    panel = response.get_json()["response"][ids.PANEL]["children"]
    assert find(panel, "panel-title")["children"] == "grid G1"  # type: ignore[index]
    assert find(panel, "kpi-overdue")["children"] == "1"  # type: ignore[index]


def test_the_page_names_no_outside_host(app: Dash) -> None:
    client = app.server.test_client()
    page = client.get("/").get_data(as_text=True)
    scripts = [s for s in page.split('"') if s.startswith(("http://", "https://", "//"))]
    assert scripts == []
    for asset in ("/assets/twin_map.js", "/assets/twin.css"):
        assert client.get(asset).status_code == 200
    config = json.loads(
        page.split('<script id="_dash-config" type="application/json">')[1].split("</script>")[0]
    )
    assert config["serve_locally"] is True
