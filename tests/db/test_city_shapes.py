"""Cities that are not four nested levels — grids only, communities and grids, districts
only — loaded by the real loader without parent codes: counts, the city's figures, the map,
the unit pages and exports all work from the levels the city has."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import geobuf
import psycopg
import pyogrio
import pytest
from dash import Dash

from tests import shapes
from tests.app.dash_client import call, find
from twin.activity import Clock, fetch_trend
from twin.app import ids
from twin.app.context import _extent
from twin.app.mapdata import MapData
from twin.app.pages import auto_levels
from twin.app.server import city_outline, create_app
from twin.app.snapshot import read_snapshot
from twin.app.unit_page import build_unit_body
from twin.app.views import CatalogText, build_crumbs
from twin.catalog import Layer
from twin.catalog.terms import Terms
from twin.db.connect import open_pool
from twin.export import export_layer
from twin.ingest.load import load_file
from twin.settings import Settings
from twin.spatial.status import Thresholds
from twin.store import fetch_grid_detail, fetch_grid_statuses, fetch_one_status, fetch_unassigned
from twin.synth.load import builtin_layers

LEVELS = Terms.of(builtin_layers()).levels
# Per shape: incidents per unit of each loaded level, points in no unit, and each unit's
# parent. (F5 lies in G4's hole: a community covering it owns it, a grid-only city cannot.
# F6 lies on the edge of the halves: the lowest code takes it.)
EXPECTED: dict[str, dict[str, Any]] = {
    "grids": {
        "counts": {"grid": {"G1": 2, "G2": 1, "G3": 1, "G4": 1}},
        "unassigned": 2,
        "parents": {"G1": None, "G2": None, "G3": None, "G4": None},
        "leaves": ["G1", "G2", "G3", "G4"],
    },
    "communities_and_grids": {
        "counts": {"community": {"CE": 3, "CW": 3}, "grid": {"G1": 2, "G2": 1, "G3": 1, "G4": 1}},
        "unassigned": 1,
        "parents": {"CE": None, "CW": None, "G1": "CW", "G2": "CE", "G3": "CW", "G4": "CE"},
        "leaves": ["G1", "G2", "G3", "G4"],
    },
    "districts": {
        "counts": {"district": {"DE": 4, "DW": 2}},
        "unassigned": 1,
        "parents": {"DE": None, "DW": None},
        "leaves": ["DE", "DW"],
    },
}


@pytest.fixture(params=sorted(shapes.SHAPES))
def city(
    request: pytest.FixtureRequest,
    conn: psycopg.Connection,
    layers: dict[str, Layer],
    reachable_tmp: Path,
) -> tuple[str, dict[str, int]]:
    """A city of one of the shapes, built; (shape, code -> id)."""
    return request.param, shapes.build(conn, layers, request.param, reachable_tmp)


@pytest.fixture
def pool(db_url: str) -> Iterator[Any]:
    p = open_pool(db_url, 2)
    yield p
    p.close()


def db_clock(conn: psycopg.Connection) -> Clock:
    """The database's now, pinned: the incidents were written relative to it."""
    row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    return Clock(row[0].astimezone(UTC))


def test_every_loaded_level_counts_its_points(
    conn: psycopg.Connection, city: tuple[str, dict[str, int]]
) -> None:
    shape, _ = city
    want = EXPECTED[shape]
    for level in LEVELS:
        got = fetch_grid_statuses(conn, level).set_index("code")["incidents"].to_dict()
        assert got == want["counts"].get(level, {}), level
    assert fetch_unassigned(conn)["incidents"] == want["unassigned"]
    parents = conn.execute(
        "SELECT g.code, p.code FROM grid g LEFT JOIN grid p ON p.id = g.parent_id"
    ).fetchall()
    assert dict(parents) == want["parents"]


def test_the_city_figures_come_from_its_top_units(
    conn: psycopg.Connection, pool: Any, city: tuple[str, dict[str, int]]
) -> None:
    shape, _ = city
    snap = read_snapshot(pool, 1, db_clock(conn), Thresholds(), terms=Terms.of(builtin_layers()))
    assert snap.city["incidents"] == len(shapes.SPOTS)
    assert snap.city["open"] == len(shapes.SPOTS)
    assert sorted(snap.leaves["code"]) == EXPECTED[shape]["leaves"]
    for level in LEVELS:
        assert sorted(snap.levels[level]["code"]) == sorted(
            EXPECTED[shape]["counts"].get(level, {})
        )


def test_the_map_offers_and_draws_the_loaded_levels(
    pool: Any, layers: dict[str, Layer], city: tuple[str, dict[str, int]]
) -> None:
    shape, _ = city
    loaded = shapes.SHAPES[shape]
    bounds, widths = _extent(pool)
    assert bounds == [[30.0, 114.0], [30.02, 114.02]]
    assert [level for _, level in auto_levels(widths, LEVELS)] == list(loaded)
    mapdata = MapData(pool, layers)
    counts = mapdata.level_counts()
    assert city_outline(counts, LEVELS) == f"/twin/outlines/{loaded[0]}.pbf"
    for level in loaded:
        drawn = geobuf.decode(mapdata.outlines(level, None).raw)
        codes = sorted(f["properties"]["code"] for f in drawn["features"])
        assert codes == sorted(EXPECTED[shape]["counts"][level])


