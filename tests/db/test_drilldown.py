"""The one-unit drill-down is one round trip and shows what the reads one by one show; the
all-grid status's overdue equals a plain count, on the demo city at every level."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import psycopg
import pytest
from psycopg.pq import Trace
from psycopg.rows import dict_row

from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.db.queries import query
from twin.settings import Settings
from twin.store import (
    IncidentFilter,
    fetch_children_statuses,
    fetch_grid,
    fetch_grid_detail,
    fetch_grid_statuses,
    fetch_incidents,
    fetch_one_status,
    fetch_unit_points,
)
from twin.synth.load import load_demo

LAYERS = load_catalog(Settings().layers_dir)
DEVICES = [LAYERS[d] for d in Terms.of(LAYERS).device_layers]
OPEN = list(Terms.of(LAYERS).open_statuses)


@pytest.fixture
def demo(conn: psycopg.Connection) -> datetime:
    """The small demo city, loaded as of the database's now; that moment."""
    row = conn.execute("SELECT date_trunc('minute', now())").fetchone()
    assert row is not None
    assert load_demo(conn, "small", seed=5, now=row[0])
    return row[0]


def sample(conn: psycopg.Connection) -> list[str]:
    """A few units of every level, in a stable order."""
    rows = conn.execute(
        "SELECT code FROM (SELECT code, level, row_number() OVER"
        " (PARTITION BY level ORDER BY md5(code)) AS n FROM grid) g WHERE n <= 4 ORDER BY code"
    )
    return [r[0] for r in rows]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as a cursor gives them (a missing time or number: None)."""
    return [
        {str(k): None if v is None or v != v else v for k, v in r.items()}
        for r in frame.to_dict("records")
    ]


def one_by_one(conn: psycopg.Connection, code: str, at: datetime, flt: IncidentFilter) -> Any:
    """The drill-down as the separate reads give it (what fetch_grid_detail made before)."""
    grid = fetch_grid(conn, code)
    with conn.cursor(row_factory=dict_row) as cur:
        lineage = cur.execute(query("grid_lineage"), {"id": grid["id"]}).fetchall()
    kpis = fetch_one_status(conn, grid["id"], at)
    incidents, total = fetch_incidents(conn, grid["id"], flt)
    devices = {d.name: records(fetch_unit_points(conn, d, grid["id"])) for d in DEVICES}
    children = fetch_children_statuses(conn, grid["id"], at)
    return grid, lineage, kpis, children, records(incidents), total, devices


@pytest.mark.parametrize(
    "flt",
    [
        IncidentFilter(),
        IncidentFilter(statuses=("reported", "escalated"), sort="due_at", descending=False),
        IncidentFilter(categories=("dispute",), severities=(1, 2), sort="code", limit=7),
        IncidentFilter(offset=3, limit=5),
    ],
)
def test_drilldown_shows_what_the_reads_one_by_one_show(
    conn: psycopg.Connection, demo: datetime, flt: IncidentFilter
) -> None:
    at = demo + timedelta(hours=3)  # later than the demo's now: more cases overdue
    for code in sample(conn):
        detail = fetch_grid_detail(conn, code, flt, at=at, devices=DEVICES)
        grid, lineage, kpis, children, incidents, total, devices = one_by_one(conn, code, at, flt)
        assert detail.grid == grid
        assert detail.lineage == lineage
        assert detail.kpis | {"composite": detail.composite, "reasons": detail.reasons} == kpis
        assert detail.incidents == incidents
        assert detail.incidents_total == total
        assert detail.devices == devices
        if children.empty:
            assert detail.children.empty
        else:
            pd.testing.assert_frame_equal(detail.children, children)


def test_a_unit_page_head_reads_only_its_counts(conn: psycopg.Connection, demo: datetime) -> None:
    code = sample(conn)[0]
    head = fetch_grid_detail(conn, code, at=demo, lists=False, devices=DEVICES)
    assert head.devices == {} and head.incidents == [] and head.children.empty
    assert head.kpis == fetch_grid_detail(conn, code, at=demo, devices=DEVICES).kpis


def round_trips(conn: psycopg.Connection, read: Any) -> int:
    """How many statements the client sends while read runs (libpq's own protocol trace)."""
    with tempfile.TemporaryFile("w+") as trace:
        conn.pgconn.trace(trace.fileno())
        conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)
        try:
            read()
        finally:
            conn.pgconn.untrace()
        trace.seek(0)
        sent = [line.split("\t") for line in trace.read().splitlines()]
    # A statement reaches the server as a Query, or as Parse/Bind/Execute ending in a Sync.
    return sum(1 for line in sent if line[0] == "F" and line[2].split()[0] in ("Sync", "Query"))


def test_a_drilldown_is_one_round_trip(conn: psycopg.Connection, demo: datetime) -> None:
    street = conn.execute("SELECT code FROM grid WHERE level = 'street' LIMIT 1").fetchone()
    assert street is not None
    for code in (street[0], sample(conn)[-1]):
        assert round_trips(conn, lambda c=code: fetch_grid_detail(conn, c, devices=DEVICES)) == 1


def test_status_overdue_equals_a_plain_count_at_every_level(
    conn: psycopg.Connection, demo: datetime
) -> None:
    for hours in (-48, 0, 5, 72):
        at = demo + timedelta(hours=hours)
        plain: dict[int, int] = dict(
            conn.execute(
                "SELECT a.ancestor_id, count(*) FROM incident i"
                " JOIN grid_ancestor a ON a.grid_id = i.grid_id"
                " WHERE i.status = ANY(%s) AND i.due_at < %s GROUP BY 1",
                [OPEN, at],
            ).fetchall()
        )
        assert sum(plain.values()) > 0
        for level in ("district", "street", "community", "grid"):
            frame = fetch_grid_statuses(conn, level, at)
            got = dict(zip(frame["id"], frame["overdue"], strict=True))
            assert got == {g: plain.get(g, 0) for g in got}, (level, hours)
