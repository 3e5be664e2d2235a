"""Pages of their own: the router, links and navigation follow the one list."""

from __future__ import annotations

from twin.app.inputs import Route
from twin.app.own_pages import OwnPage
from twin.app.pages import own_lang_href, own_nav, own_route

PAGES = (
    OwnPage("case", "/case/", "twin.app.none"),
    OwnPage("plans", "/plans", "twin.app.none", nav_key="nav_planner"),
)


def test_a_keyed_page_takes_the_rest_of_the_path_as_its_key() -> None:
    assert own_route("/case/%E4%BA%8B-1", "en", PAGES) == Route("case", "en", "事-1")
    assert PAGES[0].href("事-1") == "/case/%E4%BA%8B-1"


def test_a_keyed_page_without_a_key_or_with_an_unreadable_one_is_missing() -> None:
    assert own_route("/case/", "en", PAGES).mode == "missing"
    assert own_route("/case/a%00b", "en", PAGES).mode == "missing"


def test_a_plain_page_is_its_exact_path_only() -> None:
    assert own_route("/plans", "zh-CN", PAGES) == Route("plans", "zh-CN")
    assert own_route("/plansx", "zh-CN", PAGES).mode == "missing"
    assert own_route("/plans/3", "zh-CN", PAGES).mode == "missing"


def test_navigation_has_an_item_for_each_page_with_a_label() -> None:
    items = own_nav(Route("plans", "en"), PAGES)
    assert [(i.id, i.href, i.className) for i in items] == [
        ("nav-plans", "/plans?lang=en", "nav-item active")
    ]
    assert items[0].children == "Planner"


def test_the_language_switch_of_an_own_page_keeps_its_own_choices() -> None:
    route = Route("performance", "en")
    search = "?lang=en&period=2026-W05&by=grid&rank=cases"
    assert (
        own_lang_href(route, search) == "/performance?lang=zh-CN&period=2026-W05&by=grid&rank=cases"
    )
    assert own_lang_href(Route("performance", "zh-CN"), None) == "/performance?lang=en"
