"""The performance page over HTTP on the hand-made grid world: its parts from the URL,
its evaluation following the URL, bad choices shown (never a 500), names from data as text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from dash import Dash

from tests.app.conftest import SCRIPT
from tests.app.dash_client import call, find
from twin.activity import Clock
from twin.app import ids

PERF = {"mode": "performance", "lang": "en", "unit": None, "window": "30d"}


def this_week() -> str:
    """The seven local days up to today (the world's cases are reported up to 4 days ago)."""
    today = Clock(datetime.now(UTC)).local.date()
    return f"{today - timedelta(days=6)}/{today}"


def built(app: Dash, search: str) -> Any:
    values = {"state.data": PERF, "url.search": search, "page-performance.children": None}
    response = call(app, "page-performance.children", values, "state.data")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]["page-performance"]["children"]


def followed(app: Dash, search: str) -> dict[str, Any]:
    values = {"url.search": search, "url.pathname": "/performance/"}
    response = call(app, "perf-summary.children", values, "url.search")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["response"]  # type: ignore[no-any-return]


def test_the_page_is_served_and_routed(app: Dash) -> None:
    assert app.server.test_client().get("/performance?lang=en").status_code == 200
    route = call(app, "state.data", {"url.pathname": "/performance", "url.search": "?lang=en"})
    out = route.get_json()["response"]
    assert out[ids.STATE]["data"]["mode"] == "performance"
    assert out["page-performance"]["hidden"] is False
    nav = json.dumps(out[ids.NAV]["children"])
    assert "Performance" in nav and "/performance?lang=en" in nav


def test_the_page_is_built_with_the_urls_choices(app: Dash) -> None:
    page = built(app, f"?lang=en&period={this_week()}&by=grid&rank=overdue_rate")
    assert page["props"]["data-lang"] == "en"
    assert find(page, ids.PERF_PERIOD)["value"] == this_week()  # type: ignore[index]
    assert find(page, ids.PERF_BY)["value"] == "grid"  # type: ignore[index]
    table = find(page, ids.PERF_TABLE)
    assert table is not None
    # G1 holds E0 (overdue) and E1; G2 E2: the worst overdue rate ranks last.
    ranked = [(r["unit"], r["cases"], r["overdue_rate"]) for r in table["rowData"]]
    assert ranked == [("G2", 1, 0.0), ("G1", 2, 0.5), ("G3", 0, None), ("G4", 0, None)]
    assert table["rowData"][0]["href"] == "/grid/G2?lang=en"


def test_the_evaluation_follows_the_url(app: Dash) -> None:
    out = followed(app, f"?lang=en&period={this_week()}&by=department")
    rows = out[ids.PERF_TABLE]["rowData"]
    assert [(r["name"], r["cases"]) for r in rows] == [("None", 3)]  # dispatched to nobody
    assert "href" not in rows[0]  # a department has no page
    assert out[ids.PERF_ERROR]["children"] == ""
    assert "3 cases" in out[ids.PERF_SUMMARY]["children"]
    figure = out[ids.PERF_RANK_CHART]["figure"]
    assert figure["data"][0]["y"] == ["None"]


def test_bad_choices_are_shown_and_read_as_the_defaults(app: Dash) -> None:
    out = followed(app, "?lang=en&period=2026-99&by=county&rank=%00")
    error = out[ids.PERF_ERROR]["children"]
    assert error.startswith("Not a valid choice: period '2026-99'")
    assert "by 'county'" in error and "rank " in error
    assert out[ids.PERF_TABLE]["columnDefs"][1]["field"] == "name"


def test_a_name_from_data_stays_text(hostile: Dash) -> None:
    out = followed(hostile, f"?lang=en&period={this_week()}&by=grid&rank=cases")
    names = [r["name"] for r in out[ids.PERF_TABLE]["rowData"]]
    assert SCRIPT in names  # AG Grid's UnitLink renders it as text
    labels = out[ids.PERF_RANK_CHART]["figure"]["data"][0]["y"]
    assert any(label.startswith("&lt;img src=x onerror=alert(1)&gt;") for label in labels)
