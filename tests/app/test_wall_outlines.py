"""An open wall or unit page redraws after a publish: the wall's tour mark, the city outline
and a unit page's selected outline carry the grid table's fingerprint (`?map=`), as the
cockpit's outline URLs do, so a new map is a new URL and the browser fetches the new
outlines."""

from __future__ import annotations

import re
from typing import Any

import psycopg
from dash import Dash

from tests.app.dash_client import call, find, version_now, wait_for_version
from twin.app import ids

SCREEN: dict[str, Any] = {
    "tour-tick.n_intervals": 1,
    "state.data": {"mode": "screen", "lang": "en", "unit": None},
    "screen-state.data": None,
    "alert-state.data": None,
}
MAP = r"map=\d+-\d+"


def tour_mark(app: Dash) -> str:
    """The outline URL the wall's next tour step marks its grid with."""
    body = call(app, f"{ids.TOUR_MARK}.url", SCREEN, "tour-tick.n_intervals").get_json()
    return str(body["response"][ids.TOUR_MARK]["url"])


def city(app: Dash, current: str | None) -> Any:
    """The city outline's URL once the page heard of a map, given the one it holds."""
    return call(app, f"{ids.CITY}.url", {"map-seen.data": "1-1", f"{ids.CITY}.url": current})


def test_the_tour_mark_and_the_city_outline_change_url_with_the_map(
    app: Dash, conn: psycopg.Connection
) -> None:
    mark = tour_mark(app)
    assert re.fullmatch(rf"/twin/outline/G\d\.pbf\?{MAP}", mark), mark
    served = app.server.test_client().get("/_dash-layout").get_json()
    first = find(served, ids.CITY)["url"]  # type: ignore[index]
    assert re.fullmatch(rf"/twin/outlines/district\.pbf\?{MAP}", first), first
    assert city(app, first).status_code == 204  # the same map: nothing to fetch again
    conn.execute("UPDATE grid SET name = 'redrawn' WHERE code = 'G1'")  # as a publish writes
    wait_for_version(app, version_now(app) + 2)  # a snapshot read after the write
    again = city(app, first).get_json()["response"][ids.CITY]["url"]
    assert again.startswith("/twin/outlines/district.pbf?map=") and again != first
    later = tour_mark(app)
    assert later.partition("?")[2] != mark.partition("?")[2]
    assert later.partition("?")[2] == again.partition("?")[2]  # one fingerprint for both


def selected(app: Dash, current: str | None) -> Any:
    """The open unit's outline URL once the page heard of a map, given the one it holds."""
    return call(
        app,
        f"{ids.SELECTED}.url@",
        {"map-seen.data": "1-1", f"{ids.SELECTED}.url": current},
        "map-seen.data",
    )


def test_an_open_unit_page_fetches_its_outline_anew_after_a_publish(
    app: Dash, conn: psycopg.Connection
) -> None:
    state = {"state.data": {"mode": "unit", "lang": "en", "unit": "G1"}}
    moved = call(app, "map.viewport", state).get_json()["response"]
    first = moved[ids.SELECTED]["url"]
    assert re.fullmatch(rf"/twin/outline/G1\.pbf\?{MAP}", first), first
    assert selected(app, first).status_code == 204  # the same map: nothing to fetch again
    conn.execute("UPDATE grid SET name = 'redrawn' WHERE code = 'G1'")  # as a publish writes
    wait_for_version(app, version_now(app) + 2)
    again = selected(app, first).get_json()["response"][ids.SELECTED]["url"]
    assert again.startswith("/twin/outline/G1.pbf?map=") and again != first
    assert selected(app, None).status_code == 204  # no unit open: nothing


def test_a_page_without_a_city_outline_gets_none(app: Dash) -> None:
    assert city(app, None).status_code == 204
