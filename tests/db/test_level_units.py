"""A level's status read: the counts read each time, the units' own columns kept per map
version. Whatever is kept, every read equals the plain read of the same units, after case
writes, renames (committed, or pending in the reading transaction) and a map change between
the two reads."""

from __future__ import annotations

import psycopg
import pytest
from pandas.testing import assert_frame_equal
from psycopg import sql

from tests import gridworld
from twin import store
from twin.changes import fetch_unit_statuses
from twin.db.connect import DatabaseError
from twin.spatial.status import Thresholds
from twin.store import fetch_grid_statuses

LEVELS = ("grid", "community", "street", "district")


def plain(conn: psycopg.Connection, level: str, parent_id: int | None = None) -> object:
    """The same units read row by row (unit_statuses), in code order."""
    where = "level = %s" + (" AND parent_id = %s" if parent_id is not None else "")
    params = [level] if parent_id is None else [level, parent_id]
    ids = [r[0] for r in conn.execute(f"SELECT id FROM grid WHERE {where}", params)]
    frame = fetch_unit_statuses(conn, ids, None, Thresholds())
    return frame.sort_values("code", ignore_index=True)


def assert_reads_plain(conn: psycopg.Connection, parent_id: int | None = None) -> None:
    for level in LEVELS if parent_id is None else ("grid",):
        assert_frame_equal(
            fetch_grid_statuses(conn, level, parent_id=parent_id), plain(conn, level, parent_id)
        )


