"""What the intake benchmarks send and how they sum it up: cases at points inside the city's
grids, posted to /api/cases (each with its idempotency key) or to Open311 in the standard's
form fields; latencies as percentiles; a scratch database on the same server."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import psycopg

from twin.api.client import Answer, ApiClient
from twin.catalog import load_catalog
from twin.catalog.terms import CASES
from twin.db.queries import query
from twin.settings import Settings


def vocabulary(settings: Settings) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The catalog's case categories and sources."""
    cases = load_catalog(settings.layers_dir)[CASES]
    return cases.field("category").allowed, cases.field("source").allowed


def fetch_spots(conn: psycopg.Connection, n: int, seed: int) -> list[tuple[float, float]]:
    """n points (lon, lat), each inside a grid picked at random."""
    rng = random.Random(seed)
    spots = []
    for _ in range(n):
        row = conn.execute(query("sim_random_point"), {"r": rng.random()}).fetchone()
        if row is None:
            raise ValueError("the store holds no grids to post cases into")
        spots.append((float(row[0]), float(row[1])))
    return spots


@dataclass
class Intake:
    """Posts numbered cases at the spots, through the API or Open311; a run's own keys."""

    api: ApiClient
    spots: list[tuple[float, float]]
    categories: tuple[str, ...]
    sources: tuple[str, ...]
    prefix: str = ""

    def __post_init__(self) -> None:
        self.prefix = self.prefix or f"bench-{uuid.uuid4().hex[:10]}"

    def post_api(self, n: int) -> tuple[Answer, str | None]:
        """POST /api/cases, the n-th case; the answer and the accepted case's code."""
        lon, lat = self.spots[n % len(self.spots)]
        body = {
            "category": self.categories[n % len(self.categories)],
            "severity": 1 + n % 4,
            "source": self.sources[n % len(self.sources)],
            "lon": lon,
            "lat": lat,
            "description": f"bench intake {n}",
        }
        answer = self.api.create_case(body, f"{self.prefix}-{n}")
        code = answer.body["case"]["code"] if answer.status == 201 else None
        return answer, code

    def post_open311(self, n: int) -> tuple[Answer, str | None]:
        """POST /open311/v2/requests.json in form fields, the n-th case."""
        lon, lat = self.spots[n % len(self.spots)]
        form = {
            "service_code": self.categories[n % len(self.categories)],
            "lat": f"{lat:.7f}",
            "long": f"{lon:.7f}",
            "description": f"bench open311 {n}",
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        answer = self.api.request(
            "POST", "/open311/v2/requests.json", headers=headers, raw=urlencode(form).encode()
        )
        code = answer.body[0]["service_request_id"] if answer.status == 201 else None
        return answer, code


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by the nearest rank of the sorted values (nan when none)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def latency_line(name: str, seconds: list[float]) -> str:
    """'name: n requests, p50 …, p95 …, p99 …, max … ms'."""
    ms = [s * 1000 for s in seconds]
    if not ms:
        return f"{name}: no requests"
    parts = ", ".join(f"p{int(q * 100)} {percentile(ms, q):,.1f}" for q in (0.5, 0.95, 0.99))
    return f"{name}: {len(ms):,} requests, {parts}, max {max(ms):,.1f} ms"
