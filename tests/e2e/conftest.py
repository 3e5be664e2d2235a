"""Browser tests: `twin serve` over the small demo, driven in Debian's Chromium by Playwright.

No browser is a failure, never a skip: `make test` installs Chromium from Debian's packages.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Response, expect, sync_playwright
from psycopg import conninfo, sql

from tests.conftest import TEMPLATE, fresh_database
from twin.app.launch import twin_serve
from twin.synth.load import load_demo

CHROMIUM = "/usr/bin/chromium"
# A loaded CI machine can take longer than Playwright's default 5 s to draw a busy page's
# parts; the timed checks (push, live refresh) keep their own explicit bounds.
expect.set_options(timeout=10_000)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--enable-unsafe-swiftshader",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Whether back restores a kept page depends on what was in flight when it was left (the
    # push's held question): the tests take the fresh load every time. A restored page reloads
    # itself (assets/twin_push.js), and a back taken during that reload was lost in a test.
    "--disable-back-forward-cache",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
# The demo is generated relative to its load time: load it as of now, as a live city would be
# (a fixed date would age the served city out of the dashboard's 30-day window).
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class Served:
    """A running dashboard and the database behind it."""

    url: str
    db_url: str


DEMO_TEMPLATE = "twin_test_demo"


@pytest.fixture(scope="session")
def demo_template(server_url: str, template_url: str) -> str:
    """A database holding the small demo as of NOW, loaded once: each module's served
    database is a copy of it (a file copy, not a demo load per module)."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(DEMO_TEMPLATE)))
        create = sql.SQL("CREATE DATABASE {} TEMPLATE {}")
        conn.execute(create.format(sql.Identifier(DEMO_TEMPLATE), sql.Identifier(TEMPLATE)))
    url = conninfo.make_conninfo(server_url, dbname=DEMO_TEMPLATE)
    with psycopg.connect(url, autocommit=True) as conn:
        load_demo(conn, "small", seed=1, now=NOW)
    return DEMO_TEMPLATE


@pytest.fixture(scope="module")
def served(server_url: str, demo_template: str) -> Iterator[Served]:
    with fresh_database(server_url, demo_template) as db_url:
        # Short clocks so a test sees a refresh, a tour step and a takeover come and go.
        env = {"TWIN_REFRESH_SECONDS": "2", "TWIN_TOUR_SECONDS": "2", "TWIN_TAKEOVER_SECONDS": "3"}
        env["TWIN_SWEEP_SECONDS"] = "0"  # the demo's statuses stay as loaded (no 督办 sweep)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        log = ARTIFACTS / "serve.log"
        with twin_serve(db_url, log, TWIN_LANG="zh-CN", **env) as url:
            yield Served(url, db_url)


@dataclass
class Watched:
    """A page with every request and console error it produced."""

    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    callbacks: list[str] = field(default_factory=list)  # "status changed-inputs -> outputs"

    def watch(self) -> Watched:
        """Record requests, console errors and every callback round trip of the page."""
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"{e}\n{e.stack}"))
        self.page.on("response", self._callback)
        return self

    def _callback(self, response: Response) -> None:
        if "/_dash-update-component" in response.url and response.request.post_data:
            body = json.loads(response.request.post_data)
            changed = ",".join(body.get("changedPropIds", []))
            self.callbacks.append(f"{response.status} {changed} -> {body['output'][:60]}")


def browser_env() -> dict[str, str | float | bool]:
    """The environment without libfaketime: Chromium's zygote dies under it, so in
    `make test-clocks` the browser keeps the real clock while server and database shift."""
    return {k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and "FAKETIME" not in k}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, started once per test file."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: `make test` installs Debian's chromium"
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=ARGS, env=browser_env()
        )
        yield launched
        launched.close()


@pytest.fixture
def browser(chromium: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile per test: a new context has its own storage, cookies and
    cache."""
    context = chromium.new_context(viewport={"width": 1600, "height": 900})
    yield context
    context.close()


@pytest.fixture
def watched(browser: BrowserContext) -> Watched:
    return Watched(browser.new_page()).watch()


def screenshot(page: Page, name: str) -> Path:
    """Save a screenshot under artifacts/e2e/ (kept by CI runs for people to look at)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
