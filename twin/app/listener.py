"""One thread per server that LISTENs on the store's change channel and wakes the reader."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg

from twin.changes import CHANNEL

log = logging.getLogger(__name__)
RETRY_SECONDS = 2.0  # how soon a lost listening connection is opened again
POLL_SECONDS = 1.0  # how often the thread looks up from waiting to see whether to stop


def listen(conninfo: str, on_change: Callable[[], None], stop: threading.Event) -> threading.Thread:
    """LISTEN in a daemon thread until stop is set: on_change() once per notification, and
    once after each (re)connection (a change may have come while nobody listened)."""

    def loop() -> None:
        while not stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")  # a constant name, not data
                    on_change()
                    while not stop.is_set():
                        for _ in conn.notifies(timeout=POLL_SECONDS):
                            on_change()
            except psycopg.Error as exc:
                log.warning("change listener lost its connection: %s", exc)
                stop.wait(RETRY_SECONDS)

    thread = threading.Thread(target=loop, name="twin-listener", daemon=True)
    thread.start()
    return thread