def test_the_app_serves_the_shape(db_url: str, pool: Any, city: tuple[str, dict[str, int]]) -> None:
    shape, _ = city
    loaded = shapes.SHAPES[shape]
    app: Dash = create_app(Settings(lang="en", refresh_seconds=1), pool)
    client = app.server.test_client()
    for level in loaded:
        assert client.get(f"/twin/outlines/{level}.pbf").status_code == 200
    layout = json.dumps(client.get("/_dash-layout").get_json())
    assert f'"url": "/twin/outlines/{loaded[0]}.pbf?map=' in layout  # the city's frame
    words = call(app, "title.children", {"url.search": "?lang=en"}).get_json()["response"]
    offered = [o["value"] for o in words[ids.LEVEL]["options"]]
    assert offered == ["auto", *loaded]
    state = {"mode": "cockpit", "lang": "en", "unit": None}
    out = call(app, "city-tiles.children", {"refresh.n_intervals": 1, "state.data": state})
    body = out.get_json()["response"]
    tile = find(body[ids.CITY_TILES]["children"], "city-open")
    assert tile is not None and tile["data-value"] == str(len(shapes.SPOTS))
    attention = json.dumps(body[ids.ATTENTION]["children"])
    listed = sorted(c for c in EXPECTED[shape]["parents"] if f'"data-code": "{c}"' in attention)
    assert listed == EXPECTED[shape]["leaves"]
    # Every case is past due (tests/files.py), so every leaf is red and the tour visits it.
    screen = {"mode": "screen", "lang": "en", "unit": None}
    values = {"tour-tick.n_intervals": 1, "state.data": screen, "screen-state.data": None}
    toured = call(app, "tour-card.children", values).get_json()["response"]
    assert sorted(toured[ids.SCREEN]["data"]["codes"]) == EXPECTED[shape]["leaves"]


def test_unit_pages_and_breadcrumbs_follow_the_levels_there_are(
    conn: psycopg.Connection, layers: dict[str, Layer], city: tuple[str, dict[str, int]]
) -> None:
    shape, _ = city
    want = EXPECTED[shape]
    clock = db_clock(conn)
    for code, parent in want["parents"].items():
        detail = fetch_grid_detail(conn, code, at=clock.now)
        lineage = [u["code"] for u in detail.lineage]
        assert lineage == ([parent] if parent else []) + [code]
        crumbs = build_crumbs(detail.lineage, "en")
        links = [c.href for c in crumbs if getattr(c, "href", None)]
        assert links == ["/?lang=en"] + ([f"/grid/{parent}?lang=en"] if parent else [])
        children = sorted(c for c, p in want["parents"].items() if p == code)
        assert ([] if detail.children.empty else sorted(detail.children["code"])) == children
        level = detail.grid["level"]
        assert detail.incidents_total == want["counts"][level][code]
        trend = fetch_trend(conn, detail.grid["id"], clock, Terms.of(layers).categories)
        assert build_unit_body(detail, trend, CatalogText(layers), "en", "trend")


def test_each_loaded_level_exports_with_its_parents_and_counts(
    conn: psycopg.Connection,
    layers: dict[str, Layer],
    city: tuple[str, dict[str, int]],
    tmp_path: Path,
) -> None:
    shape, _ = city
    want = EXPECTED[shape]
    for level in shapes.SHAPES[shape]:
        out = tmp_path / f"{level}.geojson"
        assert export_layer(conn, layers[level], out) == len(want["counts"][level])
        frame = pyogrio.read_dataframe(out)
        rows = frame.set_index("code")
        assert rows["incidents"].to_dict() == want["counts"][level]
        if "parent_code" in rows:
            got = {c: (p if isinstance(p, str) else None) for c, p in rows["parent_code"].items()}
            assert got == {c: want["parents"][c] for c in want["counts"][level]}


def test_a_finer_level_loaded_later_takes_its_points(
    conn: psycopg.Connection, layers: dict[str, Layer], reachable_tmp: Path
) -> None:
    ids = shapes.build(conn, layers, "districts", reachable_tmp)
    load_file(conn, layers["grid"], shapes.level_file("grid", reachable_tmp / "grid.geojson"))
    counts = fetch_grid_statuses(conn, "grid").set_index("code")["incidents"].to_dict()
    assert counts == {"G1": 2, "G2": 1, "G3": 1, "G4": 1}
    districts = fetch_grid_statuses(conn, "district").set_index("code")["incidents"].to_dict()
    # F6 on the edge of the halves moves from DE (lowest code) to G1, under DW; F5 in G4's
    # hole stays DE's own.
    assert districts == {"DE": 3, "DW": 3}
    assert fetch_one_status(conn, ids["DE"])["incidents"] == 3
    parents = dict(
        conn.execute(
            "SELECT g.code, p.code FROM grid g JOIN grid p ON p.id = g.parent_id"
        ).fetchall()
    )
    assert parents == {"G1": "DW", "G2": "DE", "G3": "DW", "G4": "DE"}


def test_a_coarser_level_loaded_later_adopts_the_units_under_the_city(
    conn: psycopg.Connection, layers: dict[str, Layer], reachable_tmp: Path, pool: Any
) -> None:
    shapes.build(conn, layers, "grids", reachable_tmp)
    districts_file = shapes.level_file("district", reachable_tmp / "d.geojson")
    report = load_file(conn, layers["district"], districts_file)
    assert report.notes == ["4 unit(s) of finer levels moved under the district units holding them"]
    districts = fetch_grid_statuses(conn, "district").set_index("code")["incidents"].to_dict()
    assert districts == {"DE": 3, "DW": 3}  # F5 in the hole: from no unit to DE
    assert fetch_unassigned(conn)["incidents"] == 1
    snap = read_snapshot(pool, 1, db_clock(conn), Thresholds(), terms=Terms.of(builtin_layers()))
    assert snap.city["incidents"] == len(shapes.SPOTS)  # nothing counted twice
    assert sorted(snap.leaves["code"]) == ["G1", "G2", "G3", "G4"]
