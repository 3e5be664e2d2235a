"""The unit page's case table in a real browser: AG Grid asks the server for one page at a
time, sorted and filtered there; the rows match plain SQL, and nothing comes from outside."""

from __future__ import annotations

import json
from typing import Any

import psycopg
from playwright.sync_api import Page, Response, expect

from tests.e2e.conftest import Served, Watched, screenshot
from tests.e2e.test_map import assert_clean
from twin.catalog import load_catalog
from twin.settings import Settings

PAGE_ROWS = 15
# The codes shown, in the grid's row order (its DOM order need not be the display order).
SHOWN = """() => [...document.querySelectorAll('#incidents .ag-center-cols-container .ag-row')]
  .map(r => [Number(r.getAttribute('row-index')), r.querySelector('[col-id="code"]')])
  .filter(([, cell]) => cell && cell.textContent)
  .sort((a, b) => a[0] - b[0]).map(([, cell]) => cell.textContent)"""


def busiest_district(db_url: str) -> tuple[str, int]:
    """The district with the most cases, and how many it has."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute("""
            SELECT g.code, count(*) FROM grid g
            JOIN grid_ancestor a ON a.ancestor_id = g.id JOIN incident i ON i.grid_id = a.grid_id
            WHERE g.level = 'district' GROUP BY g.code ORDER BY count(*) DESC, g.code
            LIMIT 1""").fetchone()
    assert row is not None
    return row[0], row[1]


CASES = load_catalog(Settings().layers_dir)["incident"]
STATUSES, SEVERITY = CASES.field("status"), CASES.field("severity")
OPEN = list(STATUSES.open_values)  # the table opens on these
ARCHIVED = [v for v in STATUSES.allowed if v not in OPEN]


def sql_page(
    db_url: str,
    code: str,
    order: str,
    page: int,
    severity: int | None = None,
    statuses: list[str] = OPEN,
) -> list[str]:
    """A page of the unit's case codes by plain SQL (ties in insertion order, as the store)."""
    assert order in ("due_at ASC", "severity DESC", "severity ASC")
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            f"""SELECT i.code FROM incident i
                WHERE i.grid_id IN (SELECT a.grid_id FROM grid_ancestor a
                                    JOIN grid g ON g.id = a.ancestor_id WHERE g.code = %s)
                  AND (%s::int IS NULL OR i.severity = %s) AND i.status = ANY(%s)
                ORDER BY i.{order}, i.id LIMIT %s OFFSET %s""",
            [code, severity, severity, statuses, PAGE_ROWS, page * PAGE_ROWS],
        ).fetchall()
    return [r[0] for r in rows]


def sql_count(
    db_url: str, code: str, severity: int | None = None, statuses: list[str] = OPEN
) -> int:
    """How many of the unit's cases have that severity and status, by plain SQL."""
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            """SELECT count(*) FROM incident i
               WHERE i.grid_id IN (SELECT a.grid_id FROM grid_ancestor a
                                   JOIN grid g ON g.id = a.ancestor_id WHERE g.code = %s)
                 AND (%s::int IS NULL OR i.severity = %s) AND i.status = ANY(%s)""",
            [code, severity, severity, statuses],
        ).fetchone()
    assert row is not None
    return int(row[0])


def cases_text(n: int) -> str:
    """The English case count as the page words it (one case, many cases)."""
    return f"{n:,} case" if n == 1 else f"{n:,} cases"


def record_pages(page: Page) -> list[dict[str, Any]]:
    """Every case page the server sends, as the browser receives it."""
    pages: list[dict[str, Any]] = []

    def keep(response: Response) -> None:
        if "/_dash-update-component" not in response.url or response.status != 200:
            return
        out = response.json().get("response", {}).get("incidents", {})
        if "getRowsResponse" in out:
            pages.append(out["getRowsResponse"])

    page.on("response", keep)
    return pages


def expect_rows(page: Page, codes: list[str]) -> None:
    """Wait until the grid shows exactly these codes in this order."""
    want = json.dumps(codes, separators=(",", ":"))  # as JSON.stringify writes it
    page.wait_for_function(
        f"() => JSON.stringify(({SHOWN})()) === {json.dumps(want)}", timeout=15_000
    )


