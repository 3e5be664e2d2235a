"""The version route holds a page's question until a write is read, a bounded time and a
bounded number at once, and never takes the threads that do the work."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
from dash import Dash

from tests import gridworld
from tests.gridworld import add_incident
from twin.app import push
from twin.app.server import create_app
from twin.db.connect import open_pool
from twin.settings import Settings


@pytest.fixture
def quiet(db_url: str, conn: psycopg.Connection) -> Iterator[Dash]:
    """An app whose reader reads only when the store notifies (its own refresh: 10 min)."""
    gridworld.build(conn)
    add_incident(conn, "E0", 0.5, 0.5)
    pool = open_pool(db_url, 2)
    try:
        app = create_app(Settings(lang="en", refresh_seconds=600), pool)
        settled(app)
        yield app
    finally:
        pool.close()


def settled(app: Dash) -> None:
    """Until the reader has read the store as it is (its first read, and the one the
    listener asks for once it listens)."""
    deadline = time.monotonic() + 10
    while ask(app, None)[0]["version"] < 2:
        assert time.monotonic() < deadline, "the reader never read twice"
        time.sleep(0.05)


def ask(app: Dash, after: int | None) -> tuple[dict[str, Any], float]:
    """GET /twin/version (after a version, when given): the body and the seconds it took."""
    start = time.monotonic()
    query = "" if after is None else f"?after={after}"
    answer = app.server.test_client().get("/twin/version" + query)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    return answer.get_json(), time.monotonic() - start


def test_a_question_is_answered_the_moment_a_write_is_read(
    quiet: Dash, conn: psycopg.Connection
) -> None:
    now, _ = ask(quiet, None)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(ask, quiet, now["version"])
        time.sleep(0.5)
        assert not waiting.done()  # nothing new: the question waits
        written = time.monotonic()
        add_incident(conn, "E1", 0.5, 0.5)  # notifies: the reader reads what moved
        body, _ = waiting.result(5)
        heard = time.monotonic() - written
    assert body["version"] > now["version"] and body["held"] is True
    assert heard < push.HOLD_SECONDS - 0.5, heard  # not the hold running out
    assert body["map"] == now["map"]  # the map did not change
    assert isinstance(body["read"], int) and body["read"] >= now["read"]


def test_a_question_is_held_at_most_a_while_and_says_the_same_version(quiet: Dash) -> None:
    now, _ = ask(quiet, None)
    body, took = ask(quiet, now["version"])
    assert body["version"] == now["version"] and body["held"] is True
    assert push.HOLD_SECONDS - 0.1 <= took < push.HOLD_SECONDS + 1.0


def test_a_page_holding_another_version_is_answered_at_once(quiet: Dash) -> None:
    now, _ = ask(quiet, None)
    # A page that knew a server counting higher (since restarted) hears the new count at once.
    body, took = ask(quiet, now["version"] + 1000)
    assert body["version"] == now["version"] and body["held"] is False and took < 0.5
    assert ask(quiet, None)[0]["held"] is False  # no version given: never held
    assert quiet.server.test_client().get("/twin/version?after=x").get_json()["held"] is False


def test_questions_beyond_the_waiters_are_answered_at_once(
    db_url: str, conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(push, "WAITERS", 1)
    gridworld.build(conn)
    pool = open_pool(db_url, 2)
    try:
        app = create_app(Settings(lang="en", refresh_seconds=600), pool)
        settled(app)
        known = ask(app, None)[0]["version"]
        with ThreadPoolExecutor(1) as waiter:
            first = waiter.submit(ask, app, known)
            time.sleep(0.3)  # the first question holds the one place
            body, took = ask(app, known)
            assert body["held"] is False and took < 0.5
            assert first.result(5)[0]["held"] is True
    finally:
        pool.close()


def test_held_questions_leave_the_workers_free(
    db_url: str, conn: psycopg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(push, "WORKERS", 1)
    gridworld.build(conn)
    pool = open_pool(db_url, 2)
    try:
        app = create_app(Settings(lang="en", refresh_seconds=600), pool)
        settled(app)
        known = ask(app, None)[0]["version"]
        layout = app.server.test_client().get
        with ThreadPoolExecutor(2) as waiters, ThreadPoolExecutor(1) as worker:
            held = [waiters.submit(ask, app, known) for _ in range(2)]
            time.sleep(0.3)
            # Two questions wait; the one worker still answers, one request after another
            # (each gives its worker back: else the second would wait for ever).
            for _ in range(3):
                assert worker.submit(layout, "/_dash-layout").result(5).status_code == 200
            assert not any(h.done() for h in held)
            assert all(h.result(5)[0]["held"] for h in held)
    finally:
        pool.close()


def test_a_question_after_no_version_it_could_hold_is_answered_at_once(quiet: Dash) -> None:
    client = quiet.server.test_client()
    for after in ["9" * 400, "-1", "x", "1e3", ""]:  # 400 digits overflowed a float: a 500
        start = time.monotonic()
        answer = client.get(f"/twin/version?after={after}")
        assert answer.status_code == 200, after
        assert answer.get_json()["held"] is False and time.monotonic() - start < 1.5
