"""Plans in the database: drafts over a scope, only changed units, states, revisions, rebase."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from shapely.geometry import box

from tests import gridworld
from twin.activity import Clock
from twin.plans import store
from twin.plans.store import PlanError

CLOCK = Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


def cell_box(x0: float, y0: float, x1: float, y1: float):  # type: ignore[no-untyped-def]
    """A shapely box in cell units."""
    (a, b), (c, d) = gridworld.lonlat(x0, y0), gridworld.lonlat(x1, y1)
    return box(a, b, c, d)


def unit(conn: psycopg.Connection, plan: store.Plan, code: str) -> store.UnitState:
    """The plan's proposed state of one unit."""
    return next(u for u in store.proposed_units(conn, plan) if u.code == code)


def test_new_plan_over_a_scope_reads_the_units_in_force_of_its_subtree(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    plan = store.new_plan(conn, "north", "C", "alice", CLOCK)
    assert (plan.state, plan.scope, plan.revision, plan.author) == ("draft", "C", 0, "alice")
    assert [u.code for u in store.base_units(conn, plan)] == ["C", "G1", "G2", "G3", "G4"]
    assert [u.code for u in store.base_units(conn, plan, "grid")] == ["G1", "G2", "G3", "G4"]
    whole = store.new_plan(conn, "city", None, "alice", CLOCK)
    assert len(store.base_units(conn, whole)) == 7
    assert store.plan_changes(conn, plan) == ([], [])
    assert store.get_plan(conn, "north") == plan


def test_bad_plans_are_refused_by_name(conn: psycopg.Connection, world: dict[str, int]) -> None:
    store.new_plan(conn, "p", None, "alice", CLOCK)
    with pytest.raises(PlanError, match="a plan named 'p' exists already"):
        store.new_plan(conn, "p", None, "bob", CLOCK)
    with pytest.raises(PlanError, match="scope 'NOPE' is not a unit"):
        store.new_plan(conn, "q", "NOPE", "bob", CLOCK)
    with pytest.raises(PlanError, match="no plan named 'zz'"):
        store.get_plan(conn, "zz")


def test_a_plan_stores_only_the_units_it_changes(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    plan = store.new_plan(conn, "p", "C", "alice", CLOCK)
    g1 = unit(conn, plan, "G1")
    same_g2 = unit(conn, plan, "G2")
    revision = store.write_changes(
        conn, plan, [replace(g1, officer="officer Z"), same_g2], ["G4"], "alice", 0, clock=CLOCK
    )
    assert revision == 1
    upserts, removals = store.plan_changes(conn, plan)
    assert [(u.code, u.officer) for u in upserts] == [("G1", "officer Z")]
    assert removals == ["G4"]
    plan = store.get_plan(conn, "p")
    assert plan.revision == 1
    assert [u.code for u in store.proposed_units(conn, plan, "grid")] == ["G1", "G2", "G3"]
    assert store.list_plans(conn)[0]["changed"] == 2
    # Proposing the unit exactly as in force again drops the plan's row for it.
    store.write_changes(conn, plan, [g1], [], "alice", 1, clock=CLOCK)
    assert store.plan_changes(conn, plan) == ([], ["G4"])


def test_units_outside_the_scope_are_refused(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    conn.execute("UPDATE grid SET parent_id = NULL WHERE code = 'G4'")
    plan = store.new_plan(conn, "p", "C", "alice", CLOCK)
    g4 = store.base_units(conn, store.new_plan(conn, "all", None, "a", CLOCK), "grid")[3]
    with pytest.raises(PlanError, match=r"covers the subtree of C: unit\(s\) G4 lie outside it"):
        store.write_changes(conn, plan, [replace(g4, officer="x")], [], "alice", 0, clock=CLOCK)
    with pytest.raises(PlanError, match=r"unit\(s\) C lie outside it"):
        store.write_changes(conn, plan, [], ["C"], "alice", 0, clock=CLOCK)


def test_states_move_through_review_keeping_who_when_and_why(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    plan = store.new_plan(conn, "p", None, "alice", CLOCK)
    with pytest.raises(PlanError, match="changes nothing"):
        store.set_state(conn, plan, "submitted", "alice", "", CLOCK)
    store.write_changes(conn, plan, [], ["G4"], "alice", 0, clock=CLOCK)
    later = Clock(CLOCK.now + timedelta(hours=1))
    plan = store.set_state(conn, plan, "submitted", "alice", "ready", later)
    with pytest.raises(PlanError, match="plan 'p' is submitted: only a draft can be edited"):
        store.write_changes(conn, plan, [], ["G3"], "alice", 1, clock=CLOCK)
    with pytest.raises(PlanError, match="is submitted: it cannot become published"):
        store.set_state(conn, plan, "published", "bob", "", later)
    plan = store.set_state(conn, plan, "approved", "bob", "fine by me", later)
    assert plan.state == "approved"
    events = store.plan_events(conn, plan)
    assert [
        (e["action"], e["from_state"], e["to_state"], e["actor"], e["comment"]) for e in events
    ] == [
        ("new", None, "draft", "alice", ""),
        ("submit", "draft", "submitted", "alice", "ready"),
        ("approve", "submitted", "approved", "bob", "fine by me"),
    ]
    assert events[1]["at"] == later.now
    rejected = store.set_state(conn, plan, "rejected", "carol", "no", later)
    assert rejected.state == "rejected"


def test_a_stale_revision_is_refused_naming_what_changed_but_other_units_pass(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    plan = store.new_plan(conn, "p", None, "alice", CLOCK)
    g1, g2 = unit(conn, plan, "G1"), unit(conn, plan, "G2")
    store.write_changes(
        conn, plan, [replace(g1, officer="A")], [], "alice", 0, action="set", clock=CLOCK
    )
    # Bob still has revision 0: his edit of G2 passes, his edit of G1 does not.
    assert (
        store.write_changes(conn, plan, [replace(g2, officer="B")], [], "bob", 0, clock=CLOCK) == 2
    )
    with pytest.raises(
        PlanError, match=r"changed since revision 0 \(now 2\): G1 by alice \(set, revision 1\)"
    ):
        store.write_changes(conn, plan, [replace(g1, officer="C")], [], "bob", 0, clock=CLOCK)
    with pytest.raises(PlanError, match="has no revision 7"):
        store.write_changes(conn, plan, [replace(g1, officer="C")], [], "bob", 7, clock=CLOCK)


def test_rebase_passes_when_the_map_changed_elsewhere_and_refuses_naming_shared_units(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    plan = store.new_plan(conn, "p", None, "alice", CLOCK)
    g1 = unit(conn, plan, "G1")
    store.write_changes(conn, plan, [replace(g1, officer="A")], [], "alice", 0, clock=CLOCK)
    conn.execute("UPDATE grid SET officer = 'elsewhere' WHERE code = 'G3'")
    assert store.rebase(conn, store.get_plan(conn, "p")).name == "p"
    conn.execute("UPDATE grid SET households = 9 WHERE code = 'G1'")
    with pytest.raises(PlanError, match=r"changed unit\(s\) the plan also changes: G1"):
        store.rebase(conn, store.get_plan(conn, "p"))
    with pytest.raises(PlanError, match="cannot be rebased"):
        store.write_changes(conn, plan, [], ["G2"], "alice", 1, clock=CLOCK)


def test_after_a_publish_other_plans_rebase_by_themselves_unless_they_share_its_units(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    from twin.plans import edits, publish, versions

    clock = Clock.current()  # versions take effect no earlier than version 1, made just now
    versions.record_version(conn, "load", effective_at=None)
    for name in ("first", "elsewhere", "same"):
        store.new_plan(conn, name, "C", "alice", clock)
    base = store.get_plan(conn, "first").base_version
    edits.set_attributes(conn, "first", "G1", {"officer": "A"}, "alice", 0, clock)
    edits.set_attributes(conn, "elsewhere", "G2", {"officer": "B"}, "bob", 0, clock)
    edits.set_attributes(conn, "same", "G1", {"officer": "C"}, "carol", 0, clock)
    first = store.set_state(conn, store.get_plan(conn, "first"), "submitted", "alice", "", clock)
    store.set_state(conn, first, "approved", "bob", "", clock)
    publish.publish(conn, "first", clock.local.date(), "bob", clock)
    now = versions.current_version(conn)
    assert now > base
    result = edits.set_attributes(conn, "elsewhere", "G3", {"officer": "D"}, "bob", 1, clock)
    assert result.revision == 2
    assert store.get_plan(conn, "elsewhere").base_version == now
    with pytest.raises(
        PlanError, match=rf"'same' cannot be rebased onto version {now}: .* changes: G1$"
    ):
        edits.set_attributes(conn, "same", "G3", {"officer": "D"}, "carol", 1, clock)
    assert store.get_plan(conn, "same").base_version == base
