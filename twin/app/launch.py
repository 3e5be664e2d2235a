"""Running `twin serve` in the background (tests, benchmarks): started as a user would,
waited for, always stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from twin.db.cluster import free_port


@contextmanager
def twin_serve(db_url: str, log: Path | None = None, **env: str) -> Iterator[str]:
    """`twin serve` on a free port over db_url; yields its base URL once it answers.

    With log, the server's output goes to that file (kept for reading after a failure);
    without, to a temporary file. Never to a pipe nobody reads while it serves: a busy
    server's warnings (waitress logs each deeper task queue) fill a pipe's 64 KB, and its
    next log line then blocks the thread that accepts connections.
    """
    port = free_port()
    environ = os.environ | {"TWIN_DATABASE_URL": db_url, "TWIN_PORT": str(port)} | env
    out = log.open("w") if log else tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed below)
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
                    said = _written(out) if log is None else f"see {log}"
                    raise RuntimeError(f"twin serve exited: {said}") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("twin serve did not answer within 60 s") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        out.close()


def _written(out: IO[str]) -> str:
    """What the server wrote to its temporary output file."""
    out.flush()
    out.seek(0)
    return out.read()
