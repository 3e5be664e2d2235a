"""The escalation sweep (督办): overdue stages escalated at most once per case and stage,
run by `twin ops sweep` (cron) and by a thread of `twin serve`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from twin.activity import Clock
from twin.db.queries import query
from twin.spatial.overdue import advance_overdue_checkpoint

BATCH = 500  # cases per transaction: a first sweep over a backlog never holds them all
log = logging.getLogger(__name__)


def sweep(conn: psycopg.Connection, clock: Clock, batch: int = BATCH) -> list[dict[str, Any]]:
    """Escalate every stage past due at clock.now not escalated before; what it escalated
    (code, stage, due_at, category, severity, previous_status), in batches of one
    transaction each. Safe to run twice at once: each stage is escalated by one of them.
    Then the overdue checkpoint moves to clock.now, so status reads stay O(units)."""
    done: list[dict[str, Any]] = []
    while True:
        with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(query("sweep_escalate"), {"now": clock.now, "limit": batch})
            escalated = rows.fetchall()
        done += escalated
        if not escalated:
            advance_overdue_checkpoint(conn, clock.now)
            return done


def run_sweeps(
    pool: ConnectionPool,
    every_seconds: float,
    clock: Callable[[], Clock],
    stop: threading.Event,
) -> None:
    """Sweep every so often until stop is set (the loop of `twin serve`'s thread); a failed
    sweep is logged and the next one tries again."""
    while not stop.wait(every_seconds):
        try:
            with pool.connection() as conn:
                n = len(sweep(conn, clock()))
            if n:
                log.info("sweep escalated %d stage(s)", n)
        except psycopg.Error as exc:
            log.warning("sweep failed: %s", exc)


def start_sweeper(
    pool: ConnectionPool, every_seconds: float, clock: Callable[[], Clock]
) -> tuple[threading.Thread, threading.Event]:
    """A daemon thread sweeping every so often; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_sweeps, args=(pool, every_seconds, clock, stop), name="twin-sweep", daemon=True
    )
    thread.start()
    return thread, stop
