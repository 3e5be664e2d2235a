"""The planner's list, workflow and compare pages in a real browser over the small demo: a new
plan goes to its editor page; submit, approve and publish today, each confirmed with what it
will do; the cockpit then draws the new outlines and `twin db verify` passes; a rollback from
the history; two synchronised maps; nothing fetched from outside, no console error."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import psycopg
import shapely
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served, Watched, screenshot
from tests.e2e.test_map import assert_clean
from twin.activity import Clock
from twin.app.planner.flow import Request, asked
from twin.plans import edits, store
from twin.plans.rules import rules_for
from twin.plans.versions import current_version
from twin.settings import Settings

SETTINGS = Settings()


def clock() -> Clock:
    return Clock.current(SETTINGS.timezone)


UNDER = "#dfe6ec"  # the maps' background (twin.css .leaflet-container)


def exchange_shows(page: Page) -> bool:
    """The middle of the first area that changed hands, on screen, is its colour over the
    maps' background (twinPlanner.exchangeStyle: fill opacity 0.6), not something drawn over it."""
    area = page.locator("#cmp-map-a path[fill-opacity='0.6']").first
    fill, box = area.get_attribute("fill") or "", area.bounding_box()
    assert box is not None and fill.startswith("#")
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    shot = page.screenshot(clip={"x": x - 1, "y": y - 1, "width": 3, "height": 3})
    seen = Image.open(io.BytesIO(shot)).convert("RGB").getpixel((1, 1))
    colour, under = (tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (fill, UNDER))
    expected = [0.6 * a + 0.4 * b for a, b in zip(colour, under, strict=True)]
    return max(abs(a - b) for a, b in zip(seen, expected, strict=True)) < 30


