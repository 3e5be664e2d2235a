"""The living demo's simulator: new cases, cases moving along their stages (some late),
sensor alarms and camera outages raised and cleared — through twin.ops (the functions the
HTTP API calls) and the store's triggers. Only over the demo city (`twin demo`, `twin simulate`).
"""

from __future__ import annotations

import logging
import math
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from psycopg_pool import ConnectionPool

from twin.activity import Clock
from twin.db.queries import query
from twin.ops.cases import NewCase, act, create_case
from twin.ops.config import OpsConfig
from twin.ops.errors import CaseError, CaseNotFound
from twin.synth.load import DEMO_KEY

log = logging.getLogger(__name__)
NEXT_ACTION = {
    "reported": "dispatch",
    "escalated": "dispatch",
    "dispatched": "start",
    "in_progress": "resolve",
    "resolved": "close",
}
LATE_SHARE = 0.2  # of the cases due a step, this share is left alone this time: some run late


@dataclass
class Tally:
    """What the simulator did so far."""

    created: int = 0
    moved: int = 0
    devices: int = 0
    skipped: list[str] = field(default_factory=list)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; the means here are small)."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def is_demo(conn: psycopg.Connection) -> bool:
    """Whether the store holds the generated demo city (the only data it may animate)."""
    return conn.execute(query("sim_is_demo"), {"key": DEMO_KEY}).fetchone() is not None


def step(
    conn: psycopg.Connection,
    rng: random.Random,
    clock: Clock,
    config: OpsConfig,
    per_second: float,
    tally: Tally,
) -> None:
    """One second of city life at per_second new cases on average."""
    vocab = config.vocabulary
    # serious cases are rarer: weights 1, 4, 9, 16 from severity 1 down
    weights = [(i + 1) ** 2 for i in range(len(vocab.severities))]
    for _ in range(poisson(rng, per_second)):
        spot = conn.execute(query("sim_random_point"), {"r": rng.random()}).fetchone()
        if spot is None:
            return  # no grids: nothing to animate
        new = NewCase(
            category=rng.choice(vocab.categories),
            severity=rng.choices(vocab.severities, weights=weights)[0],
            source=rng.choice(vocab.sources),
            lon=spot[0],
            lat=spot[1],
            description="simulated",
            actor="simulator",
        )
        create_case(conn, new, clock, config)
        tally.created += 1
    # Each case takes four steps to close: moving four times the intake keeps the city level.
    moves = poisson(rng, 4 * per_second)
    rows = conn.execute(query("sim_cases_to_move"), {"n": moves, "r": rng.random()}).fetchall()
    for code, status in rows:
        if rng.random() < LATE_SHARE:
            continue
        action = NEXT_ACTION[status]
        extra = {"department": "模拟处置组"} if action == "dispatch" else {}
        try:
            act(conn, code, action, actor="simulator", clock=clock, **extra)
            tally.moved += 1
        except (CaseError, CaseNotFound) as exc:  # a person acted on it meanwhile
            tally.skipped.append(str(exc))
    if rng.random() < per_second:  # about as many device changes as new cases
        params = {
            "sensor": rng.random() < 0.5,
            "raise": rng.random() < 0.5,
            "r": rng.random(),
            "now": clock.now,
        }
        row = conn.execute(query("sim_flip_device"), params).fetchone()
        tally.devices += int(row[0]) if row else 0


def run(
    pool: ConnectionPool,
    per_minute: float,
    config: OpsConfig,
    clock: Callable[[], Clock],
    stop: threading.Event,
    seed: int | None = None,
    tally: Tally | None = None,
) -> Tally:
    """Step once a second until stop is set; a failed step is logged and the next goes on."""
    rng, tally = random.Random(seed), tally if tally is not None else Tally()
    while not stop.wait(1.0):
        try:
            with pool.connection() as conn:
                conn.autocommit = True
                step(conn, rng, clock(), config, per_minute / 60, tally)
        except psycopg.Error as exc:
            log.warning("simulator step failed: %s", exc)
    return tally


def start_simulator(
    pool: ConnectionPool, per_minute: float, config: OpsConfig, clock: Callable[[], Clock]
) -> threading.Event:
    """The simulator in a daemon thread; set the event to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=run, args=(pool, per_minute, config, clock, stop), name="twin-sim", daemon=True
    ).start()
    return stop
