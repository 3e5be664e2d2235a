"""Property: after any sequence of writes, the incremental grid_stat equals a recount from
scratch by a plain spatial join + GROUP BY (written here independently of the triggers)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import gridworld
from tests.gridworld import lonlat, point
from twin.catalog import load_catalog
from twin.ingest.bulk import insert_points
from twin.settings import Settings
from twin.spatial.counts import unpack
from twin.spatial.overdue import advance_overdue_checkpoint

LAYERS = load_catalog(Settings().layers_dir)
CATEGORIES = LAYERS["incident"].field("category").allowed
INCIDENT_STATUSES = LAYERS["incident"].field("status").allowed
OPEN_STATUSES = LAYERS["incident"].field("status").open_values
SENSOR_KINDS = LAYERS["sensor"].field("kind").allowed

# Interiors, shared edges, the four-way vertex, the hole, outside, and anywhere nearby.
SPOTS = [
    (0.5, 0.5),
    (1.0, 0.5),
    (1.0, 1.0),
    (1.5, 1.5),
    (3.0, 3.0),
    (1.5, 1.0),
    (0.5, 1.9),
    (1.2, 1.8),
]
spot = st.one_of(
    st.sampled_from(SPOTS),
    st.tuples(st.floats(-0.5, 2.5, allow_nan=False), st.floats(-0.5, 2.5, allow_nan=False)),
)
layer = st.sampled_from(["incident", "camera", "sensor"])
op = st.one_of(
    st.tuples(
        st.just("insert"), layer, spot, st.integers(0, 6), st.integers(1, 4), st.integers(0, 6)
    ),
    st.tuples(st.just("transition"), st.integers(0, 50), st.sampled_from(INCIDENT_STATUSES)),
    st.tuples(st.just("device_status"), layer, st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("move"), layer, st.integers(0, 50), spot),
    st.tuples(st.just("delete"), layer, st.integers(0, 50)),
    st.tuples(st.just("redraw"), st.sampled_from([0.3, 0.5, 1.0, 1.4])),
    st.tuples(st.just("bulk"), st.lists(spot, min_size=1, max_size=5)),
    st.tuples(st.just("delete_grid")),
    st.tuples(st.just("reparent")),
    st.tuples(st.just("advance"), st.integers(-4, 6)),
)
CAMERA_STATUSES = LAYERS["camera"].field("status").allowed
SENSOR_STATUSES = LAYERS["sensor"].field("status").allowed


def pick(conn: psycopg.Connection, table: str, i: int) -> int | None:
    ids = [r[0] for r in conn.execute(f"SELECT id FROM {table} ORDER BY id")]
    return ids[i % len(ids)] if ids else None


def apply(conn: psycopg.Connection, step: tuple[Any, ...], n: int) -> None:
    kind = step[0]
    if kind == "insert":
        _, table, (x, y), a, b, c = step
        if table == "incident":
            conn.execute(
                "INSERT INTO incident (code, category, severity, source, reported_at, due_at, geom)"
                " VALUES (%s, %s, %s, 'patrol', now() - interval '4 hours',"
                " now() + make_interval(hours => %s - 3), %s)",
                [f"E{n}", CATEGORIES[a], b, c, point(x, y)],
            )
        elif table == "camera":
            conn.execute(
                "INSERT INTO camera (code, name, status, geom) VALUES (%s, 'c', %s, %s)",
                [f"C{n}", CAMERA_STATUSES[a % 3], point(x, y)],
            )
        else:
            conn.execute(
                "INSERT INTO sensor (code, kind, status, geom) VALUES (%s, %s, %s, %s)",
                [f"S{n}", SENSOR_KINDS[a], SENSOR_STATUSES[c % 3], point(x, y)],
            )
    elif kind == "transition":
        target = pick(conn, "incident", step[1])
        if target is None:
            return
        try:
            with conn.transaction():
                conn.execute("UPDATE incident SET status = %s WHERE id = %s", [step[2], target])
        except psycopg.errors.CheckViolation:
            pass  # illegal move: refused, nothing changed (checked in test_lifecycle)
    elif kind == "device_status":
        _, table, i, s = step
        target = pick(conn, table, i)
        if target is None or table == "incident":
            return
        value = (CAMERA_STATUSES if table == "camera" else SENSOR_STATUSES)[s]
        conn.execute(f"UPDATE {table} SET status = %s WHERE id = %s", [value, target])
    elif kind == "move":
        _, table, i, (x, y) = step
        target = pick(conn, table, i)
        if target is not None:
            conn.execute(f"UPDATE {table} SET geom = %s WHERE id = %s", [point(x, y), target])
    elif kind == "delete":
        _, table, i = step
        target = pick(conn, table, i)
        if target is not None:
            conn.execute(f"DELETE FROM {table} WHERE id = %s", [target])
    elif kind == "redraw":
        edge = step[1]
        conn.execute(
            "UPDATE grid SET geom = CASE code WHEN 'G1' THEN %s::geometry ELSE %s::geometry END "
            "WHERE code IN ('G1', 'G2')",
            [gridworld.square_wkt(0, 0, edge, 1), gridworld.square_wkt(edge, 0, 2, 1)],
        )
    elif kind == "delete_grid":
        conn.execute("DELETE FROM grid WHERE code = 'G3'")  # its points become unassigned
    elif kind == "reparent":
        conn.execute(
            "INSERT INTO grid (code, name, level, parent_id, geom) SELECT 'C2', 'c2', "
            "'community', parent_id, geom FROM grid WHERE code = 'C' ON CONFLICT DO NOTHING"
        )
        conn.execute(
            "UPDATE grid SET parent_id = (SELECT id FROM grid WHERE code = "
            "CASE WHEN parent_id = (SELECT id FROM grid WHERE code = 'C') THEN 'C2' "
            "ELSE 'C' END) WHERE code = 'G4'"
        )
    elif kind == "advance":  # the overdue checkpoint moves (when forward) to now + hours
        moment = conn.execute("SELECT now() + make_interval(hours => %s)", [step[1]]).fetchone()
        assert moment is not None
        advance_overdue_checkpoint(conn, moment[0])
    elif kind == "bulk":
        frame = pd.DataFrame(
            {
                "code": [f"B{n}_{j}" for j in range(len(step[1]))],
                "category": "dispute",
                "severity": 1,
                "source": "hotline",
                "due_at": pd.Timestamp("2000-01-02", tz="UTC"),
                "reported_at": pd.Timestamp("2000-01-01", tz="UTC"),
                "lon": [lonlat(x, y)[0] for x, y in step[1]],
                "lat": [lonlat(x, y)[1] for x, y in step[1]],
            }
        )
        insert_points(conn, LAYERS["incident"], frame)


def counted(table: str, a: Any, b: Any, c: Any, due_before_checkpoint: bool = False) -> list[str]:
    """The grid_stat columns one row counts towards, written out independently of the SQL."""
    if table == "camera":
        return ["cameras", f"camera_status_{a}"]
    if table == "sensor":
        return ["sensors", f"sensor_status_{a}", f"sensor_kind_{b}"] + (
            [f"alarm_kind_{b}"] if a == "alarm" else []
        )
    cols = ["incidents", f"incident_status_{a}", f"incident_category_{b}", f"incident_severity_{c}"]
    if a in OPEN_STATUSES:
        cols += ["open", f"open_severity_{c}", f"open_category_{b}"]
        cols += ["open_due_before_checkpoint"] if due_before_checkpoint else []
    return cols


def from_scratch(conn: psycopg.Connection) -> tuple[Counter[tuple[Any, ...]], dict[Any, Any]]:
    """Counts by a plain ST_Covers join (the finest level covering, then the lowest code),
    rolled up by walking parent_id."""
    parent = dict(conn.execute("SELECT id, parent_id FROM grid").fetchall())
    expected: Counter[tuple[Any, ...]] = Counter()
    assigned: dict[Any, Any] = {}
    checkpoint = conn.execute("SELECT at FROM twin_overdue_checkpoint").fetchone()
    assert checkpoint is not None
    for table, cols in (
        ("incident", "status, category, severity, due_at < %(checkpoint)s"),
        ("camera", "status, NULL, NULL, false"),
        ("sensor", "status, kind, NULL, false"),
    ):
        rows = conn.execute(
            f"SELECT p.id, p.grid_id, ({cols}), ("
            "  SELECT g.id FROM grid g JOIN grid_level l ON l.level = g.level"
            "  WHERE ST_Covers(g.geom, p.geom) ORDER BY l.depth DESC, g.code LIMIT 1) "
            f"FROM {table} p",
            {"checkpoint": checkpoint[0]},
        ).fetchall()
        for pid, stored, (a, b, c, due), joined in rows:
            assigned[(table, pid)] = (stored, joined)
            chain, up = [], joined
            while up is not None:
                chain.append(up)
                up = parent[up]
            for g in chain or [0]:
                for column in counted(table, a, b, c, due == "t"):  # a record: text fields
                    expected[(g, column)] += 1
    return expected, assigned


def stored_counts(conn: psycopg.Connection) -> Counter[tuple[Any, ...]]:
    """Every non-zero count in grid_stat as (grid_id, column) -> n, after checking that each
    row's packed counts (migration 027) hold exactly its count columns."""
    with conn.cursor() as cur:
        cur.execute("SELECT s.*, p.counts FROM grid_stat_counts s JOIN grid_stat p USING (grid_id)")
        names = [d.name for d in cur.description or []][1:-1]
        rows = cur.fetchall()
    packed = unpack([bytes(r[-1]) for r in rows], names)
    for i, row in enumerate(rows):
        assert [int(packed[n][i]) for n in names] == list(row[1:-1]), f"grid {row[0]}"
    return Counter(
        {(row[0], name): n for row in rows for name, n in zip(names, row[1:-1], strict=True) if n}
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(op, min_size=1, max_size=25))
def test_incremental_status_equals_recount(conn: psycopg.Connection, steps: list[Any]) -> None:
    with conn.transaction(force_rollback=True):
        gridworld.build(conn)
        for n, step in enumerate(steps):
            apply(conn, step, n)
        expected, assigned = from_scratch(conn)
        for key, (stored, joined) in assigned.items():
            assert stored == joined, f"{key}: grid_id {stored}, spatial join says {joined}"
        assert stored_counts(conn) == expected
