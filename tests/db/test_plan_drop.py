"""Dropping units' changes from a draft: the way out of a refused rebase, undoable, recorded."""

from __future__ import annotations

import psycopg
import pytest

from twin.activity import Clock
from twin.cli import main
from twin.plans import edits, publish, store, versions
from twin.plans.drop import drop_units
from twin.plans.store import PlanError


def clashing(conn: psycopg.Connection) -> tuple[Clock, int]:
    """Plan 'same' changes G1 and G2; plan 'first', changing G1 too, is published since."""
    clock = Clock.current()  # versions take effect no earlier than version 1, made just now
    versions.record_version(conn, "load", effective_at=None)
    for name in ("first", "same"):
        store.new_plan(conn, name, "C", "alice", clock)
    edits.set_attributes(conn, "first", "G1", {"officer": "A"}, "alice", 0, clock)
    edits.set_attributes(conn, "same", "G1", {"officer": "C"}, "carol", 0, clock)
    edits.set_attributes(conn, "same", "G2", {"officer": "D"}, "carol", 1, clock)
    first = store.set_state(conn, store.get_plan(conn, "first"), "submitted", "alice", "", clock)
    store.set_state(conn, first, "approved", "bob", "", clock)
    publish.publish(conn, "first", clock.local.date(), "bob", clock)
    return clock, versions.current_version(conn)


def test_dropping_the_clashing_unit_lets_the_plan_rebase_and_undo_brings_it_back(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    clock, now = clashing(conn)
    with pytest.raises(PlanError, match=r"cannot be rebased .* changes: G1$"):
        edits.set_attributes(conn, "same", "G3", {"officer": "E"}, "carol", 2, clock)
    result = drop_units(conn, "same", ["G1"], "carol", 2, clock)
    assert (result.revision, result.changed) == (3, ("G1",))
    plan = store.get_plan(conn, "same")
    assert plan.base_version == now
    assert sorted(store.plan_rows(conn, plan)) == ["G2"]
    officers = {u.code: u.officer for u in store.proposed_units(conn, plan, "grid")}
    assert (officers["G1"], officers["G2"]) == ("A", "D")  # G1 as in force, G2 as planned
    assert edits.set_attributes(conn, "same", "G3", {"officer": "E"}, "carol", 3, clock).revision
    actions = conn.execute(
        "SELECT action, codes FROM grid_plan_revision WHERE plan_id = %s ORDER BY revision",
        [plan.id],
    ).fetchall()
    assert actions[2] == ("drop", ["G1"])
    edits.undo(conn, "same", "carol", 4, clock)  # the G3 edit
    edits.undo(conn, "same", "carol", 5, clock)  # the drop: G1's change, and its clash, are back
    assert sorted(store.plan_rows(conn, store.get_plan(conn, "same"))) == ["G1", "G2"]
    assert store.conflicts_with_base(conn, store.get_plan(conn, "same")) == ["G1"]


def test_a_drop_of_a_unit_the_plan_does_not_change_or_on_a_stale_revision_is_refused(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    clock = Clock.current()
    store.new_plan(conn, "p", "C", "alice", clock)
    with pytest.raises(PlanError, match=r"does not change unit\(s\) G1; it changes none"):
        drop_units(conn, "p", ["G1"], "alice", 0, clock)
    edits.set_attributes(conn, "p", "G1", {"officer": "A"}, "alice", 0, clock)
    edits.set_attributes(conn, "p", "G1", {"officer": "B"}, "bob", 1, clock)
    with pytest.raises(PlanError, match=r"changed since revision 1 .* G1 by bob"):
        drop_units(conn, "p", ["G1"], "alice", 1, clock)
    with pytest.raises(PlanError, match=r"does not change unit\(s\) G7; it changes G1"):
        drop_units(conn, "p", ["G7", "G1"], "alice", 2, clock)


def test_twin_plan_drop_from_the_command_line(
    conn: psycopg.Connection,
    world: dict[str, int],
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TWIN_DATABASE_URL", db_url)
    assert main(["plan", "new", "p", "--scope", "C"]) == 0
    assert main(["plan", "set", "p", "G1", "officer=Li"]) == 0
    assert main(["plan", "set", "p", "G2", "officer=Wu"]) == 0
    assert main(["plan", "drop", "p", "G1", "G2", "--actor", "zhou"]) == 0
    assert "plan p: revision 3, changed G1, G2" in capsys.readouterr().out
    assert store.plan_rows(conn, store.get_plan(conn, "p")) == {}
    assert main(["plan", "drop", "p", "G1"]) == 2
    assert "does not change unit(s) G1" in capsys.readouterr().err
