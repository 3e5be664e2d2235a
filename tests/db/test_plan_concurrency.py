"""Two planners on two connections editing one plan: different units pass, the same is refused."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import psycopg
import pytest

from twin.activity import Clock
from twin.plans import edits, store
from twin.plans.store import PlanError

CLOCK = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
EDITS = 6


def planner(
    url: str, code: str, actor: str, errors: list[Exception], start: threading.Barrier
) -> None:
    """Set the officer of one unit EDITS times, each edit on the revision the last one answered."""
    with psycopg.connect(url, autocommit=True) as conn:
        revision = 0
        start.wait()
        try:
            for i in range(EDITS):
                change = {"officer": f"{actor} {i}"}
                revision = edits.set_attributes(
                    conn, "p", code, change, actor, revision, CLOCK
                ).revision
        except Exception as exc:  # handed to the test thread
            errors.append(exc)


def test_two_planners_editing_different_units_of_one_plan_both_succeed(
    conn: psycopg.Connection, db_url: str, world: dict[str, int]
) -> None:
    store.new_plan(conn, "p", "C", "alice", CLOCK)
    errors: list[Exception] = []
    start = threading.Barrier(2)
    threads = [
        threading.Thread(target=planner, args=(db_url, code, actor, errors, start))
        for code, actor in (("G1", "alice"), ("G2", "bob"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    plan = store.get_plan(conn, "p")
    assert plan.revision == 2 * EDITS
    upserts, _ = store.plan_changes(conn, plan)
    assert [(u.code, u.officer) for u in upserts] == [
        ("G1", f"alice {EDITS - 1}"),
        ("G2", f"bob {EDITS - 1}"),
    ]


def test_an_edit_on_a_stale_revision_of_the_same_unit_names_what_changed(
    conn: psycopg.Connection, db_url: str, world: dict[str, int]
) -> None:
    store.new_plan(conn, "p", "C", "alice", CLOCK)
    with psycopg.connect(db_url, autocommit=True) as other:
        edits.merge(other, "p", ["G1", "G2"], "bob", 0, CLOCK)
    with pytest.raises(
        PlanError,
        match=r"plan 'p' changed since revision 0 \(now 1\): G1 by bob \(merge, revision 1\)",
    ):
        edits.set_attributes(conn, "p", "G1", {"officer": "x"}, "alice", 0, CLOCK)
    with pytest.raises(PlanError, match=r"G2 by bob \(merge, revision 1\)"):
        edits.delete_unit(conn, "p", "G2", "alice", 0, CLOCK)
    # Another unit on the same stale revision passes.
    assert edits.set_attributes(conn, "p", "G3", {"officer": "x"}, "alice", 0, CLOCK).revision == 2
