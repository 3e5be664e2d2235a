"""Calling the served app as the browser does: one callback by its output, a layout search."""

from __future__ import annotations

import time
from typing import Any

from dash import Dash

from twin.app import ids
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.settings import Settings

# The catalog's open statuses as an SQL list, for the tests' own counts.
OPEN = str(Terms.of(load_catalog(Settings().layers_dir)).open_statuses)


def call(app: Dash, output: str, values: dict[str, Any], trigger: str | None = None) -> Any:
    """POST one callback (found by an output id.prop; "id.prop@" for the one that shares the
    output with allow_duplicate) as the browser would; the response."""
    key = next(
        k
        for k in app.callback_map
        if any(
            part.startswith(output) if output.endswith("@") else part == output
            for part in k.strip(".").split("...")
        )
    )
    spec = app.callback_map[key]

    def arg(item: dict[str, str]) -> dict[str, Any]:
        name = f"{item['id']}.{item['property']}"
        return {"id": item["id"], "property": item["property"], "value": values.get(name)}

    outputs = [
        {"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")
    ]
    body = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [arg(i) for i in spec["inputs"]],
        "state": [arg(s) for s in spec["state"]],
        "changedPropIds": [trigger or next(iter(values))],
    }
    return app.server.test_client().post("/_dash-update-component", json=body)


def find(node: object, id_: str) -> dict[str, Any] | None:
    """The props of the component with that id anywhere in a layout tree."""
    if isinstance(node, dict):
        props = node.get("props", {})
        if isinstance(props, dict) and props.get("id") == id_:
            return props
        node = list(node.values())
    if isinstance(node, list):
        for value in node:
            hit = find(value, id_)
            if hit:
                return hit
    return None


MAP_VALUES: dict[str, Any] = {
    "state.data": {"mode": "cockpit", "lang": "en", "unit": None},
    "metric.value": "open",
    "level.value": "grid",
    "map.zoom": 12,
    "map.bounds": [[30.0, 114.0], [30.02, 114.02]],
    "refresh.n_intervals": None,
}


def version_now(app: Dash) -> int:
    """The version of the snapshot the map callback reads now (a call with no map key)."""
    body = call(app, "units.hideout", MAP_VALUES).get_json()["response"]
    return int(body[ids.MAP_KEY]["data"]["version"])


def wait_for_version(app: Dash, at_least: int) -> None:
    """Until the background reader has stored that snapshot version (or 10 s: a failure)."""
    deadline = time.monotonic() + 10
    while version_now(app) < at_least:
        assert time.monotonic() < deadline, f"no snapshot version {at_least} within 10 s"
        time.sleep(0.1)
