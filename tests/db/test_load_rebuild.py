"""A load as large as its table builds the table's indexes once, after its insert, instead of
row by row; a busy table, or a small load, keeps them; either way every index is there after."""

from __future__ import annotations

import psycopg
import pytest

from twin.ingest import indexes

INDEXES = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname"


def _indexes(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    return conn.execute(INDEXES, [table]).fetchall()


def test_a_load_into_an_empty_table_drops_its_secondary_indexes_and_builds_each_again(
    conn: psycopg.Connection,
) -> None:
    before = _indexes(conn, "incident")
    with conn.transaction(), indexes.built_once(conn, "incident", 1_000) as rebuilt:
        during = [name for name, _ in _indexes(conn, "incident")]
    assert rebuilt
    # Upsert by code keeps what it needs: the primary key and code's unique index.
    assert during == ["incident_code_key", "incident_pkey"]
    assert len(before) > 2
    assert _indexes(conn, "incident") == before


def test_a_failure_inside_the_load_leaves_every_index_in_place(conn: psycopg.Connection) -> None:
    before = _indexes(conn, "incident")
    with (
        pytest.raises(psycopg.errors.DivisionByZero),
        conn.transaction(),
        indexes.built_once(conn, "incident", 1_000),
    ):
        conn.execute("SELECT 1 / 0")
    assert _indexes(conn, "incident") == before


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


def test_only_a_load_at_least_as_large_as_the_table_rebuilds(conn: psycopg.Connection) -> None:
    conn.execute("CREATE TABLE held (x int)")
    conn.execute("INSERT INTO held SELECT generate_series(1, 100)")
    assert not indexes.worth_rebuilding(conn, "held", 99)
    assert indexes.worth_rebuilding(conn, "held", 100)
    conn.execute("ANALYZE held")
    assert not indexes.worth_rebuilding(conn, "held", 50)
    assert indexes.worth_rebuilding(conn, "held", 150)
