"""Twenty pages on the same view of the same snapshot cost one build of what they show."""

from __future__ import annotations

from typing import Any

import pytest
from dash import Dash

from tests.app.dash_client import call
from twin.app import cockpit, ids


def test_a_second_page_of_the_same_view_is_not_rebuilt(
    app: Dash, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    real = cockpit.build_tiles

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cockpit, "build_tiles", counted)
    state = {"mode": "cockpit", "lang": "en", "unit": None}
    seen: set[int] = set()
    for _ in range(5):  # the reader makes a new version every 0.5 s: two asks within one
        answers = [
            call(
                app, "city-tiles.children", {"refresh.n_intervals": 1, "state.data": state}
            ).get_json()["response"]
            for _ in range(2)
        ]
        versions = {a[ids.FRESH]["data"]["version"] for a in answers}
        seen |= versions
        if len(versions) == 1:
            break
    assert len(versions) == 1
    assert answers[0][ids.CITY_TILES] == answers[1][ids.CITY_TILES]
    # Each version seen was built once, however many asks (an earlier try may have built it).
    assert len(built) == len(seen)
