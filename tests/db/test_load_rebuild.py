"""A load as large as its table builds the table's indexes once, after its insert, instead of
row by row; a busy table, or a small load, keeps them; either way every index is there after."""

from __future__ import annotations

import psycopg
import pytest

from twin.ingest import indexes

INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname"


KEYS = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
"""


def _keys(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    return conn.execute(KEYS, [table]).fetchall()


def _indexes(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    return conn.execute(INDEXES, [table]).fetchall()


def test_a_load_into_an_empty_table_drops_its_secondary_indexes_and_builds_each_again(
    conn: psycopg.Connection,
) -> None:
    before, keys = _indexes(conn, "incident"), _keys(conn, "incident")
    with conn.transaction(), indexes.built_once(conn, "incident", 1_000) as rebuilt:
        during = [name for name, _ in _indexes(conn, "incident")]
        assert _keys(conn, "incident") == []  # checked once, when added back
    assert rebuilt
    assert keys and _keys(conn, "incident") == keys
    # Upsert by code keeps what it needs: the primary key and code's unique index.
    assert during == ["incident_code_key", "incident_pkey"]
    assert len(before) > 2
    assert _indexes(conn, "incident") == before


def test_a_failure_inside_the_load_leaves_every_index_in_place(conn: psycopg.Connection) -> None:
    before, keys = _indexes(conn, "incident"), _keys(conn, "incident")
    with (
        pytest.raises(psycopg.errors.DivisionByZero),
        conn.transaction(),
        indexes.built_once(conn, "incident", 1_000),
    ):
        conn.execute("SELECT 1 / 0")
    assert _indexes(conn, "incident") == before
    assert _keys(conn, "incident") == keys


def test_a_table_someone_is_reading_keeps_its_indexes(
    db_url: str, conn: psycopg.Connection
) -> None:
    before = _indexes(conn, "incident")
    with psycopg.connect(db_url) as reader:
        reader.execute("SELECT count(*) FROM incident").fetchone()  # holds its lock to commit
        with conn.transaction(), indexes.built_once(conn, "incident", 1_000) as rebuilt:
            during = _indexes(conn, "incident")
        reader.rollback()
    assert not rebuilt
    assert during == before


def test_a_row_the_foreign_key_refuses_still_refuses_the_load(conn: psycopg.Connection) -> None:
    conn.execute("ALTER TABLE incident DROP CONSTRAINT incident_closed_iff_closed_at")
    conn.execute("ALTER TABLE incident DROP CONSTRAINT incident_resolved_has_resolved_at")
    with (
        pytest.raises(psycopg.errors.ForeignKeyViolation),
        conn.transaction(),
        indexes.built_once(conn, "incident", 1_000),
    ):
        conn.execute(
            "INSERT INTO incident (code, category, severity, source, status, due_at, geom)"
            " VALUES ('X1', 'other', 1, 'patrol', 'lost', now(), ST_Point(0, 0, 4326))"
        )
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (0,)


def test_only_a_load_at_least_as_large_as_the_table_rebuilds(conn: psycopg.Connection) -> None:
    conn.execute("CREATE TABLE held (x int)")
    conn.execute("INSERT INTO held SELECT generate_series(1, 100)")
    assert not indexes.worth_rebuilding(conn, "held", 99)
    assert indexes.worth_rebuilding(conn, "held", 100)
    conn.execute("ANALYZE held")
    assert not indexes.worth_rebuilding(conn, "held", 50)
    assert indexes.worth_rebuilding(conn, "held", 150)


CONSTRAINTS = """
SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = %s::regclass ORDER BY conname
"""


def test_an_insert_into_an_empty_table_builds_its_keys_again_as_they_were(
    conn: psycopg.Connection,
) -> None:
    before, constraints = _indexes(conn, "incident"), conn.execute(CONSTRAINTS, ["incident"])
    kept = constraints.fetchall()
    with conn.transaction(), indexes.keys_built_once(conn, "incident"):
        during = [name for name, _ in _indexes(conn, "incident")]
    assert "incident_pkey" not in during and "incident_code_key" not in during
    assert _indexes(conn, "incident") == before
    assert conn.execute(CONSTRAINTS, ["incident"]).fetchall() == kept


def test_a_code_repeated_while_the_keys_are_down_refuses_the_insert(
    conn: psycopg.Connection,
) -> None:
    row = (
        "INSERT INTO incident (code, category, severity, source, due_at, geom)"
        " VALUES ('X1', 'other', 1, 'patrol', now(), ST_Point(0, 0, 4326))"
    )
    with (
        pytest.raises(psycopg.errors.UniqueViolation),
        conn.transaction(),
        indexes.keys_built_once(conn, "incident"),
    ):
        conn.execute(row)
        conn.execute(row)
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (0,)
    assert "incident_code_key" in [name for name, _ in _indexes(conn, "incident")]
