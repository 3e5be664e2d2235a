"""The performance page in a real browser over the small demo: its controls change the URL
and the table, a unit's row opens its page, charts drawn offline, both languages, nothing
fetched from outside, no console error."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import psycopg
from playwright.sync_api import expect

from tests.e2e.conftest import NOW, Served, Watched, screenshot
from tests.e2e.test_hotspots import pick_option
from tests.e2e.test_map import assert_clean
from twin.activity import Clock

NAMES = "#perf-table .ag-pinned-left-cols-container .ag-row [col-id='name']"


def names(db_url: str, sql: str) -> set[str]:
    with psycopg.connect(db_url) as conn:
        return {str(r[0]) for r in conn.execute(sql).fetchall()}


def test_controls_change_the_url_and_the_table(served: Served, watched: Watched) -> None:
    page = watched.page
    today = Clock(NOW).local.date()
    period = f"{today - timedelta(days=29)}/{today}"  # the demo's cases: the weeks before now
    page.goto(f"{served.url}/performance?lang=en&period={quote(period, safe='')}&by=district")
    expect(page.locator(".perf-title")).to_have_text("Performance evaluation")
    expect(page.locator("#nav-performance")).to_have_class(re.compile("active"))
    districts = names(served.db_url, "SELECT name FROM grid WHERE level = 'district'")
    expect(page.locator(NAMES).first).to_be_visible()
    shown = set(page.locator(NAMES).all_inner_texts()) - {"None"}
    assert shown == districts
    expect(page.locator("#perf-summary")).to_contain_text(f"{today - timedelta(days=29)} to")
    expect(page.locator("#perf-rank-chart .bars path").first).to_be_visible()
    screenshot(page, "performance-en")

    pick_option(page, "perf-by", "Department")
    expect(page).to_have_url(re.compile(r"by=department"))
    departments = names(
        served.db_url, "SELECT DISTINCT department FROM incident WHERE department IS NOT NULL"
    )
    expect(page.locator(NAMES).filter(has_text=sorted(departments)[0])).to_have_count(1)
    assert set(page.locator(NAMES).all_inner_texts()) - {"None"} <= departments
    assert not set(page.locator(NAMES).all_inner_texts()) & districts

    pick_option(page, "perf-rank", "Escalations")
    expect(page).to_have_url(re.compile(r"rank=escalations"))
    expect(page.locator("#perf-rank-chart .gtitle")).to_contain_text("Escalations: top")

    # The language switch keeps the choices.
    page.locator("#lang-link").click()
    expect(page).to_have_url(re.compile(r"\?lang=zh-CN&period=.*&by=department&rank=escalations"))
    expect(page.locator(".perf-title")).to_have_text("绩效评估")
    page.locator("#lang-link").click()
    expect(page.locator(".perf-title")).to_have_text("Performance evaluation")

    # A unit of a level links to its page.
    pick_option(page, "perf-by", "Street")
    expect(page).to_have_url(re.compile(r"by=street"))
    link = page.locator("#perf-table a.unit-link").first
    expect(link).to_be_visible()
    name = link.inner_text()
    link.click()
    expect(page).to_have_url(re.compile(r"/grid/[^?]+\?lang=en"))
    expect(page.locator("#unit-head")).to_contain_text(name)
    assert_clean(watched, served.url)


def test_the_page_reads_in_chinese_by_default(served: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{served.url}/performance")
    expect(page.locator(".perf-title")).to_have_text("绩效评估")
    expect(page.locator("#perf-table .ag-header")).to_contain_text("按时分派率")
    expect(page.locator("#perf-by")).to_contain_text("处置部门")
    assert_clean(watched, served.url)