def test_the_case_table_pages_and_sorts_on_the_server(served: Served, watched: Watched) -> None:
    page = watched.page
    pages = record_pages(page)
    code, _ = busiest_district(served.db_url)
    total = sql_count(served.db_url, code)  # the table opens on open cases
    assert total > 3 * PAGE_ROWS  # enough for the pages below to differ
    page.goto(f"{served.url}/grid/{code}")
    expect_rows(page, sql_page(served.db_url, code, "due_at ASC", 0))
    pager = page.locator("#incidents .ag-paging-panel")
    next_page = pager.get_by_role("button", name="下一页")
    expect(pager).to_contain_text(f"页码 1 共 {-(-total // PAGE_ROWS)}")
    expect(pager).to_contain_text(f"{total:,}")
    expect(page.locator("#case-count")).to_have_text(f"共 {total:,} 件")
    page.locator("#incidents").scroll_into_view_if_needed()
    screenshot(page, "case-table")

    page.locator('#incidents .ag-header-cell[col-id="severity"] .ag-header-cell-label').click()
    expect_rows(page, sql_page(served.db_url, code, "severity DESC", 0))
    next_page.click()
    expect_rows(page, sql_page(served.db_url, code, "severity DESC", 1))
    expect(pager).to_contain_text("页码 2 共")
    page.locator('#incidents .ag-header-cell[col-id="severity"] .ag-header-cell-label').click()
    expect_rows(page, sql_page(served.db_url, code, "severity ASC", 0))  # a new sort: page 1

    # A filter above the table: the server answers again, from the first page.
    next_page.click()
    expect_rows(page, sql_page(served.db_url, code, "severity ASC", 1))
    # Five answers so far (first page, sort, page 2, new sort, page 2). The grid can show a
    # page before Playwright hands this test the response event, so let events arrive.
    for _ in range(50):
        if len(pages) >= 5:
            break
        page.wait_for_timeout(100)
    unfiltered = len(pages)
    # The most serious severity the district's open cases have (the demo may have no open 1).
    level = next(v for v in SEVERITY.values if sql_count(served.db_url, code, int(v.value)))
    page.locator("#filter-severity").click()
    page.get_by_role("option").filter(has_text=level.label.zh).click()
    page.keyboard.press("Escape")
    expect_rows(page, sql_page(served.db_url, code, "severity ASC", 0, severity=int(level.value)))
    expect(pager).to_contain_text("页码 1 共")
    severe = sql_count(served.db_url, code, severity=int(level.value))
    expect(page.locator("#case-count")).to_have_text(f"共 {severe:,} 件")

    # The server sent pages, never the district's cases: each answer a page, the count beside.
    # (A refresh may re-read a page in between: it is a page of the same kind.)
    assert unfiltered >= 5 and len(pages) > unfiltered
    assert [len(p["rowData"]) for p in pages[:unfiltered]] == [PAGE_ROWS] * unfiltered
    assert {p["rowCount"] for p in pages[:unfiltered]} == {total}
    filtered = [p for p in pages[unfiltered:] if p["rowCount"] == severe]
    assert filtered and all(0 < len(p["rowData"]) <= PAGE_ROWS for p in filtered[-1:])
    served_chunks = [u for u in watched.requests if "dash_ag_grid" in u]
    assert any("async-community.js" in u for u in served_chunks)  # AG Grid's code, from here
    assert_clean(watched, served.url)


# The overdue rows on show: whether each is marked by class, and its time-to-due text.
OVERDUE_MARKS = """() => [...document.querySelectorAll('#incidents .ag-center-cols-container'
    + ' .ag-row')]
  .filter(r => r.querySelector('[col-id="code"]') && r.querySelector('[col-id="code"]').textContent)
  .map(r => [r.querySelector('[col-id="code"]').textContent, r.classList.contains('case-overdue'),
             r.querySelector('[col-id="time_to_due"]').textContent])"""


def test_overdue_cases_lead_marked_and_archived_ones_are_one_click_away(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    code, _ = busiest_district(served.db_url)
    with psycopg.connect(served.db_url) as conn:
        late = {
            r[0]
            for r in conn.execute(
                """SELECT i.code FROM incident i
                   WHERE i.grid_id IN (SELECT a.grid_id FROM grid_ancestor a
                                       JOIN grid g ON g.id = a.ancestor_id WHERE g.code = %s)
                     AND i.status = ANY(%s) AND i.due_at < now()""",
                [code, OPEN],
            )
        }
    assert len(late) > PAGE_ROWS  # the whole first page is overdue, the most overdue first
    page.goto(f"{served.url}/grid/{code}?lang=en")
    first = sql_page(served.db_url, code, "due_at ASC", 0)
    expect_rows(page, first)
    marks = page.evaluate(OVERDUE_MARKS)
    assert [m[0] for m in marks] == first and set(first) <= late
    assert all(m[1] for m in marks)  # a class (the colour) on every overdue row ...
    assert all(m[2].startswith("overdue ") for m in marks)  # ... and a word, not colour alone
    assert page.locator("#case-empty").is_hidden()

    page.locator("#case-scope").get_by_text("Archived", exact=True).click()
    archived = sql_count(served.db_url, code, statuses=ARCHIVED)
    expect(page.locator("#case-count")).to_have_text(cases_text(archived))
    expect_rows(page, sql_page(served.db_url, code, "due_at ASC", 0, statuses=ARCHIVED))
    assert page.locator("#incidents .case-overdue").count() == 0  # archived: none overdue

    # A status that is never archived, chosen under "Archived": nothing, and it says so.
    page.locator("#filter-status").click()
    page.get_by_role("option").filter(has_text="Reported").click()
    page.keyboard.press("Escape")
    expect(page.locator("#case-empty")).to_have_text("No case matches these filters")
    expect(page.locator("#case-count")).to_have_text(cases_text(0))
    expect_rows(page, [])
    page.locator("#case-scope").get_by_text("All", exact=True).click()
    reported = sql_count(served.db_url, code, statuses=["reported"])
    expect(page.locator("#case-count")).to_have_text(cases_text(reported))
    expect(page.locator("#case-empty")).to_be_hidden()
    screenshot(page, "case-table-scope")
    assert_clean(watched, served.url)


def test_a_child_in_the_ranking_opens_without_reloading(served: Served, watched: Watched) -> None:
    page = watched.page
    code, _ = busiest_district(served.db_url)
    page.goto(f"{served.url}/grid/{code}?lang=en")
    first = page.locator("#children .ag-row[row-index='0'] a.unit-link")
    name = first.inner_text()
    with psycopg.connect(served.db_url) as conn:
        row = conn.execute(
            "SELECT code FROM grid WHERE name = %s AND parent_id = (SELECT id FROM grid"
            " WHERE code = %s)",
            [name, code],
        ).fetchone()
    assert row is not None
    first.click()
    expect(page.locator("#unit-title")).to_contain_text(name)
    assert page.url == f"{served.url}/grid/{row[0]}?lang=en"  # the language kept
    expect(page.locator("#incidents .ag-paging-panel")).to_contain_text("Page 1 of")
    documents = [u for u in watched.requests if "/grid/" in u and "/twin/" not in u]
    assert documents == [f"{served.url}/grid/{code}?lang=en"]  # one page load, then the app
    assert_clean(watched, served.url)
