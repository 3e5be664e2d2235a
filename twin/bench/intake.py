"""`twin bench --intake`: cases per second accepted through a running `twin serve` (POST
/api/cases, and Open311's POST requests.json), each assigned to its grid, counted, given its
deadlines, dispatch rule and duplicate check, beside `twin load`'s rows per second for a CSV of
cases — in a scratch database holding the demo, on loopback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import psycopg

from twin.api.client import Answer, ApiClient
from twin.app.launch import twin_serve
from twin.bench.scratch import scratch_database
from twin.bench.traffic import Intake, fetch_spots, latency_line, vocabulary
from twin.catalog import load_catalog
from twin.catalog.terms import CASES
from twin.db.verify import verify
from twin.export import export_layer
from twin.settings import Settings
from twin.synth.load import load_demo

SCRATCH = "twin_bench_intake"
CLIENTS = 8  # concurrent posters: as many as the server has threads
LOAD_ROWS = 200_000  # most rows of the CSV `twin load` reads (the demo's cases, recoded)


def post_all(
    post: Callable[[int], tuple[Answer, str | None]], n: int, clients: int
) -> tuple[float, list[str], list[float], list[str]]:
    """n posts from `clients` threads, each as soon as the last answered: seconds taken,
    the accepted codes, each post's seconds, and what was refused."""
    counter, lock = iter(range(n)), threading.Lock()
    codes: list[str] = []
    took: list[float] = []
    refused: list[str] = []

    def worker() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            answer, code = post(i)
            with lock:
                took.append(answer.seconds)
                if code is not None:
                    codes.append(code)
                else:
                    refused.append(answer.error())

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, codes, took, refused


def load_rate(scratch: str, conn: psycopg.Connection, work: Path) -> tuple[int, float]:
    """Rows and rows/s of `twin load` of the store's cases as a CSV under new codes (the
    rate `twin load` prints: its own reading, validation, assignment and counting)."""
    layer = load_catalog(Settings.from_env().layers_dir)[CASES]
    exported, csv = work / "exported.csv", work / "cases.csv"
    export_layer(conn, layer, exported)
    frame = pd.read_csv(exported, dtype=str, nrows=LOAD_ROWS, keep_default_na=False)
    frame["code"] = "L" + frame["code"]
    frame.to_csv(csv, index=False)
    done = subprocess.run(
        [sys.executable, "-m", "twin.cli", "load", "incident", str(csv), "--crs", "4326"],
        env=os.environ | {"TWIN_DATABASE_URL": scratch},
        capture_output=True,
        text=True,
        check=False,
    )
    said = re.search(r"([\d,]+) features/s", done.stdout)
    if done.returncode != 0 or said is None:
        raise RuntimeError(f"twin load failed:\n{done.stderr[-3000:]}")
    return len(frame), float(said[1].replace(",", ""))


def run_intake_bench(url: str, size: str, seed: int, cases: int) -> str:
    """The demo of that size in a scratch database, served; `cases` posts each way, then
    `twin load` of its cases; the rates side by side."""
    settings = Settings.from_env()
    scratch = scratch_database(url, SCRATCH)
    with psycopg.connect(scratch, autocommit=True) as conn:
        load_demo(conn, size, seed, progress=True)
        spots = fetch_spots(conn, 500, seed)
    categories, sources = vocabulary(settings)
    env = {"TWIN_SWEEP_SECONDS": "0"}  # an escalation sweep would share the server's time
    with twin_serve(scratch, None, **env) as served:
        api = ApiClient(served)
        intake = Intake(api, spots, categories, sources)
        api_s, api_codes, api_took, api_refused = post_all(intake.post_api, cases, CLIENTS)
        o_s, o_codes, o_took, o_refused = post_all(intake.post_open311, cases, CLIENTS)
    with psycopg.connect(scratch, autocommit=True) as conn:
        stored = conn.execute(
            "SELECT count(*) FROM incident WHERE code = ANY(%s)", [api_codes + o_codes]
        ).fetchone()
        work = Path(tempfile.mkdtemp(prefix="twin-bench-intake-"))
        rows, rate = load_rate(scratch, conn, work)
        problems = verify(conn).problems
    api_rate, o_rate = len(api_codes) / api_s, len(o_codes) / o_s
    lines = [
        f"twin bench --intake — size {size}, seed {seed}: {cases:,} posts each way from "
        f"{CLIENTS} clients over loopback to `twin serve` (8 threads)",
        "",
        "| intake | cases/s | beside `twin load` |",
        "|---|---:|---:|",
        f"| POST /api/cases (JSON, idempotency key) | {api_rate:,.0f} | {api_rate / rate:.4f}× |",
        f"| POST /open311/v2/requests.json (form) | {o_rate:,.0f} | {o_rate / rate:.4f}× |",
        f"| `twin load` of a {rows:,}-row CSV of cases | {rate:,.0f} | 1× |",
        "",
        f"- {latency_line('/api/cases', api_took)}",
        f"- {latency_line('Open311', o_took)}",
        f"- refused: {len(api_refused) + len(o_refused)}"
        + (f" (first: {(api_refused + o_refused)[0]})" if api_refused + o_refused else ""),
        f"- accepted {len(api_codes) + len(o_codes):,}, in the store {stored[0] if stored else 0:,}"
        f"; twin db verify: {'passes' if not problems else f'{len(problems)} problem(s)'}",
    ]
    return "\n".join(lines)
