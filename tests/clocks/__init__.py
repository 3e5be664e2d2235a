"""Run the whole suite under shifted clocks (libfaketime), so no test depends on the day.

Each run shifts the wall clock of pytest and of everything it starts — the embedded
PostgreSQL, `twin` subprocesses, Chromium — by the same relative offset, so they agree
with each other and time still moves. The runs:

- midnight: 23:59:30 in TWIN_TIMEZONE, so "today" ends half a minute into the run;
- next-year: more than a year ahead;
- other-zone: the process TZ is not TWIN_TIMEZONE, at an hour when their dates differ;
- all-at-once (the default, what CI runs): the three together — 23:59:30 in TWIN_TIMEZONE
  400 days ahead, with the process TZ in New York, whose date stays behind once
  TWIN_TIMEZONE's day has ended. One run instead of three keeps CI under 30 minutes.

Usage: python -m tests.clocks [RUN ...] [-- PYTEST ARGS]; exit non-zero when any run fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")
SITE = Path(__file__).parent / "site"  # sitecustomize for every Python process of a run
TWIN_ZONE = "Asia/Shanghai"


def next_local(hour: int, minute: int, second: int, zone: str, now: datetime) -> datetime:
    """The next moment at that local time of day in that zone, after now."""
    local = now.astimezone(ZoneInfo(zone))
    at = local.replace(hour=hour, minute=minute, second=second, microsecond=0)
    return at if at > local else at + timedelta(days=1)


@dataclass(frozen=True)
class Run:
    """One shifted clock: where it starts (from the real now) and the process TZ."""

    name: str
    start: Callable[[datetime], datetime]
    env: dict[str, str] = field(default_factory=dict)


ELSEWHERE = {"TZ": "America/New_York"}
RUNS = (
    Run(
        "all-at-once",
        lambda now: next_local(23, 59, 30, TWIN_ZONE, now) + timedelta(days=400),
        ELSEWHERE,
    ),
    Run("midnight", lambda now: next_local(23, 59, 30, TWIN_ZONE, now)),
    Run("next-year", lambda now: now + timedelta(days=400)),
    Run(
        "other-zone",
        # 02:00 in Shanghai is the previous afternoon in New York: the two dates differ.
        lambda now: next_local(2, 0, 0, TWIN_ZONE, now),
        ELSEWHERE,
    ),
)
DEFAULT = ("all-at-once",)


def shifted_env(run: Run, now: datetime) -> dict[str, str]:
    """The environment that shifts every process of the run by the same offset."""
    offset = round((run.start(now) - now).total_seconds())
    env = dict(os.environ, **run.env)
    env.pop("TWIN_TEST_DATABASE_URL", None)  # the tests' own cluster, under the same clock
    env.update(
        LD_PRELOAD=str(LIBFAKETIME),
        FAKETIME=f"{offset:+d}",
        # Monotonic time stays real: Python computes lock and event deadlines from it and
        # the kernel waits on the real one (a faked one makes a 0.3 s wait last the offset).
        FAKETIME_DONT_FAKE_MONOTONIC="1",
        PYTHONPATH=os.pathsep.join(p for p in (str(SITE), env.get("PYTHONPATH")) if p),
        TWIN_TIMEZONE=TWIN_ZONE,
    )
    return env


def check_shift(env: dict[str, str], expected: datetime) -> None:
    """Fail unless a child process really sees the shifted clock."""
    seen = subprocess.run(
        [sys.executable, "-c", "import time; print(time.time())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    drift = abs(float(seen.stdout) - expected.timestamp())
    if drift > 60:
        raise SystemExit(f"clocks: libfaketime is not in effect (off by {drift:.0f} s)")


def jobs() -> list[str]:
    """pytest-xdist's arguments for TWIN_TEST_JOBS workers (make test-clocks sets it)."""
    n = os.environ.get("TWIN_TEST_JOBS", "")
    return ["-n", n, "--dist", "loadgroup"] if n.isdigit() and int(n) > 1 else []


def main(argv: list[str]) -> int:
    """Run the suite once per chosen clock; the failed runs' names are the summary."""
    names, _, pytest_args = " ".join(argv).partition("--")
    wanted = names.split() or DEFAULT
    unknown = set(wanted) - {r.name for r in RUNS}
    if unknown:
        raise SystemExit(f"clocks: no run named {', '.join(sorted(unknown))}")
    chosen = [r for r in RUNS if r.name in wanted]
    if not LIBFAKETIME.exists():
        raise SystemExit(f"clocks: {LIBFAKETIME} missing (Debian package faketime)")
    failed = []
    for run in chosen:
        now = datetime.now(UTC)
        env = shifted_env(run, now)
        check_shift(env, run.start(now))
        local = run.start(now).astimezone(ZoneInfo(env.get("TZ", TWIN_ZONE)))
        print(f"== clocks: {run.name}: starting at {local:%Y-%m-%d %H:%M:%S %Z}", flush=True)
        started = time.monotonic()
        # PostgreSQL's timers (statement_timeout, lock_timeout) never fire under libfaketime
        # 0.9.10, so the few tests that wait for one would wait forever: make test runs them.
        # The browser keeps the real clock (Chromium cannot run under libfaketime), and under
        # it the shifted server answered some 5 s waits too late: make test runs tests/e2e.
        # Latency bounds in real seconds name no date: make test runs them (under libfaketime,
        # with the whole suite on two cores, single reads stalled 1.2-1.5 s in two CI runs).
        marks = "not pg_timers and not wall_latency"
        args = ["-m", marks, "--ignore=tests/e2e", *jobs(), *pytest_args.split()]
        code = subprocess.call([sys.executable, "-m", "pytest", *args], env=env)
        print(f"== clocks: {run.name}: exit {code} in {time.monotonic() - started:.0f} s")
        if code != 0:
            failed.append(run.name)
    if failed:
        print(f"clocks: failed under {', '.join(failed)}")
        return 1
    print(f"clocks: the suite passed under {len(chosen)} shifted clocks")
    return 0
