"""The unit index made ready after a grid write, off the path of the request that wrote."""

from __future__ import annotations

import logging
import threading

from psycopg_pool import ConnectionPool

from twin.spatial.assign_memory import prepare_unit_index

log = logging.getLogger(__name__)


def ready_in_background(pool: ConnectionPool) -> threading.Thread:
    """Build the finest level's unit index and its file on a thread of its own, so a publish
    answers without waiting for it; a failure is logged (the next load builds its own)."""

    def build() -> None:
        try:
            with pool.connection() as conn:
                prepare_unit_index(conn)
        except Exception:
            log.exception("building the unit index after a grid write failed")

    thread = threading.Thread(target=build, name="twin-unit-index", daemon=True)
    thread.start()
    return thread