def test_every_level_reads_as_its_units_read_one_by_one(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    for n, (x, y, severity) in enumerate([(0.5, 0.5, 1), (1.5, 0.5, 2), (1.5, 1.5, 3)]):
        gridworld.add_incident(conn, f"I{n}", x, y, severity=severity)
    assert_reads_plain(conn)
    assert_reads_plain(conn)  # the units now kept
    assert_reads_plain(conn, parent_id=world["C"])


def test_a_level_reads_the_same_whether_read_whole_or_by_its_ids(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    for n, (x, y) in enumerate([(0.5, 0.5), (1.5, 0.5), (1.5, 1.5)]):
        gridworld.add_incident(conn, f"I{n}", x, y)
    conn.execute("ANALYZE grid_stat")  # how the read judges a level as half or more of the units
    whole = {level: sent_whole(conn, level) for level in LEVELS}
    assert whole == {"grid": True, "community": False, "street": False, "district": False}
    assert_reads_plain(conn)
    assert_reads_plain(conn, parent_id=world["C"])


def sent_whole(conn: psycopg.Connection, level: str) -> bool:
    """Whether level_counts sends every unit's counts for this level (and not its own only)."""
    counts = sql.SQL(store.query("level_counts").rstrip().rstrip(";"))  # type: ignore[arg-type]
    row = conn.execute(
        sql.SQL("SELECT units, n FROM ({}) c").format(counts),
        {"level": level, "parent_id": None, "at": None},
    ).fetchone()
    assert row is not None and row[1] >= row[0]
    return bool(row[1] > row[0])


def test_a_unit_without_counts_is_refused_not_left_out(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    conn.execute("SET session_replication_role = replica")  # triggers off: no grid_stat row
    conn.execute(
        "INSERT INTO grid (code, name, level, parent_id, geom) SELECT 'G9', 'nine', level,"
        " parent_id, geom FROM grid WHERE code = 'G1'"
    )
    conn.execute("RESET session_replication_role")
    with pytest.raises(DatabaseError, match="triggers off"):
        fetch_grid_statuses(conn, "grid")


def test_kept_units_carry_fresh_counts(conn: psycopg.Connection, world: dict[str, int]) -> None:
    assert fetch_grid_statuses(conn).set_index("code").loc["G1", "open"] == 0
    gridworld.add_incident(conn, "I-NEW", 0.5, 0.5)
    assert fetch_grid_statuses(conn).set_index("code").loc["G1", "open"] == 1
    assert_reads_plain(conn)


def test_a_renamed_unit_is_read_renamed(conn: psycopg.Connection, world: dict[str, int]) -> None:
    fetch_grid_statuses(conn)
    conn.execute("UPDATE grid SET name = 'Renamed', officer = 'Li' WHERE code = 'G1'")
    row = fetch_grid_statuses(conn).set_index("code").loc["G1"]
    assert (row["name"], row["officer"]) == ("Renamed", "Li")
    assert_reads_plain(conn)


def test_a_rename_pending_in_the_reading_transaction_is_seen_and_never_kept(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    fetch_grid_statuses(conn)
    with pytest.raises(psycopg.errors.RaiseException), conn.transaction():
        # not committed: the map version stays, so kept units would show the old name
        conn.execute("UPDATE grid SET name = 'Pending' WHERE code = 'G1'")
        assert fetch_grid_statuses(conn).set_index("code").loc["G1", "name"] == "Pending"
        conn.execute("DO $$ BEGIN RAISE EXCEPTION 'roll back'; END $$")
    assert fetch_grid_statuses(conn).set_index("code").loc["G1", "name"] != "Pending"
    assert_reads_plain(conn)


def test_a_map_change_between_the_two_reads_is_read_again(
    conn: psycopg.Connection, world: dict[str, int], db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    units_read = store._level_units
    calls = []

    def renamed_meanwhile(c: psycopg.Connection, params: dict[str, object]) -> store.Units:
        if not calls:  # after the counts' read, before the units'
            with psycopg.connect(db_url, autocommit=True) as other:
                other.execute("UPDATE grid SET name = 'Meanwhile' WHERE code = 'G1'")
        calls.append(params)
        return units_read(c, params)

    monkeypatch.setattr(store, "_level_units", renamed_meanwhile)
    row = fetch_grid_statuses(conn, "grid").set_index("code").loc["G1"]
    assert row["name"] == "Meanwhile"
    assert len(calls) == 2  # the first units read was of a newer map than its counts
    monkeypatch.undo()
    assert_reads_plain(conn)


def test_a_level_without_units_reads_empty(conn: psycopg.Connection, world: dict[str, int]) -> None:
    assert fetch_grid_statuses(conn, "no-such-level").empty
    assert fetch_grid_statuses(conn, "grid", parent_id=-5).empty


def counting_units_reads(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Every read of a level's units from now on, by its parameters."""
    units_read = store._level_units
    calls: list[dict[str, object]] = []

    def counted(c: psycopg.Connection, params: dict[str, object]) -> store.Units:
        calls.append(params)
        return units_read(c, params)

    monkeypatch.setattr(store, "_level_units", counted)
    return calls


def test_units_are_read_once_per_map_version(
    conn: psycopg.Connection, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.UNITS.clear()
    calls = counting_units_reads(monkeypatch)
    fetch_grid_statuses(conn, "grid")
    gridworld.add_incident(conn, "I-COUNTS", 0.5, 0.5)  # counts change, the map does not
    fetch_grid_statuses(conn, "grid")
    assert len(calls) == 1
    conn.execute("UPDATE grid SET name = 'Renamed' WHERE code = 'G1'")
    assert fetch_grid_statuses(conn, "grid").set_index("code").loc["G1", "name"] == "Renamed"
    assert len(calls) == 2


def test_kept_units_that_no_longer_match_are_dropped(
    conn: psycopg.Connection, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    store.UNITS.clear()
    fetch_grid_statuses(conn, "grid")
    (key,) = store.UNITS._units
    kept = store.UNITS._units[key]
    # the same map version, other units: what a grid written with its triggers off leaves
    store.UNITS._units[key] = store.Units(kept.map_version, kept.frame.iloc[1:])
    calls = counting_units_reads(monkeypatch)
    assert_frame_equal(fetch_grid_statuses(conn, "grid"), plain(conn, "grid"))
    assert len(calls) == 1  # the bad units dropped, the level's read afresh
    assert_frame_equal(fetch_grid_statuses(conn, "grid"), plain(conn, "grid"))
    assert len(calls) == 1  # and the good ones kept


def test_units_are_kept_per_store(
    conn: psycopg.Connection, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    fetch_grid_statuses(conn, "grid")
    calls = counting_units_reads(monkeypatch)
    # what a restore with --clean leaves: the same database, map versions and ids perhaps,
    # but another store (migration 028's instance)
    version = "SELECT map_version FROM twin_change_clock"
    before = conn.execute(version).fetchone()
    conn.execute("UPDATE twin_change_clock SET instance = gen_random_uuid()")
    assert conn.execute(version).fetchone() == before
    fetch_grid_statuses(conn, "grid")
    assert len(calls) == 1
