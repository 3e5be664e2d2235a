"""The load run's machinery at a tiny scale against `twin serve` over the small demo: a
cockpit's refresh captured in Chromium and replayed by dashboard clients beside a steady
intake; its "nothing lost" check passes on a whole store and names what a broken one lost."""

from __future__ import annotations

import psycopg

from tests.e2e.conftest import Served
from twin.api.client import ApiClient
from twin.bench.loadrun import Plan, capture_refresh, check_nothing_lost, drive, report
from twin.bench.traffic import Intake, fetch_spots, vocabulary
from twin.settings import Settings


def test_a_tiny_load_run_loses_nothing_and_the_check_catches_a_lost_case(
    served: Served,
) -> None:
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        spots = fetch_spots(conn, 20, 1)
    intake = Intake(ApiClient(served.url), spots, *vocabulary(Settings()))
    refresh = capture_refresh(served.url, lambda: intake.post_api(-1))
    callbacks = [c for c in refresh if c.path.startswith("/_dash-update-component")]
    assert callbacks, refresh
    assert all(c.method == "POST" and c.body for c in callbacks)
    plan = Plan(rate=5, seconds=2, clients=2)
    out = drive(served.url, intake, plan, refresh)
    assert len(out.intake) == 10 and out.failed == []
    assert len(set(out.accepted)) == 10
    assert len(out.polls) >= 2 * 2 and out.dashboard_failed == []
    assert out.refreshes >= 1 and len(out.refresh) == out.refreshes * len(refresh)
    assert check_nothing_lost(served.db_url, out.accepted) == []
    assert "nothing lost" in report(plan, out, refresh, [])

    lost = out.accepted[3]
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        conn.execute("DELETE FROM incident WHERE code = %s", [lost])
    assert check_nothing_lost(served.db_url, out.accepted) == [
        f"accepted case {lost} is not in the store"
    ]
    with psycopg.connect(served.db_url, autocommit=True) as conn:
        conn.execute("UPDATE grid_stat SET open = open + 5 WHERE grid_id = 0")
    problems = check_nothing_lost(served.db_url, out.accepted)
    assert problems[0] == f"accepted case {lost} is not in the store"
    assert len(problems) > 1 and all(p.startswith("twin db verify: ") for p in problems[1:])
    assert report(plan, out, refresh, problems).splitlines()[-1].startswith("LOST: ")
