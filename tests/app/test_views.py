"""The pure functions behind the app, on the hand-made grid world."""

from __future__ import annotations

import psycopg
import pytest
from dash import html

from tests import gridworld
from tests.gridworld import add_incident
from twin.app.views import (
    STATUS_COLOURS,
    build_grid_geojson,
    build_grid_panel,
    build_status_hideout,
    format_kpi,
)
from twin.store import fetch_grid_detail, fetch_grid_geometries, fetch_grid_statuses


@pytest.fixture
def world(conn: psycopg.Connection) -> None:
    gridworld.build(conn)
    for i in range(3):
        add_incident(conn, f"E{i}", 0.5, 0.5, severity=1 if i == 0 else 3)


def test_geojson_carries_geometry_and_only_code_and_name(
    conn: psycopg.Connection, world: None
) -> None:
    fc = build_grid_geojson(fetch_grid_geometries(conn))
    assert [f["properties"] for f in fc["features"]] == [
        {"code": c, "name": f"grid {c}"} for c in ("G1", "G2", "G3", "G4")
    ]
    g1 = fc["features"][0]["geometry"]
    assert g1["type"] == "MultiPolygon"
    assert sorted(map(tuple, g1["coordinates"][0][0]))[0] == (114.0, 30.0)
    assert len(fc["features"][3]["geometry"]["coordinates"][0]) == 2  # G4 keeps its hole


def test_hideout_maps_each_grid_to_its_composite(conn: psycopg.Connection, world: None) -> None:
    hideout = build_status_hideout(fetch_grid_statuses(conn))
    assert hideout["status"] == {"G1": "red", "G2": "green", "G3": "green", "G4": "green"}
    assert hideout["colours"] == STATUS_COLOURS


def test_panel_shows_the_numbers_sql_gives(conn: psycopg.Connection, world: None) -> None:
    panel = build_grid_panel(fetch_grid_detail(conn, "G1"), "en")
    cells = {
        c.id: c.children for c in _walk(panel) if isinstance(c, html.Td) and getattr(c, "id", None)
    }
    open_sql = conn.execute(
        "SELECT count(*) FROM incident i JOIN grid g ON g.id = i.grid_id "
        "WHERE g.code = 'G1' AND i.status NOT IN ('resolved', 'closed')"
    ).fetchone()
    assert open_sql is not None
    assert cells["kpi-open"] == str(open_sql[0]) == "3"
    assert cells["kpi-open_severity_1"] == "1"
    assert cells["kpi-camera_online_rate"] == "–"
    title = next(c for c in _walk(panel) if getattr(c, "id", None) == "panel-title")
    assert title.children == "grid G1"
    badge = next(c for c in _walk(panel) if getattr(c, "id", None) == "panel-composite")
    assert badge.children[0] == "Alert" and "badge-red" in badge.className


def test_format_kpi() -> None:
    assert format_kpi("camera_online_rate", 0.873) == "87%"
    assert format_kpi("open", 12345) == "12,345"
    assert format_kpi("open", None) == "–"
    assert format_kpi("camera_online_rate", float("nan")) == "–"


def _walk(component: object) -> list[object]:
    out = [component]
    children = getattr(component, "children", None)
    if isinstance(children, list):
        for c in children:
            out += _walk(c)
    elif children is not None and not isinstance(children, str):
        out += _walk(children)
    return out
