"""Running `twin serve` for a test: started as a user would, waited for, always stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from twin.db.cluster import free_port


@contextmanager
def twin_serve(db_url: str, **env: str) -> Iterator[str]:
    """`twin serve` on a free port over db_url; yields its base URL once it answers."""
    port = free_port()
    environ = os.environ | {"TWIN_DATABASE_URL": db_url, "TWIN_PORT": str(port)} | env
    proc = subprocess.Popen(
        [sys.executable, "-m", "twin.cli", "serve"],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/_dash-layout").close()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "twin serve did not answer within 60 s"
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
