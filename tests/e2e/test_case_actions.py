"""A duty officer acts on cases in the browser: from the case page (dispatch, escalate,
resolve, close, each confirmed, the name asked once and kept) and from a unit page's case
table (the same by quick actions); the unit's tiles follow; photos show; nothing outside."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import psycopg
from playwright.sync_api import Page, expect

from tests.app.test_api_cases import png
from tests.e2e.conftest import Served, Watched, screenshot
from tests.e2e.test_map import assert_clean
from tests.e2e.test_unit_live import quiet_grid


def post(url: str, body: bytes, kind: str = "application/json") -> Any:
    request = urllib.request.Request(url, body, {"Content-Type": kind}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def new_case(served: Served, grid: str, code: str) -> None:
    """A reported case in the grid, through the API, with a photo."""
    with psycopg.connect(served.db_url) as conn:
        row = conn.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM grid"
            " WHERE code = %s) g",
            [grid],
        ).fetchone()
    assert row is not None
    body = {
        "code": code,
        "category": "sanitation",
        "severity": 3,
        "source": "hotline",
        "lon": row[0],
        "lat": row[1],
        "description": "<b>rubbish</b> by the gate",
        "actor": "12345",
    }
    post(f"{served.url}/api/cases", json.dumps(body).encode())
    post(f"{served.url}/api/cases/{code}/photos?actor=12345", png(3, 2), "image/png")


def tile(page: Page, key: str) -> int:
    value = page.locator(f"#kpi-{key}").get_attribute("data-value")
    assert value is not None
    return int(float(value))


def confirm(page: Page, prefix: str, says: str, name: str | None = None, **typed: str) -> None:
    """The dialog opened: check what it says it will do, fill it in, confirm."""
    box = page.locator(f"#{prefix}-dialog-dialog")
    expect(box).to_be_visible()
    expect(page.locator(f"#{prefix}-dialog-text")).to_contain_text(says)
    for part, value in typed.items():
        page.locator(f"#{prefix}-dialog-{part}").fill(value)
    if name is not None:
        page.locator(f"#{prefix}-dialog-actor").fill(name)
    page.locator(f"#{prefix}-dialog-confirm").click()
    expect(box).to_be_hidden()


def test_from_the_case_page(served: Served, watched: Watched) -> None:
    page = watched.page
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    grid, _ = quiet_grid(served.db_url)
    new_case(served, grid, "E2E-PAGE")
    page.goto(f"{served.url}/grid/{grid}")
    open_before = tile(page, "open")
    closed_before = tile(page, "closed_today")
    link = page.locator("#incidents .ag-row [col-id='code'] a", has_text="E2E-PAGE")
    link.click()  # the table's code is a link to the case page
    expect(page.locator("#case-title")).to_have_text("事件 E2E-PAGE")
    expect(page.locator(".case-fields dd", has_text="<b>rubbish</b> by the gate")).to_be_visible()
    img = page.locator("#case-photos img")
    expect(img).to_have_count(1)
    page.wait_for_function("() => document.querySelector('#case-photos img').naturalWidth === 3")

    page.locator(".case-action.act-dispatch").click()
    # Without a name nothing is done: the dialog says so and stays.
    page.locator("#case-dialog-confirm").click()
    expect(page.locator("#case-dialog-error")).to_have_text("请先填写您的姓名")
    confirm(page, "case", "分派", name="值班员甲", department="城管执法中队", note="请速处理")
    expect(page.locator("#case-department")).to_have_text("城管执法中队")
    expect(page.locator("#case-status")).to_have_text("已分派")
    expect(page.locator("#case-result")).to_have_text("已完成：分派 E2E-PAGE")

    page.locator(".case-action.act-escalate").click()
    expect(page.locator("#case-dialog-actor")).to_have_value("值班员甲")  # kept in the browser
    confirm(page, "case", "督办")
    expect(page.locator("#case-status")).to_have_text("督办中")
    page.locator(".case-action.act-resolve").click()
    confirm(page, "case", "办结")
    expect(page.locator("#case-status")).to_have_text("已办结")
    page.locator(".case-action.act-close").click()
    confirm(page, "case", "结案")
    expect(page.locator("#case-status")).to_have_text("已归档")
    expect(page.locator("#case-actions .case-action:visible")).to_have_text(["合并到…"])
    timeline = page.locator("#case-timeline tbody tr")
    expect(timeline.filter(has_text="值班员甲")).to_have_count(4)
    expect(timeline.filter(has_text="请速处理")).to_have_count(1)
    screenshot(page, "case-page")

    page.locator("#case-unit a").click()  # back to the unit: its tiles counted the close
    expect(page.locator("#kpi-open")).to_have_attribute("data-value", str(open_before - 1))
    expect(page.locator("#kpi-closed_today")).to_have_attribute(
        "data-value", str(closed_before + 1)
    )
    with psycopg.connect(served.db_url) as conn:
        actors = conn.execute(
            "SELECT e.action, e.actor FROM incident_event e JOIN incident i"
            " ON i.id = e.incident_id WHERE i.code = 'E2E-PAGE' AND e.actor = '值班员甲'"
            " ORDER BY e.id"
        ).fetchall()
    assert [a for a, _ in actors] == ["dispatch", "escalate", "resolve", "close"]
    assert failed == [], watched.errors
    assert_clean(watched, served.url)


def test_from_the_unit_table(served: Served, watched: Watched) -> None:
    page = watched.page
    grid, _ = quiet_grid(served.db_url)
    new_case(served, grid, "E2E-ROW")
    page.goto(f"{served.url}/grid/{grid}")
    open_before = tile(page, "open")
    closed_before = tile(page, "closed_today")
    row = page.locator("#incidents .ag-center-cols-container .ag-row", has_text="E2E-ROW")
    row.locator("select.case-quick").select_option("dispatch")
    confirm(page, "unit-case", "分派", name="值班员乙", department="环卫所")
    expect(row.locator("[col-id='status']")).to_have_text("已分派")
    row.locator("select.case-quick").select_option("escalate")
    confirm(page, "unit-case", "督办")
    expect(row.locator("[col-id='status']")).to_have_text("督办中")
    # what 督办中 allows of the quick actions (the menu's first entry is its label)
    expect(row.locator("select.case-quick option")).to_have_text(["操作 ▾", "分派", "办结"])
    row.locator("select.case-quick").select_option("resolve")
    confirm(page, "unit-case", "办结")
    expect(page.locator("#kpi-open")).to_have_attribute("data-value", str(open_before - 1))
    expect(row).to_have_count(0)  # a resolved case is no longer open: it left the open list
    page.locator("#case-scope").get_by_text("全部", exact=True).click()
    # Newest report first (the header's first click sorts descending): the case leads.
    page.locator("#incidents .ag-header-cell[col-id='reported_at']").click()
    row.locator("select.case-quick").select_option("close")
    confirm(page, "unit-case", "结案")
    expect(row.locator("[col-id='status']")).to_have_text("已归档")
    expect(page.locator("#kpi-closed_today")).to_have_attribute(
        "data-value", str(closed_before + 1)
    )
    expect(page.locator("#unit-case-result")).to_have_text("已完成：结案 E2E-ROW")
    screenshot(page, "unit-case-actions")
    assert_clean(watched, served.url)
