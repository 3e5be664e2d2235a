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


def test_shapes_as_wkt_geojson_or_a_file(
    cli: None,
    conn: psycopg.Connection,
    reachable_tmp,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    import json

    import shapely.geometry

    def cells(x0: float, y0: float, x1: float, y1: float) -> shapely.geometry.Polygon:
        (a, b), (c, d) = gridworld.lonlat(x0, y0), gridworld.lonlat(x1, y1)
        return shapely.geometry.box(a, b, c, d)

    assert main(["plan", "new", "p"]) == 0
    strip = json.dumps(shapely.geometry.mapping(cells(0.8, -0.1, 1.2, 1.1)))
    assert main(["plan", "move", "p", "G1", "G2", "--area", strip]) == 0
    shape_file = reachable_tmp / "g3.wkt"
    shape_file.write_text(cells(0, 1, 0.9, 2).wkt)
    assert main(["plan", "reshape", "p", "G3", "--geom", f"@{shape_file}", "--snap", "0"]) == 0
    assert "revision 2, changed G3" in capsys.readouterr().out
    wkt = cells(0.9, 1, 1, 2).wkt
    argv = ["plan", "add", "p", "G5", "--unit-name", "new", "--level", "grid", "--parent", "C"]
    assert main([*argv, "--geom", wkt, "--households", "300", "--officer", "Wu"]) == 0
    plan = store.get_plan(conn, "p")
    units = {u.code: u for u in store.proposed_units(conn, plan, "grid")}
    assert (units["G1"].households, units["G2"].households) == (320, 480)
    assert (units["G5"].name, units["G5"].officer, units["G5"].households) == ("new", "Wu", 300)
    out = capsys.readouterr().out
    assert "revision 3, changed G5" in out
    # The strip G3 gave up is filled by G5: only the world's own hole is left.
    problems = [line.split(" (")[0] for line in out.splitlines() if line.startswith("  ")]
    assert problems == ["  gap: C, G4"]
    assert main(["plan", "reshape", "p", "G3", "--geom", "@/nonexistent.wkt"]) == 2
    assert "--geom: cannot read /nonexistent.wkt" in capsys.readouterr().err