def split_plan(db_url: str, name: str) -> tuple[int, str]:
    """A draft splitting the largest grid by a north-south line through its middle: its id
    and the split grid's code."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT code, ST_AsBinary(geom) FROM grid WHERE level = 'grid'"
            " ORDER BY ST_Area(geom) DESC LIMIT 1"
        ).fetchone()
        assert row is not None
        code, wkb = row[0], bytes(row[1])
        w, s, e, n = shapely.from_wkb(wkb).bounds
        line = shapely.LineString([((w + e) / 2, s - 0.001), ((w + e) / 2, n + 0.001)])
        plan = store.new_plan(conn, name, None, "setup", clock())
        edits.split(conn, name, code, line, "setup", plan.revision, clock())
        return plan.id, code


def grid_count(db_url: str) -> int:
    with psycopg.connect(db_url) as conn:
        row = conn.execute("SELECT count(*) FROM grid WHERE level = 'grid'").fetchone()
    assert row is not None
    return int(row[0])


def confirm_said(db_url: str, req: Request) -> str:
    """What the confirmation must say, from the engine directly."""
    with psycopg.connect(db_url) as conn:
        return asked(conn, req, clock(), rules_for(SETTINGS.layers_dir), "en")


def sign_in(page: Page, name: str) -> None:
    page.locator("#actor-name").fill(name)
    page.locator("#actor-name").blur()


def confirm(page: Page, expected: str, done: str) -> None:
    """The confirmation says what will happen; confirming says what was done."""
    expect(page.locator("#wf-confirm-text")).to_have_text(expected)
    page.locator("#wf-confirm").click()
    expect(page.locator("#wf-msg")).to_have_text(done)
    expect(page.locator("#wf-confirm-box")).to_be_hidden()


def test_a_new_plan_goes_to_its_editor_and_the_name_is_remembered(
    served: Served, watched: Watched
) -> None:
    page = watched.page
    page.goto(served.url + "/planner?lang=en")
    expect(page.locator("#nav-planner")).to_have_class(re.compile("active"))
    page.locator("#planner-new-name").fill("north <b>x</b>")
    page.locator("#planner-new-go").click()
    expect(page.locator("#planner-new-msg")).to_have_text("Enter your name first")
    sign_in(page, "Wang 王")
    page.locator("#planner-new-go").click()
    with psycopg.connect(served.db_url) as conn:
        page.wait_for_url(re.compile(r"/planner/north%20%3Cb%3Ex%3C%2Fb%3E\?lang=en$"))
        plan = store.get_plan(conn, "north <b>x</b>")
    assert (plan.author, plan.scope, plan.state) == ("Wang 王", None, "draft")
    page.goto(served.url + "/planner?lang=en")
    row = page.locator(f"#plan-row-{plan.id}")
    expect(row.locator(".plan-link")).to_have_text("north <b>x</b>")  # markup shown as text
    expect(row).to_contain_text("Draft")
    expect(row).to_contain_text("Wang 王")
    expect(page.locator("#actor-name")).to_have_value("Wang 王")  # kept in localStorage
    page.locator("#planner-new-name").fill("north <b>x</b>")
    page.locator("#planner-new-go").click()
    expect(page.locator("#planner-new-msg")).to_contain_text("exists already")
    assert_clean(watched, served.url)


def test_submit_approve_publish_today_then_the_cockpit_draws_it_and_verify_passes(
    served: Served, watched: Watched
) -> None:
    plan_id, _ = split_plan(served.db_url, "split-largest")
    before = grid_count(served.db_url)
    with psycopg.connect(served.db_url) as conn:
        version = current_version(conn)
    page = watched.page
    page.goto(served.url + "/planner?lang=en")
    sign_in(page, "Li")
    row = page.locator(f"#plan-row-{plan_id}")
    expect(row).to_contain_text("Draft")

    row.locator(".row-submit").click()
    confirm(
        page,
        confirm_said(served.db_url, Request("submit", plan="split-largest")),
        "Plan “split-largest” submitted",
    )
    expect(row).to_contain_text("Submitted")
    expect(page.locator("#wf-head")).to_have_text("Plan “split-largest”: Submitted")
    page.locator("#wf-approve").click()
    confirm(
        page,
        confirm_said(served.db_url, Request("approve", plan="split-largest")),
        "Plan “split-largest” approved",
    )
    today = clock().local.date()
    page.locator("#wf-publish").click()
    said = confirm_said(served.db_url, Request("publish", plan="split-largest", effective=today))
    assert said.endswith(f", effective {today.isoformat()}.")
    assert re.search(r": [1-9]\d* units change, \d+ cases move", said)
    screenshot(page, "planner-publish-confirmation")
    confirm(page, said, f"Plan “split-largest” is in force as version {version + 1}")
    expect(row).to_contain_text("Published")
    expect(page.locator(f"#version-row-{version + 1}")).to_contain_text("Plan split-largest")
    after = grid_count(served.db_url)
    assert after > before

    env = os.environ | {"TWIN_DATABASE_URL": served.db_url}
    verified = subprocess.run(
        [sys.executable, "-m", "twin.cli", "db", "verify"], env=env, capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr

    page.goto(served.url + "/?lang=en")  # an open cockpit keeps its outlines' URL: see the report
    page.locator("#level").get_by_text("Grid", exact=True).click()
    expect(page.locator(".leaflet-overlay-pane path.leaflet-interactive")).to_have_count(after)

    page.goto(served.url + "/planner?lang=en")
    page.locator(f"#version-row-{version} .row-rollback").click()
    back = confirm_said(served.db_url, Request("rollback", version=version))
    assert back.startswith(f"Roll back to version {version}: ")
    confirm(page, back, f"Rolled back to version {version} (in force now: version {version + 2})")
    assert grid_count(served.db_url) == before
    assert_clean(watched, served.url)


def test_a_publish_date_before_today_and_a_reject_without_comment_are_refused(
    served: Served, watched: Watched
) -> None:
    plan_id, _ = split_plan(served.db_url, "refusals")
    page = watched.page
    page.goto(served.url + f"/planner?plan={plan_id}&lang=en")
    page.locator("#wf-submit").click()
    expect(page.locator("#wf-msg")).to_have_text("Enter your name first")
    sign_in(page, "Zhao")
    page.locator("#wf-submit").click()
    page.locator("#wf-confirm").click()
    expect(page.locator("#wf-msg")).to_have_text("Plan “refusals” submitted")
    page.locator("#wf-reject").click()
    expect(page.locator("#wf-msg")).to_have_text("A rejection needs a comment")
    page.locator("#wf-comment").fill("the line cuts a courtyard")
    page.locator("#wf-reject").click()
    expect(page.locator("#wf-confirm-text")).to_have_text(
        "Reject plan “refusals” with the comment: the line cuts a courtyard"
    )
    page.locator("#wf-cancel").click()
    expect(page.locator("#wf-confirm-box")).to_be_hidden()
    with psycopg.connect(served.db_url) as conn:
        assert store.get_plan(conn, "refusals").state == "submitted"
    assert_clean(watched, served.url)


def test_compare_shows_two_synchronised_maps_the_exchanges_and_the_diff(
    served: Served, watched: Watched
) -> None:
    split_plan(served.db_url, "to-compare")
    with psycopg.connect(served.db_url) as conn:
        version = current_version(conn)
    page = watched.page
    page.goto(served.url + f"/planner/compare?a={version}&b=to-compare&view=side&lang=en")
    expect(page.locator("#cmp-diff tbody tr")).to_have_count(2)  # the grid and its new half
    expect(page.locator("#cmp-exchanges tbody tr")).to_have_count(1)
    expect(page.locator("#cmp-summary")).to_contain_text("2 units differ; 1 areas changed hands")
    for side in ("a", "b"):
        expect(page.locator(f"#cmp-map-{side} path.leaflet-interactive")).not_to_have_count(0)
    page.locator("#cmp-map-a path[stroke='#52606d']").first.wait_for()  # the frame is in
    page.wait_for_timeout(400)
    screenshot(page, "planner-compare")
    assert exchange_shows(page), "the area that changed hands is covered on the map"
    zoom = page.evaluate("() => window.twinPlanner._maps['cmp-map-a'].getZoom()")
    page.evaluate(
        "z => window.twinPlanner._maps['cmp-map-a'].setZoom(z + 1, {animate: false})", zoom
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.twinPlanner._maps['cmp-map-b'].getZoom()") == zoom + 1
    page.locator("#cmp-view").get_by_text("Overlaid").click()
    expect(page).to_have_url(re.compile("view=overlay"))
    expect(page.locator("#cmp-map-b")).to_be_hidden()
    assert_clean(watched, served.url)
