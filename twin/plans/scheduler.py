"""The scheduler `twin serve` runs: scheduled plans put in force once their local midnight
has passed, checked every minute (cron can run `twin plan activate` instead, or as well)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from psycopg_pool import ConnectionPool

from twin.activity import Clock
from twin.plans.publish import activate

INTERVAL_S = 60.0  # a plan is in force within a minute of its midnight
log = logging.getLogger(__name__)


def activate_due(pool: ConnectionPool, clock: Callable[[], Clock]) -> list[str]:
    """One round: publish what is due; a failure is logged, never raised (the next round
    tries again)."""
    try:
        with pool.connection() as conn:
            names = activate(conn, clock())
    except Exception:
        log.exception("activating scheduled plans failed; trying again in %.0f s", INTERVAL_S)
        return []
    for name in names:
        log.warning("plan %s is in force now", name)
    return names


def start_scheduler(
    pool: ConnectionPool, clock: Callable[[], Clock], stop: threading.Event
) -> threading.Thread:
    """A daemon thread running activate_due now and every INTERVAL_S until stop is set."""

    def run() -> None:
        while not stop.is_set():
            activate_due(pool, clock)
            stop.wait(INTERVAL_S)

    thread = threading.Thread(target=run, name="twin-plan-scheduler", daemon=True)
    thread.start()
    return thread
