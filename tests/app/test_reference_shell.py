"""The shell map's reference-layer settings per page: on in the cockpit, off and dimmed on
the wall unless TWIN_WALL_REFERENCE, the toggle's label in the page's language."""

from __future__ import annotations

from typing import Any

import pytest
from dash import Dash

from twin.app import ids
from twin.app.reference_map import store_id
from twin.settings import Settings, SettingsError


def shell_config(app: Dash, mode: str, lang: str) -> dict[str, Any]:
    state = {"mode": mode, "lang": lang, "unit": None, "window": "30d"}
    body = {
        "output": f"{store_id(ids.MAP)}.data",
        "outputs": {"id": store_id(ids.MAP), "property": "data"},
        "inputs": [{"id": ids.STATE, "property": "data", "value": state}],
        "state": [],
        "changedPropIds": [f"{ids.STATE}.data"],
    }
    answer = app.server.test_client().post("/_dash-update-component", json=body)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["response"][store_id(ids.MAP)]["data"]


def test_the_cockpit_starts_with_them_and_the_wall_without_dimmed(app: Dash) -> None:
    cockpit = shell_config(app, "cockpit", "en")
    assert (cockpit["on"], cockpit["dim"], cockpit["label"]) == (
        True,
        False,
        "Streets, water, buildings",
    )
    assert cockpit["url"].startswith("/tiles/reference/{z}/{x}/{y}.mvt?v=")
    assert sorted(layer["name"] for layer in cockpit["layers"]) == [
        "building",
        "landmark",
        "road",
        "water",
    ]
    wall = shell_config(app, "screen", "zh-CN")
    assert (wall["on"], wall["dim"], wall["label"]) == (False, True, "道路·水系·建筑")
    assert store_id(ids.MAP) == ids.MAP_REFERENCE


def test_the_wall_setting_is_a_yes_or_no() -> None:
    assert Settings.from_env({"TWIN_WALL_REFERENCE": "1"}).wall_reference is True
    assert Settings.from_env({"TWIN_WALL_REFERENCE": "0"}).wall_reference is False
    assert Settings.from_env({}).wall_reference is False
    with pytest.raises(SettingsError, match="TWIN_WALL_REFERENCE='maybe'"):
        Settings.from_env({"TWIN_WALL_REFERENCE": "maybe"})
