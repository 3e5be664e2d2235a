"""`twin bench --load-run`: intake at a steady rate (50 requests/s for 60 s by default) while
open cockpits watch (20 by default), over loopback against `twin serve`; latency percentiles of
both, then nothing lost: every accepted case is in the store and `twin db verify` passes.

A dashboard client does what an open cockpit does: it asks /twin/version each second and,
when the version moved, sends the refresh requests a real cockpit sends then. Those are
captured once from Chromium (Playwright) at the start, and replayed as they were.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg

from twin.api.client import FAILED, ApiClient
from twin.app.launch import twin_serve
from twin.bench.scratch import scratch_database
from twin.bench.traffic import Intake, fetch_spots, latency_line, vocabulary
from twin.settings import Settings
from twin.synth.load import load_demo

TIMEOUT_S = 30.0  # a request slower than this fails (and counts as not accepted)
OPEN311_EVERY = 5  # every fifth intake request comes in through Open311
POSTERS = 32  # client threads the intake may have in flight (waitress takes 100 connections)
SCRATCH = "twin_bench_load_run"


@dataclass(frozen=True)
class Plan:
    """How hard and how long: intake requests a second, seconds, dashboard clients."""

    rate: float = 50.0
    seconds: float = 60.0
    clients: int = 20


@dataclass
class Results:
    """What a run saw: latencies, accepted codes, failures, refreshes replayed."""

    intake: list[float] = field(default_factory=list)  # seconds from its due time to answer
    accepted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    polls: list[float] = field(default_factory=list)
    refresh: list[float] = field(default_factory=list)
    dashboard_failed: list[str] = field(default_factory=list)
    refreshes: int = 0  # version changes a client followed with the page's refresh requests
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Captured:
    """One request a cockpit sent on a version change: method, path and query, JSON body."""

    method: str
    path: str
    body: str | None

    @property
    def name(self) -> str:
        """What it asks for: a callback's outputs, or the path."""
        if self.body is None:
            return self.path.split("?")[0]
        return "callback " + str(json.loads(self.body).get("output", ""))[:60]


def capture_refresh(url: str, nudge: Callable[[], object], quiet_s: float = 1.5) -> list[Captured]:
    """Every request an open cockpit sends its server when the version moves (nudge posts
    a case, which moves it) but the version question itself, in the order sent: its
    callbacks and the files they point the map at (none: the page did not refresh)."""
    from playwright.sync_api import Request, sync_playwright  # a dev dependency: benchmarks

    from twin.bench.dashboard import ARGS, CHROMIUM

    sent: list[Captured] = []
    cycle_done = threading.Event()

    def record(request: Request) -> None:
        if cycle_done.is_set() or not request.url.startswith(url):
            return
        if request.url.startswith(url + "/twin/version"):
            return
        found = Captured(request.method, request.url[len(url) :], request.post_data)
        # The same request again starts the next refresh (a page also refreshes on its own
        # timer): one cycle is what a version change costs.
        if any((c.method, c.path, c.name) == (found.method, found.path, found.name) for c in sent):
            cycle_done.set()
            return
        sent.append(found)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 900})
            page.goto(url)
            page.locator("#city-open .tile-value").wait_for(timeout=60_000)
            page.wait_for_timeout(2000)  # the first load's callbacks are done
            page.on("request", record)
            api = ApiClient(url)
            before = api.get("/twin/version").body["version"]
            nudge()
            deadline = time.monotonic() + 30
            while api.get("/twin/version").body["version"] == before:
                if time.monotonic() > deadline:
                    raise RuntimeError("the version did not move after a case was posted")
                time.sleep(0.2)
            # The page hears the new version within its next ask, then refreshes: wait for
            # its first request, then for quiet.
            while not sent and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            seen = -1
            while len(sent) != seen and not cycle_done.is_set():
                seen = len(sent)
                page.wait_for_timeout(quiet_s * 1000)
        finally:
            browser.close()
    return sent


def drive(url: str, intake: Intake, plan: Plan, refresh: list[Captured]) -> Results:
    """Intake at plan.rate for plan.seconds beside plan.clients dashboard clients."""
    out = Results()
    start = time.monotonic() + 0.5
    end = start + plan.seconds
    watchers = [
        threading.Thread(target=_watch, args=(url, refresh, start + i / plan.clients, end, out))
        for i in range(plan.clients)
    ]
    for w in watchers:
        w.start()
    total = int(plan.rate * plan.seconds)
    with ThreadPoolExecutor(POSTERS) as pool:
        for n in range(total):
            due = start + n / plan.rate
            time.sleep(max(0.0, due - time.monotonic()))
            pool.submit(_post, intake, n, due, out)
    for w in watchers:
        w.join()
    return out


def _post(intake: Intake, n: int, due: float, out: Results) -> None:
    post = intake.post_open311 if n % OPEN311_EVERY == OPEN311_EVERY - 1 else intake.post_api
    try:
        answer, code = post(n)
        why = None if code is not None else answer.error()
    except FAILED as exc:  # no answer in time, or the connection failed
        code, why = None, f"{type(exc).__name__}: {exc}"
    took = time.monotonic() - due
    with out.lock:
        out.intake.append(took)
        if code is not None:
            out.accepted.append(code)
        else:
            out.failed.append(str(why))


