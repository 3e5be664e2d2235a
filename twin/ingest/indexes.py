"""Index work once per bulk load: a load as large as the table drops the table's secondary
indexes and foreign keys and builds them again after its insert, all in its own transaction
(a foreign key added back checks every row in one join, not one query per row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from twin.db.queries import query

# Keeping an index up to date row by row costs several times building it once from sorted
# rows: worth it once a load adds at least as many rows as the table holds.
REBUILD_FROM = 1.0  # rows loaded per row in the table


def secondary_indexes(conn: psycopg.Connection, table: str) -> list[tuple[sql.Identifier, str]]:
    """(name, CREATE INDEX statement) of each index of the table that no constraint owns."""
    rows = conn.execute(query("table_secondary_indexes"), {"table": table}).fetchall()
    return [(sql.Identifier(schema, name), definition) for schema, name, definition in rows]


def worth_rebuilding(conn: psycopg.Connection, table: str, rows: int, empty: bool = False) -> bool:
    """Whether loading that many rows should rebuild the table's indexes rather than
    update them row by row: the table's rows (the planner's count, or an exact one when
    the planner's says empty) are at most REBUILD_FROM times fewer; always when the caller
    knows the table empty."""
    if empty:
        return True
    row = conn.execute(query("table_rows_estimate"), {"table": table}).fetchone()
    held = int(row[0]) if row else 0
    if held <= 0:  # never analysed, or truncated since: count (cheap when it is small)
        counted = conn.execute(
            sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} LIMIT %s) t").format(
                sql.Identifier(table)
            ),
            [int(rows / REBUILD_FROM) + 1],
        ).fetchone()
        held = int(counted[0]) if counted else 0
    return rows >= held * REBUILD_FROM


@contextmanager
def built_once(
    conn: psycopg.Connection, table: str, rows: int, empty: bool = False
) -> Iterator[bool]:
    """Inside the caller's transaction: for a load of that many rows that is worth it, and
    when the table can be locked at once, drop its secondary indexes for the block and
    build them again after it (yields True); otherwise leave them be (yields False).

    The lock (ACCESS EXCLUSIVE, to the commit) is asked for with NOWAIT: a load never
    queues behind the dashboard's reads, and so never makes them queue behind it; when the
    table is busy the load keeps its indexes and is just slower. A failure inside the block
    rolls back the drop with everything else. empty: the caller knows the table empty."""
    indexes = secondary_indexes(conn, table)
    if not indexes or not worth_rebuilding(conn, table, rows, empty) or not lock_now(conn, table):
        yield False
        return
    keys = conn.execute(query("table_foreign_keys"), {"table": table}).fetchall()
    alter = sql.SQL("ALTER TABLE {} ").format(sql.Identifier(table))
    for name, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(name))
    for key, _ in keys:
        conn.execute(alter + sql.SQL("DROP CONSTRAINT {}").format(sql.Identifier(key)))
    yield True
    for _, definition in indexes:
        # The server's own statements for what it had, never input.
        conn.execute(sql.SQL(definition))
    for key, definition in keys:
        conn.execute(
            alter + sql.SQL("ADD CONSTRAINT {} ").format(sql.Identifier(key)) + sql.SQL(definition)
        )


def lock_now(conn: psycopg.Connection, table: str) -> bool:
    """Take the table's ACCESS EXCLUSIVE lock if nobody holds a lock on it; False if busy."""
    try:
        with conn.transaction():  # a savepoint: a refused lock leaves the load's intact
            conn.execute(
                sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE NOWAIT").format(
                    sql.Identifier(table)
                )
            )
    except psycopg.errors.LockNotAvailable:
        return False
    return True


@contextmanager
def keys_built_once(conn: psycopg.Connection, table: str) -> Iterator[None]:
    """Inside the caller's transaction, for an insert into an empty table it holds locked
    (built_once): drop its primary key and UNIQUE constraints that no foreign key needs, and
    build their indexes again after the block, from the sorted rows: at 1M points keeping
    them up row by row costs 2.6 s, building them 0.7 s. A repeated value fails the build
    as it would have failed the insert, and rolls back the whole load."""
    keys = conn.execute(query("table_key_constraints"), {"table": table}).fetchall()
    alter = sql.SQL("ALTER TABLE {} ").format(sql.Identifier(table))
    for name, *_ in keys:
        conn.execute(alter + sql.SQL("DROP CONSTRAINT {}").format(sql.Identifier(name)))
    yield
    for name, kind, index, definition in keys:
        # The server's own statement for the index it had, never input; the constraint
        # takes the index back under its name, so both are as they were.
        conn.execute(sql.SQL(definition))
        conn.execute(
            alter
            + sql.SQL("ADD CONSTRAINT {} {} USING INDEX {}").format(
                sql.Identifier(name), sql.SQL(kind), sql.Identifier(index)
            )
        )
