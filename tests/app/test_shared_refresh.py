"""Twenty pages on the same view of the same snapshot cost one build of what they show."""

from __future__ import annotations

import time
from typing import Any

import pytest
from dash import Dash

from tests.app.dash_client import call
from twin.app import cockpit, ids


def test_a_second_page_of_the_same_view_is_not_rebuilt(
    app: Dash, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = versions_built(monkeypatch)
    state = {"mode": "cockpit", "lang": "en", "unit": None}
    seen: set[int] = set()
    for _ in range(5):  # the reader makes a new version every 0.5 s: two asks within one
        answers = [ask(app, state) for _ in range(2)]
        versions = {a[ids.FRESH]["data"]["version"] for a in answers}
        seen |= versions
        if len(versions) == 1:
            break
    assert len(versions) == 1
    assert answers[0][ids.CITY_TILES] == answers[1][ids.CITY_TILES]
    # Each version was built once, however many asks (some by the reader, ahead of any ask).
    assert len(built) == len(set(built)) and seen <= set(built)


def test_the_reader_builds_a_view_pages_asked_for_before_they_ask_again(
    app: Dash, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = versions_built(monkeypatch)
    state = {"mode": "cockpit", "lang": "en", "unit": None}
    asked = ask(app, state)[ids.FRESH]["data"]["version"]
    deadline = time.monotonic() + 10
    while max(built) <= asked and time.monotonic() < deadline:
        time.sleep(0.1)  # no page asks: only the reader can build the next versions
    assert max(built) > asked
    # A page asking now is answered from what the reader built.
    now = ask(app, state)[ids.FRESH]["data"]["version"]
    assert built.count(now) == 1


def versions_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The snapshot versions the cockpit's view is built for, in order, from now on."""
    built: list[int] = []
    real = cockpit.section_keys

    def counted(snap: Any, *args: Any, **kwargs: Any) -> Any:
        built.append(snap.version)
        return real(snap, *args, **kwargs)

    monkeypatch.setattr(cockpit, "section_keys", counted)
    return built


def ask(app: Dash, state: dict[str, Any]) -> dict[str, Any]:
    """The cockpit's refresh as a page holding nothing asks for it."""
    values = {"refresh.n_intervals": 1, "state.data": state}
    answer: dict[str, Any] = call(app, "city-tiles.children", values).get_json()["response"]
    return answer
