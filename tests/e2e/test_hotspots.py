"""The hotspot page in a real browser over the small demo: filters change the map and the
list and stay in the URL, a hotspot's click opens its cases and its unit page, both
languages, nothing fetched from outside, no console error."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served, Watched
from tests.e2e.test_map import assert_clean
from twin.app.i18n import MESSAGES

SCREENS = Path(__file__).resolve().parents[2] / "artifacts" / "screens"
EMERGING_WORDS = {en for key, (_, en) in MESSAGES.items() if key.startswith("emg_")} | {"Island"}
UNITS = "#hot-map .leaflet-overlay-pane path.leaflet-interactive"


def shot(page: Page, name: str) -> None:
    """A screenshot for people to look at (artifacts/screens/, not committed)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"))


def count(db_url: str, sql: str) -> int:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def pick_option(page: Page, control: str, label: str) -> None:
    """Choose an option of a dropdown by its label."""
    page.locator(f"#{control}").click()
    page.get_by_role("option").filter(has_text=re.compile(f"^{re.escape(label)}$")).first.click()
    page.keyboard.press("Escape")  # a multi-choice list stays open otherwise


def test_filters_change_the_map_and_the_list_and_a_click_opens_the_cases(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.goto(f"{served.url}/hotspots?lang=en")
    grids = count(served.db_url, "SELECT count(*) FROM grid WHERE level = 'grid'")
    expect(page.locator(UNITS)).to_have_count(grids)
    expect(page.locator("#hot-summary")).to_contain_text(f"{grids} units")
    expect(page.locator("#hot-legend")).to_contain_text("Hot spot 99%")
    rows = page.locator("#hot-ranked li")
    expect(rows.first).to_be_visible()
    # The trend column is filled on the class view too, each with an emerging category.
    trends = page.locator("#hot-ranked .hot-trend").all_inner_texts()
    assert len(trends) == rows.count()
    assert set(trends) <= EMERGING_WORDS, set(trends) - EMERGING_WORDS
    shot(page, "hotspots-en")

    # The unit of analysis: the map redraws with the communities, the list follows.
    pick_option(page, "hot-unit", "Community")
    expect(page).to_have_url(re.compile(r"/hotspots\?lang=en&unit=community$"))
    communities = count(served.db_url, "SELECT count(*) FROM grid WHERE level = 'community'")
    expect(page.locator(UNITS)).to_have_count(communities)
    expect(page.locator("#hot-summary")).to_contain_text(f"{communities} units")

    # One category: every hotspot's mix is that category alone.
    pick_option(page, "hot-category", "Sanitation")
    expect(page).to_have_url(re.compile(r"category=sanitation"))
    mixes = page.locator("#hot-ranked .hot-mix")
    expect(mixes.first).to_have_text("Sanitation 100%")
    for text in mixes.all_inner_texts():
        assert text == "Sanitation 100%"

    # A click on a hotspot lists its cases and draws them; its link opens its unit page.
    first = page.locator("#hot-ranked li").first
    code = first.get_attribute("data-code")
    assert code
    shown = int(first.locator(".hot-count").inner_text().split()[-1].replace(",", ""))
    first.locator(".hot-badge").click()
    expect(page).to_have_url(re.compile(f"pick={re.escape(code)}$"))
    expect(page.locator("#hot-cases li")).to_have_count(min(shown, 20))
    expect(page.locator("#hot-map .leaflet-marker-pane, #hot-map path").first).to_be_attached()
    shot(page, "hotspots-picked")
    page.locator("#hot-open-unit").click()
    expect(page).to_have_url(re.compile(f"/grid/{re.escape(code)}\\?lang=en$"))
    expect(page.locator("#unit-title")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(f"pick={re.escape(code)}$"))
    assert_clean(watched, served.url)


def test_the_page_speaks_chinese_and_its_views_switch(served: Served, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{served.url}/hotspots")
    expect(page.locator("#nav-hotspots")).to_have_class(re.compile("active"))
    expect(page.locator("#hot-legend")).to_contain_text("热点 99%")
    expect(page.locator("#hot-summary")).to_contain_text("个单元")
    page.locator("#hot-view").get_by_text("核密度", exact=True).click()
    expect(page).to_have_url(re.compile(r"view=density"))
    image = page.locator("#hot-map img.leaflet-image-layer")
    expect(image).to_have_count(1)
    assert (image.get_attribute("src") or "").startswith("/twin/hotspots/density.png")
    page.locator("#hot-view").get_by_text("新兴趋势", exact=True).click()
    expect(page).to_have_url(re.compile(r"view=emerging"))
    expect(image).to_have_count(0)  # the density image goes with its view
    page.locator("#hot-view").get_by_text("摄像头覆盖", exact=True).click()
    expect(page.locator("#hot-legend")).to_contain_text("80% – 100%")
    shot(page, "hotspots-zh-coverage")
    page.locator("#lang-link").click()
    expect(page).to_have_url(re.compile(r"/hotspots\?lang=en&view=coverage$"))
    expect(page.locator("#hot-legend")).to_contain_text("No data")
    assert_clean(watched, served.url)


def test_the_wall_shows_the_hotspots_and_its_tour_visits_them(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{served.url}/hotspots?lang=en")
    expect(page.locator("#hot-ranked li").first).to_be_visible()
    ranked = [page.locator("#hot-ranked li").nth(i).get_attribute("data-code") for i in range(3)]
    page.goto(f"{served.url}/screen?lang=en")
    wall = page.locator("#wall-hot-list li")
    expect(wall).to_have_count(3)
    assert [wall.nth(i).get_attribute("data-code") for i in range(3)] == ranked
    # After the grids needing attention, the tour steps through the hotspots.
    expect(page.locator("#tour-hot")).to_contain_text("Hot spot", timeout=60_000)
    shot(page, "wall-hotspots")
    assert_clean(watched, served.url)
