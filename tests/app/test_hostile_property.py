"""Property: whatever a client sends to any route or any server callback, the answer is
never a 5xx and nothing in the store changes."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import psycopg
from dash import Dash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.app.conftest import CODE
from twin.app.tables import SORT_FIELDS
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.settings import Settings

LEVELS = Terms.of(load_catalog(Settings().layers_dir)).levels
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=30)
)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
codes = (
    st.sampled_from(
        [
            "G1",
            "D",
            "nope",
            CODE,
            "",
            "%",
            "_",
            "G%",
            "<b>x</b>",
            "G1\x00",
            "a/b",
            "中文",
            "x" * 300,
        ]
    )
    | st.text()
)
text = st.text() | codes
state = st.fixed_dictionaries(
    {
        "mode": st.sampled_from(["cockpit", "unit", "screen", "hotspots", "missing", "x"])
        | anything,
        "lang": st.sampled_from(["en", "zh-CN", "fr"]) | anything,
        "unit": st.none() | codes | anything,
    }
)
sort = st.fixed_dictionaries(
    {
        "colId": st.sampled_from([*SORT_FIELDS, "geom", "id; drop"]) | anything,
        "sort": st.sampled_from(["asc", "desc", "up"]) | anything,
    }
)
rows = st.integers(-3, 40) | st.integers(-(2**70), 2**70) | st.sampled_from([10**8, 2**63])
choices = st.lists(
    st.sampled_from(["reported", "closed", "dispute", "fire", "1", "4", "9", "x", "-1"])
)
leaflet = st.lists(st.lists(st.floats() | st.integers(), min_size=2, max_size=2), max_size=3)
# What each input or state would plausibly hold, mixed with anything at all.
PLAUSIBLE: dict[str, Any] = {
    "state.data": state,
    "url.pathname": st.builds(lambda c: "/grid/" + quote(c, safe=""), codes)
    | st.sampled_from(["/", "/screen", "/grid/", "/grid/%ZZ", "//grid/G1"])
    | text,
    "url.search": st.builds(lambda lang: "?lang=" + lang, text)
    | st.sampled_from(
        [
            "?lang=en&unit=hex:500&view=density&pick=G1",
            "?unit=community&window=7d&view=emerging",
            "?category=dispute&status=open&view=coverage&pick=C",
            "?window=2026-11-01/2026-11-03&layer=camera",
            "?window=24h&severity=1,x&unit=hex:1",
        ]
    )
    | text,
    "hot-built.data": st.sampled_from(["en", "zh-CN", None]),
    "hot-unit.value": st.sampled_from(["grid", "community", "hex", "planet"]),
    "hot-window.value": st.sampled_from(["24h", "90d", "all", "custom", "x"]),
    "hot-view.value": st.sampled_from(["classes", "density", "emerging", "coverage", "x"]),
    "hot-layer.value": st.sampled_from(["incident", "camera", "sensor", "grid"]),
    "hot-hex.value": st.floats() | st.integers(-10, 30000),
    "hot-category.value": choices,
    "hot-severity.value": choices,
    "incidents.getRowsRequest": st.fixed_dictionaries(
        {"startRow": rows | anything, "endRow": rows | anything},
        optional={"sortModel": st.lists(sort, max_size=2) | anything, "filterModel": anything},
    ),
    "filter-status.value": choices,
    "filter-category.value": choices,
    "filter-severity.value": choices,
    "map.bounds": leaflet,
    "map.zoom": st.floats() | st.integers(-5, 40),
    "level.value": st.sampled_from(["auto", *LEVELS, "planet", ""]),
    "metric.value": st.sampled_from(["composite", "open", "cameras", "nope"]),
    "layers.value": st.lists(st.sampled_from(["incident", "camera", "sensor", "grid"])),
    "search.search_value": text,
    "map-key.data": st.fixed_dictionaries(
        {"level": st.sampled_from(LEVELS) | anything, "version": st.integers(-1, 9) | anything}
    ),
    "screen-state.data": st.fixed_dictionaries(
        {"codes": st.lists(codes) | anything, "pos": st.integers(-3, 20) | anything}
    ),
    "alert-state.data": st.fixed_dictionaries(
        {"seen": st.integers(-1, 2**64) | anything, "until": st.floats() | anything}
    ),
}


def value_for(name: str) -> Any:
    """A strategy for one input's value."""
    return PLAUSIBLE.get(name, anything) | anything


