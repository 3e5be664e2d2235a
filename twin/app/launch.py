"""Running `twin serve` in the background (tests, benchmarks): started as a user would,
waited for, always stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from twin.db.cluster import free_port


@contextmanager
def twin_serve(db_url: str, log: Path | None = None, **env: str) -> Iterator[str]:
    """`twin serve` on a free port over db_url; yields its base URL once it answers.

    With log, the server's output goes to that file (kept for reading after a failure).
    """
    port = free_port()
    environ = os.environ | {"TWIN_DATABASE_URL": db_url, "TWIN_PORT": str(port)} | env
    out = log.open("w") if log else subprocess.PIPE
    proc = subprocess.Popen(
        [sys.executable, "-m", "twin.cli", "serve"],
        env=environ,
        stdout=out,
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
                if proc.poll() is not None:
                    said = proc.stdout.read() if proc.stdout else f"see {log}"
                    raise RuntimeError(f"twin serve exited: {said}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("twin serve did not answer within 60 s") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        if log:
            out.close()  # type: ignore[union-attr]
