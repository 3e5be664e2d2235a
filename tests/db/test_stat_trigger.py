"""The counting trigger written from the count columns (migration 025): a column added later is
counted at once, even by a session whose trigger ran (and kept its plans) before, and verify
names a trigger that does not count what twin_stat_column lists."""

from __future__ import annotations

import psycopg

from tests.db.test_trusted_counts import counts
from tests.gridworld import add_incident
from twin.db.verify import STALE, verify


def test_a_column_added_later_is_counted_by_a_session_that_counted_before(
    conn: psycopg.Connection, db_url: str, world: dict[str, int]
) -> None:
    with psycopg.connect(db_url, autocommit=True) as writer:
        for n in range(3):  # the trigger's statements planned and kept in this session
            add_incident(writer, f"A{n}", 0.5, 0.5, source="hotline")
        conn.execute(
            "SELECT twin_stat_add_column('incident', 'incident_source_hotline', %s)",
            ["source = 'hotline'"],
        )
        add_incident(writer, "A3", 0.5, 0.5, source="hotline")
        add_incident(writer, "P0", 1.5, 0.5, source="patrol")
        writer.execute("UPDATE incident SET source = 'hotline' WHERE code = 'P0'")
        writer.execute("DELETE FROM incident WHERE code = 'A0'")
    got = counts(conn, "incident_source_hotline")
    # A0-A2 came before the column (a recount counts them): A3 added 1 and A0's delete took
    # 1 from G1; P0 moved to 'hotline' added 1 to G2; both reach the district.
    assert (got["G1"], got["G2"], got["D"]) == (0, 1, 1)
    conn.execute("SELECT twin_stat_rebuild('incident')")
    got = counts(conn, "incident_source_hotline")
    assert (got["G1"], got["G2"], got["D"]) == (3, 1, 4)
    assert verify(conn).problems == []


def test_verify_names_a_trigger_that_does_not_count_every_listed_column(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    assert verify(conn).problems == []
    # A column listed behind twin_stat_add_column's back: the trigger was not rewritten.
    conn.execute("ALTER TABLE grid_stat ADD COLUMN incident_source_hotline bigint DEFAULT 0")
    conn.execute(
        "INSERT INTO twin_stat_column VALUES (%s, 'incident', %s)",
        ["incident_source_hotline", "source = 'hotline'"],
    )
    assert STALE in verify(conn).problems
    conn.execute("SELECT twin_stat_compile()")
    assert verify(conn).problems == []
