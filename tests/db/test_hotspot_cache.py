"""The hotspot cache: reused while nothing changes, recomputed when matching points arrive."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd
import psycopg
import pytest

from tests.db.test_hotspots import NOW, incident
from twin.hotspots.analysis import HotspotResult, run_hotspots
from twin.hotspots.cache import HotspotCache
from twin.hotspots.filters import Filters, Window


@pytest.fixture
def cache(world: dict[str, int]) -> HotspotCache:
    return HotspotCache(max_age=timedelta(minutes=1))


def counts(result: HotspotResult) -> dict[str, int]:
    return dict(zip(result.table["code"], result.table["count"], strict=True))


def test_the_same_view_is_served_from_the_cache(
    conn: psycopg.Connection, cache: HotspotCache
) -> None:
    incident(conn, "A", 0.5, 0.5, timedelta(hours=2))
    first = cache.get(conn, Filters(), NOW)
    again = cache.get(conn, Filters(), NOW + timedelta(seconds=30))
    assert again is first
    assert cache.computed == 1
    other = cache.get(conn, Filters(unit="hex:300"), NOW)
    assert other is not first
    assert cache.computed == 2


def test_a_matching_point_arriving_recomputes(
    conn: psycopg.Connection, cache: HotspotCache
) -> None:
    incident(conn, "A", 0.5, 0.5, timedelta(hours=2))
    assert counts(cache.get(conn, Filters(), NOW))["G1"] == 1
    incident(conn, "B", 0.6, 0.5, timedelta(hours=1))
    assert counts(cache.get(conn, Filters(), NOW))["G1"] == 2
    conn.execute("DELETE FROM incident WHERE code = 'A'")
    assert counts(cache.get(conn, Filters(), NOW))["G1"] == 1
    assert cache.computed == 3


def test_a_rolling_window_is_recomputed_when_older_than_max_age(
    conn: psycopg.Connection, cache: HotspotCache
) -> None:
    incident(conn, "A", 0.5, 0.5, timedelta(hours=23, minutes=30))
    day = Filters(window=Window("24h"))
    assert counts(cache.get(conn, day, NOW))["G1"] == 1
    assert counts(cache.get(conn, day, NOW + timedelta(hours=1)))["G1"] == 0  # slid out
    fixed = Filters(window=Window(None, NOW - timedelta(days=1), NOW))
    first = cache.get(conn, fixed, NOW)
    assert cache.get(conn, fixed, NOW + timedelta(days=3)) is first


def test_a_grid_edit_rebuilds_the_units(conn: psycopg.Connection, cache: HotspotCache) -> None:
    cache.get(conn, Filters(), NOW)
    conn.execute("UPDATE grid SET name = 'renamed' WHERE code = 'G2'")
    table = cache.get(conn, Filters(), NOW).table.set_index("code")
    assert table.loc["G2", "name"] == "renamed"


def test_cached_results_equal_a_fresh_analysis_over_a_write_sequence(
    conn: psycopg.Connection, cache: HotspotCache
) -> None:
    rng = np.random.default_rng(5)
    views = [Filters(), Filters(unit="hex:400"), Filters(categories=("dispute",), status="open")]
    made: list[str] = []
    for step in range(25):
        action = rng.choice(["insert", "insert", "update", "delete"]) if made else "insert"
        if action == "insert":
            code = f"W{step}"
            x, y = rng.uniform(0, 2, 2)
            cat = str(rng.choice(["dispute", "sanitation"]))
            incident(
                conn,
                code,
                x,
                y,
                timedelta(days=float(rng.uniform(0, 40))),
                category=cat,
                open=bool(rng.integers(2)),
            )
            made.append(code)
        elif action == "update":
            conn.execute(
                "UPDATE incident SET category = 'dispute' WHERE code = %s",
                [made[int(rng.integers(len(made)))]],
            )
        else:
            conn.execute("DELETE FROM incident WHERE code = %s", [made.pop(0)])
        for f in views:
            cached = cache.get(conn, f, NOW).table
            fresh = run_hotspots(conn, f, NOW).table
            pd.testing.assert_frame_equal(cached, fresh)