def _watch(url: str, refresh: list[Captured], first: float, end: float, out: Results) -> None:
    """One open cockpit: the version each second, the page's refresh when it moved."""
    api = ApiClient(url, TIMEOUT_S)
    known, tick = None, first
    while tick < end:
        time.sleep(max(0.0, tick - time.monotonic()))
        tick += 1.0
        try:
            asked = api.get("/twin/version")
            version = asked.body.get("version") if isinstance(asked.body, dict) else None
            with out.lock:
                out.polls.append(asked.seconds)
            if asked.status != 200:
                _failed(out, f"/twin/version: {asked.error()}")
                continue
            if known is not None and version != known:
                _replay(api, refresh, out)
            known = version
        except FAILED as exc:
            _failed(out, f"{type(exc).__name__}: {exc}")
    api.close()


def _replay(api: ApiClient, refresh: list[Captured], out: Results) -> None:
    for sent in refresh:
        json_body = {"Content-Type": "application/json"} if sent.body is not None else {}
        raw = sent.body.encode() if sent.body is not None else None
        answer = api.request(sent.method, sent.path, headers=json_body, raw=raw)
        with out.lock:
            out.refresh.append(answer.seconds)
        if answer.status not in (200, 204, 304):
            _failed(out, f"{sent.name}: HTTP {answer.status}")
    with out.lock:
        out.refreshes += 1


def _failed(out: Results, why: str) -> None:
    with out.lock:
        out.dashboard_failed.append(why)


def check_nothing_lost(db_url: str, accepted: list[str]) -> list[str]:
    """What is lost: each accepted case the store does not hold, and `twin db verify`'s
    complaints (an empty list: nothing)."""
    with psycopg.connect(db_url) as conn:
        rows = conn.execute("SELECT code FROM incident WHERE code = ANY(%s)", [accepted])
        held = {r[0] for r in rows}
    problems = [f"accepted case {c} is not in the store" for c in accepted if c not in held]
    done = subprocess.run(
        [sys.executable, "-m", "twin.cli", "db", "verify"],
        env=os.environ | {"TWIN_DATABASE_URL": db_url},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        problems += [f"twin db verify: {line}" for line in done.stderr.strip().splitlines()]
    return problems


def report(plan: Plan, out: Results, refresh: list[Captured], problems: list[str]) -> str:
    """The run's figures as lines of text."""
    sent = len(out.intake)
    lines = [
        f"intake: {sent:,} requests at {plan.rate:g}/s for {plan.seconds:g} s (every "
        f"{OPEN311_EVERY}th through Open311), {len(out.accepted):,} accepted, "
        f"{len(out.failed):,} failed" + (f" (first: {out.failed[0]})" if out.failed else ""),
        f"- {latency_line('intake, from each request due time to its answer', out.intake)}",
        f"dashboard: {plan.clients} clients, each asking /twin/version each second and sending "
        f"a cockpit's {len(refresh)} refresh request(s) when it moved; "
        f"{out.refreshes:,} refreshes, {len(out.dashboard_failed):,} failed"
        + (f" (first: {out.dashboard_failed[0]})" if out.dashboard_failed else ""),
        f"- {latency_line('/twin/version', out.polls)}",
        f"- {latency_line('refresh requests', out.refresh)}: "
        + ", ".join(sorted({c.name for c in refresh})),
        f"- {latency_line('all dashboard requests', out.polls + out.refresh)}",
        "nothing lost: every accepted case is in the store and twin db verify passes"
        if not problems
        else f"LOST: {len(problems)} problem(s): " + "; ".join(problems[:10]),
    ]
    return "\n".join(lines)


def run_load_run_bench(url: str, size: str, seed: int, plan: Plan) -> tuple[str, bool]:
    """The demo of that size in a scratch database, served on loopback; a cockpit's refresh
    captured, the run driven, the store checked; the report and whether nothing was lost."""
    settings = Settings.from_env()
    scratch = scratch_database(url, SCRATCH)
    with psycopg.connect(scratch, autocommit=True) as conn:
        load_demo(conn, size, seed, progress=True)
        spots = fetch_spots(conn, 500, seed)
    categories, sources = vocabulary(settings)
    with twin_serve(scratch, None) as served:
        intake = Intake(ApiClient(served, TIMEOUT_S), spots, categories, sources)
        started = time.monotonic()
        refresh = capture_refresh(served, lambda: intake.post_api(-1))
        out = drive(served, intake, plan, refresh)
        took = time.monotonic() - started
    problems = check_nothing_lost(scratch, out.accepted)
    header = (
        f"twin bench --load-run — size {size}, seed {seed}, over loopback against "
        f"`twin serve` (waitress, 8 threads), {took:,.0f} s with the capture"
    )
    return header + "\n\n" + report(plan, out, refresh, problems), not problems