def store_digest(conn: psycopg.Connection) -> dict[str, str]:
    """An md5 of every table's rows, by table name (PostGIS's own reference table aside)."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'spatial_ref_sys' ORDER BY tablename"
        )
    ]
    out = {}
    for table in tables:
        row = conn.execute(
            f"SELECT md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), ''))"
            f' FROM "{table}" t'
        ).fetchone()
        assert row is not None
        out[table] = row[0]
    return out


def server_callbacks(app: Dash) -> list[str]:
    """The outputs of every callback that runs on the server."""
    return sorted(k for k, spec in app.callback_map.items() if "callback" in spec)


def callback_body(app: Dash, key: str, draw: Any) -> dict[str, Any]:
    """A callback request as the browser shapes it, each value drawn."""
    spec = app.callback_map[key]

    def arg(item: dict[str, str]) -> dict[str, Any]:
        name = f"{item['id']}.{item['property']}"
        return {"id": item["id"], "property": item["property"], "value": draw(value_for(name))}

    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1].split("@")[0]}
        for o in key.strip(".").split("...")
    ]
    inputs = [arg(i) for i in spec["inputs"]]
    changed = draw(st.lists(st.sampled_from([f"{i['id']}.{i['property']}" for i in inputs])))
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": [arg(s) for s in spec["state"]],
        "changedPropIds": changed,
    }


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_callback_value_is_a_5xx_or_a_write(
    hostile: Dash, conn: psycopg.Connection, data: st.DataObject
) -> None:
    before = store_digest(conn)
    key = data.draw(st.sampled_from(server_callbacks(hostile)))
    body = callback_body(hostile, key, data.draw)
    answer = hostile.server.test_client().post("/_dash-update-component", json=body)
    assert answer.status_code < 500, (key, body, answer.get_data(as_text=True)[-800:])
    assert store_digest(conn) == before


ROUTES = [
    "/twin/outlines/{}.pbf",
    "/twin/outline/{}.pbf",
    "/twin/points/{}.pbf",
    "/grid/{}",
    "/{}",
    "/_dash-layout{}",
    "/twin/hotspots/units.pbf{}",
    "/twin/hotspots/density.png{}",
    "/hotspots{}",
    "/tiles/reference/{}/0/0.mvt",
    "/tiles/reference/14/{}/6765.mvt",
    "/tiles/reference/{}.mvt",
]
query_keys = st.sampled_from(
    ["bbox", "unit", "lang", "x", "window", "category", "layer", "severity"]
) | st.text(max_size=5)
query_values = (
    st.builds(",".join, st.lists(st.floats().map(str) | st.integers().map(str), max_size=5))
    | codes
    | text
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    route=st.sampled_from(ROUTES),
    part=codes | st.sampled_from(["grid", "district", "incident", "camera", "planet"]),
    query=st.dictionaries(query_keys, query_values, max_size=3),
    raw=st.booleans(),
)
def test_no_route_answers_a_5xx_or_writes(
    hostile: Dash, conn: psycopg.Connection, route: str, part: str, query: dict[str, str], raw: bool
) -> None:
    before = store_digest(conn)
    # Encoded as a browser would, or raw as a hand-made request might be.
    path = route.format(part if raw else quote(part, safe=""))
    if query:
        path += ("&" if "?" in path else "?") + urlencode(query)
    answer = hostile.server.test_client().get(path)
    assert answer.status_code < 500, (path, query, answer.get_data(as_text=True)[-800:])
    assert store_digest(conn) == before
