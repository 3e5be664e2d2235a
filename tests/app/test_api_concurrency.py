"""The same create sent many times at once over HTTP, with one Idempotency-Key: one case."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import psycopg
import requests
from dash import Dash

from tests.app.live import served
from tests.app.test_api_cases import NEW, count


def test_the_same_create_sent_at_once_makes_one_case(app: Dash, conn: psycopg.Connection) -> None:
    before = count(conn)
    with served(app) as url, ThreadPoolExecutor(8) as pool:

        def send(_: int) -> tuple[int, str]:
            got = requests.post(
                f"{url}/api/cases", json=NEW, headers={"Idempotency-Key": "retry-storm"}, timeout=30
            )
            return got.status_code, got.json()["case"]["code"]

        answers = list(pool.map(send, range(8)))
    assert sorted(status for status, _ in answers) == [200] * 7 + [201]
    assert len({code for _, code in answers}) == 1
    assert count(conn) == before + 1
