"""`twin plan new|list|submit|approve|reject` and the edit subcommands, run as the CLI runs them."""

from __future__ import annotations

import psycopg
import pytest

from tests import gridworld
from twin.cli import main
from twin.plans import store


@pytest.fixture
def cli(db_url: str, world: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI pointed at the test's database."""
    monkeypatch.setenv("TWIN_DATABASE_URL", db_url)


def line_wkt(x: float) -> str:
    """A north-south line across the world's west column at cell x."""
    (a, b), (c, d) = gridworld.lonlat(x, -0.1), gridworld.lonlat(x, 1.1)
    return f"LINESTRING({a} {b}, {c} {d})"


def test_a_plan_drafted_edited_and_reviewed_from_the_command_line(
    cli: None, conn: psycopg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "new", "north", "--scope", "C", "--actor", "alice"]) == 0
    assert "plan north: draft over the subtree of C" in capsys.readouterr().out
    assert main(["plan", "split", "north", "G1", "--line", line_wkt(0.4), "--codes", "G9"]) == 0
    assert "revision 1, changed G1, G9" in capsys.readouterr().out
    assert main(["plan", "set", "north", "G9", "officer=Li", "households=12"]) == 0
    assert main(["plan", "merge", "north", "G3", "G4", "--into", "G3"]) == 0
    assert main(["plan", "undo", "north"]) == 0
    assert main(["plan", "redo", "north", "--revision", "4"]) == 0
    assert main(["plan", "delete", "north", "G2"]) == 0
    capsys.readouterr()
    plan = store.get_plan(conn, "north")
    upserts, removals = store.plan_changes(conn, plan)
    assert [(u.code, u.officer, u.households) for u in upserts] == [
        ("G1", "officer G1", 240),
        ("G3", "officer G3", 800),
        ("G9", "Li", 12),
    ]
    assert removals == ["G2", "G4"]
    assert main(["plan", "submit", "north", "--comment", "ready", "--actor", "alice"]) == 0
    assert main(["plan", "approve", "north", "--comment", "ok", "--actor", "bob"]) == 0
    assert main(["plan", "list"]) == 0
    out = capsys.readouterr().out
    assert "north\tapproved\tC\tversion" in out
    assert "revision 6\t5 unit(s)\talice" in out
    events = store.plan_events(conn, plan)
    assert [(e["actor"], e["to_state"], e["comment"]) for e in events][1:] == [
        ("alice", "submitted", "ready"),
        ("bob", "approved", "ok"),
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plan", "split", "p", "G1", "--line", "LINESTRING(0 0, 1 1)"], "does not cross the unit"),
        (["plan", "split", "p", "G1", "--line", "LINE(0 0"], "--line: not a WKT or GeoJSON"),
        (["plan", "merge", "p", "G1", "G4"], "do not border G1"),
        (["plan", "delete", "p", "NOPE"], "no unit 'NOPE' in the city"),
        (["plan", "set", "p", "G1", "households=many"], "households='many': a whole number"),
        (["plan", "set", "nope", "G1", "officer=x"], "no plan named 'nope'"),
        (["plan", "approve", "p"], "plan 'p' is draft: it cannot become approved"),
        (["plan", "new", "p"], "a plan named 'p' exists already"),
        (["plan", "undo", "p"], "nothing to undo"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    cli: None, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["plan", "new", "p"]) == 0
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("twin: error: ")
    assert message in err
