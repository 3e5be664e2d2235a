"""The overdue checkpoint: grid_stat counts the open cases due before it, so a status read
counts only the cases due between it and the moment judged (migration 020)."""

from __future__ import annotations

from datetime import datetime

import psycopg

from twin.db.queries import query


def advance_overdue_checkpoint(conn: psycopg.Connection, at: datetime) -> bool:
    """Fold the open cases due before `at` into the counts, in a transaction of its own;
    False when it did not move (`at` not later, or a writer holds the checkpoint)."""
    with conn.transaction():
        row = conn.execute(query("overdue_checkpoint_advance"), {"at": at}).fetchone()
    return bool(row and row[0])


def fetch_overdue_checkpoint(conn: psycopg.Connection) -> datetime:
    """The moment before which grid_stat counts the open cases that are due."""
    row = conn.execute(query("overdue_checkpoint")).fetchone()
    if row is None:
        raise LookupError("the overdue checkpoint is missing: run `twin db migrate`")
    return row[0]
