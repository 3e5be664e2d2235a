"""The living demo's simulator: new cases, cases moving along their stages (some late),
sensor alarms and camera outages raised and cleared — all through the HTTP API of a running
`twin serve` (creates with idempotency keys, lifecycle actions, the devices' batch
endpoints), as any other client writes. It reads the store only to choose (where a case is,
which case moves, which device flips). Only over the demo city (`twin demo`, `twin simulate`).
"""

from __future__ import annotations

import logging
import math
import random
import threading
import uuid
from dataclasses import dataclass, field

import psycopg
from psycopg_pool import ConnectionPool

from twin.api.client import FAILED, Answer, ApiClient
from twin.db.queries import query
from twin.ops.config import OpsConfig
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
# A device flip: (batch path, its list's name, the status raised, the status cleared).
FLIPS = {
    True: ("/api/sensors/readings", "readings", "alarm", "normal"),
    False: ("/api/cameras/heartbeats", "heartbeats", "offline", "online"),
}


class SimulatorError(RuntimeError):
    """The server failed a request (a 5xx, or no answer): the step stops, the next goes on."""


@dataclass
class Tally:
    """What the simulator did so far."""

    created: int = 0
    moved: int = 0
    devices: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass
class Run:
    """One simulator run: its API client and the prefix of its idempotency keys."""

    api: ApiClient
    prefix: str = field(default_factory=lambda: f"sim-{uuid.uuid4().hex[:12]}")
    sent: int = 0

    def next_key(self) -> str:
        """A fresh idempotency key: a retried create reuses it and makes no second case."""
        self.sent += 1
        return f"{self.prefix}-{self.sent}"


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


def _accepted(answer: Answer, tally: Tally) -> bool:
    """Whether the API did it; a refusal (4xx) is tallied, a failure raised."""
    if answer.status < 300:
        return True
    if answer.status >= 500:
        raise SimulatorError(f"the server failed: {answer.error()}")
    tally.skipped.append(answer.error())  # e.g. a person acted on the case meanwhile
    return False


def step(
    conn: psycopg.Connection,
    run: Run,
    rng: random.Random,
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
        new = {
            "category": rng.choice(vocab.categories),
            "severity": rng.choices(vocab.severities, weights=weights)[0],
            "source": rng.choice(vocab.sources),
            "lon": spot[0],
            "lat": spot[1],
            "description": "simulated",
            "actor": "simulator",
        }
        if _accepted(run.api.create_case(new, run.next_key()), tally):
            tally.created += 1
    # Each case takes four steps to close: moving four times the intake keeps the city level.
    moves = poisson(rng, 4 * per_second)
    rows = conn.execute(query("sim_cases_to_move"), {"n": moves, "r": rng.random()}).fetchall()
    for code, status in rows:
        if rng.random() < LATE_SHARE:
            continue
        action = NEXT_ACTION[status]
        body = {"actor": "simulator"} | (
            {"department": "模拟处置组"} if action == "dispatch" else {}
        )
        if _accepted(run.api.act(code, action, body), tally):
            tally.moved += 1
    if rng.random() < per_second:  # about as many device changes as new cases
        flip_device(conn, run, rng, tally)


def flip_device(conn: psycopg.Connection, run: Run, rng: random.Random, tally: Tally) -> None:
    """Raise or clear one sensor alarm or camera outage through the devices' batch endpoint."""
    sensor, raise_ = rng.random() < 0.5, rng.random() < 0.5
    params = {"sensor": sensor, "raise": raise_, "r": rng.random()}
    row = conn.execute(query("sim_pick_device"), params).fetchone()
    if row is None:
        return  # none healthy (or none down) of that kind
    path, name, raised, cleared = FLIPS[sensor]
    item = {"code": row[0], "status": raised if raise_ else cleared}
    answer = run.api.post(path, {name: [item]})
    if _accepted(answer, tally):
        tally.devices += int(answer.body["applied"])


def run(
    pool: ConnectionPool,
    api: ApiClient,
    per_minute: float,
    config: OpsConfig,
    stop: threading.Event,
    seed: int | None = None,
    tally: Tally | None = None,
) -> Tally:
    """Step once a second until stop is set; a failed step is logged and the next goes on."""
    rng, tally = random.Random(seed), tally if tally is not None else Tally()
    sim = Run(api)
    while not stop.wait(1.0):
        try:
            with pool.connection() as conn:
                conn.autocommit = True
                step(conn, sim, rng, config, per_minute / 60, tally)
        except (psycopg.Error, *FAILED, SimulatorError) as exc:
            log.warning("simulator step failed: %s", exc)
    api.close()
    return tally


def start_simulator(
    pool: ConnectionPool, url: str, per_minute: float, config: OpsConfig
) -> threading.Event:
    """The simulator in a daemon thread, writing to the server at url; set the event to stop."""
    stop = threading.Event()
    threading.Thread(
        target=run,
        args=(pool, ApiClient(url), per_minute, config, stop),
        name="twin-sim",
        daemon=True,
    ).start()
    return stop
