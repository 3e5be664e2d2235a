"""One thread per server that LISTENs on the store's change channel and wakes the reader."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import psycopg

from twin.changes import listen_for_changes

log = logging.getLogger(__name__)
RETRY_SECONDS = 2.0  # how soon a lost listening connection is opened again
POLL_SECONDS = 1.0  # how often the thread looks up from waiting to see whether to stop


def listen(
    conninfo: str, on_change: Callable[[], None], done: Callable[[], bool]
) -> threading.Thread:
    """LISTEN in a daemon thread until done(): on_change() once per notification, and once
    after each (re)connection (a change may have come while nobody listened)."""

    def loop() -> None:
        while not done():
            try:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    listen_for_changes(conn)
                    on_change()
                    while not done():
                        for _ in conn.notifies(timeout=POLL_SECONDS):
                            on_change()
            except psycopg.Error as exc:
                if not done():
                    log.warning("change listener lost its connection: %s", exc)
                    time.sleep(RETRY_SECONDS)

    thread = threading.Thread(target=loop, name="twin-listener", daemon=True)
    thread.start()
    return thread
