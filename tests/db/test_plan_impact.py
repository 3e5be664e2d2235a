"""Impact of a new map: counts before → after per touched unit against plain SQL, moved
points, inherited cases and the workload balance, on the hand-made grid world."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import shapely

from tests import gridworld
from tests.planworld import LEVELS
from twin.activity import Clock
from twin.plans.impact import impact
from twin.plans.model import UnitState
from twin.plans.rules import Rules

NOW = datetime.now(UTC).replace(second=0, microsecond=0)  # impact judges by the minute
CLOCK = Clock(NOW)
STATUSES = ("reported", "dispatched", "in_progress", "escalated", "resolved")


def cells(x0: float, y0: float, x1: float, y1: float) -> shapely.Geometry:
    return shapely.from_wkt(gridworld.square_wkt(x0, y0, x1, y1).split(";")[1])


def current_map(conn: psycopg.Connection) -> list[UnitState]:
    rows = conn.execute(
        "SELECT g.code, g.name, g.level, p.code, ST_AsBinary(g.geom), g.officer, g.population,"
        " g.households FROM grid g LEFT JOIN grid p ON p.id = g.parent_id ORDER BY g.code"
    ).fetchall()
    return [UnitState(r[0], r[1], r[2], r[3], shapely.from_wkb(r[4]), *r[5:]) for r in rows]


def scatter(conn: psycopg.Connection, seed: int = 7) -> None:
    """Cameras, sensors and cases at random cells, plus one on the new edge x = 1.5 and one
    in G4's hole; statuses, due times and report times spread around NOW."""
    rng = random.Random(seed)
    spots = [(rng.uniform(0, 2), rng.uniform(0, 2)) for _ in range(120)] + [(1.5, 0.5), (1.5, 1.5)]
    for n, (x, y) in enumerate(spots):
        where = gridworld.point(x, y)
        if n % 4 == 0:
            conn.execute(
                "INSERT INTO camera (code, name, geom) VALUES (%s, %s, %s)", [f"K{n}", "cam", where]
            )
        elif n % 4 == 1:
            conn.execute(
                "INSERT INTO sensor (code, kind, geom) VALUES (%s, 'smoke', %s)", [f"S{n}", where]
            )
        else:
            status = rng.choice(STATUSES)
            reported = NOW - timedelta(days=rng.uniform(1, 200))
            due = reported + timedelta(days=rng.uniform(1, 150))
            resolved = reported + timedelta(hours=1) if status == "resolved" else None
            conn.execute(
                "INSERT INTO incident (code, category, severity, source, status, reported_at,"
                " due_at, resolved_at, geom)"
                " VALUES (%s, 'sanitation', 3, 'patrol', %s, %s, %s, %s, %s)",
                [f"I{n}", status, reported, due, resolved, where],
            )


RECOUNT = """
WITH p AS (
    SELECT 'camera' AS layer, geom, NULL AS status, NULL::timestamptz AS due_at,
           NULL::timestamptz AS reported_at FROM camera
    UNION ALL SELECT 'sensor', geom, NULL, NULL, NULL FROM sensor
    UNION ALL SELECT 'incident', geom, status, due_at, reported_at FROM incident
), owned AS (
    SELECT p.*, (SELECT a.code FROM after_unit a WHERE ST_Covers(a.geom, p.geom)
                 ORDER BY a.depth DESC, a.code LIMIT 1) AS owner
    FROM p
)
SELECT owner,
       count(*) FILTER (WHERE layer = 'camera'),
       count(*) FILTER (WHERE layer = 'sensor'),
       count(*) FILTER (WHERE status IN ('reported', 'dispatched', 'in_progress', 'escalated')),
       count(*) FILTER (WHERE status IN ('reported', 'dispatched', 'in_progress', 'escalated')
                          AND due_at < %(now)s),
       count(*) FILTER (WHERE reported_at >= %(since)s AND reported_at <= %(now)s)
FROM owned GROUP BY owner
"""


def recount(conn: psycopg.Connection, units: list[UnitState]) -> dict[str, tuple[int, ...]]:
    """Plain SQL: every point placed by the rule over the given map, counted per unit."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS after_unit (code text, depth int, geom geometry)")
    conn.execute("TRUNCATE after_unit")
    for u in units:
        conn.execute(
            "INSERT INTO after_unit VALUES (%s, %s, ST_GeomFromWKB(%s, 4326))",
            [u.code, LEVELS.index(u.level), shapely.to_wkb(u.geom)],
        )
    rows = conn.execute(RECOUNT, {"now": NOW, "since": NOW - timedelta(days=90)}).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


COUNTED = ("cameras", "sensors", "open", "overdue", "incidents_90d")


def counts(row: dict) -> tuple[int, ...]:
    return tuple(row[m] for m in COUNTED)


@pytest.fixture
def scattered(conn: psycopg.Connection, world: dict[str, int]) -> list[UnitState]:
    scatter(conn)
    return current_map(conn)


def moved_boundary(before: list[UnitState]) -> list[UnitState]:
    """G1 takes the west half of G2 (the boundary moves from x = 1 to x = 1.5)."""
    new = {"G1": cells(0, 0, 1.5, 1), "G2": cells(1.5, 0, 2, 1)}
    return [replace(u, geom=new[u.code]) if u.code in new else u for u in before]


def test_counts_before_and_after_equal_a_plain_recount(
    conn: psycopg.Connection, scattered: list
) -> None:
    after = moved_boundary(scattered)
    result = impact(conn, scattered, after, CLOCK, Rules(), LEVELS)
    rows = {r.code: r for r in result.rows}
    assert {c: r.change for c, r in rows.items()} == {"G1": "reshaped", "G2": "reshaped"}
    then, now = recount(conn, scattered), recount(conn, after)
    for code in ("G1", "G2"):
        assert counts(rows[code].before) == then[code]
        assert counts(rows[code].after) == now[code]
    assert rows["G1"].after["households"] == 400
    assert now["G1"] != then["G1"]  # the test world does move points


def test_moved_points_are_those_in_the_strip_and_the_edge_goes_to_the_lower_code(
    conn: psycopg.Connection, scattered: list
) -> None:
    result = impact(conn, scattered, moved_boundary(scattered), CLOCK, Rules(), LEVELS)
    in_strip = conn.execute(
        "SELECT count(*) FROM (SELECT geom FROM camera UNION ALL SELECT geom FROM sensor"
        " UNION ALL SELECT geom FROM incident) p WHERE ST_Covers(%s::geometry, p.geom)",
        [gridworld.square_wkt(1, 0, 1.5, 1)],
    ).fetchone()
    on_old_edge = 0  # no random point lies exactly on x = 1
    assert len(result.moved) == in_strip[0] - on_old_edge  # type: ignore[index]
    assert {(m.from_code, m.to_code) for m in result.moved} == {("G2", "G1")}
    edge = next(m for m in result.moved if m.code == "K120")  # the camera on x = 1.5
    assert edge.to_code == "G1"


def test_each_moved_point_carries_where_it_is(conn: psycopg.Connection, scattered: list) -> None:
    result = impact(conn, scattered, moved_boundary(scattered), CLOCK, Rules(), LEVELS)
    stored = dict(
        conn.execute(
            "SELECT code, ARRAY[ST_X(geom), ST_Y(geom)] FROM camera"
            " UNION ALL SELECT code, ARRAY[ST_X(geom), ST_Y(geom)] FROM sensor"
            " UNION ALL SELECT code, ARRAY[ST_X(geom), ST_Y(geom)] FROM incident"
        ).fetchall()
    )
    assert result.moved
    assert {m.code: [m.lon, m.lat] for m in result.moved} == {
        m.code: stored[m.code] for m in result.moved
    }


def test_each_moved_open_case_is_inherited_by_the_new_units_officer(
    conn: psycopg.Connection, scattered: list
) -> None:
    result = impact(conn, scattered, moved_boundary(scattered), CLOCK, Rules(), LEVELS)
    open_moved = conn.execute(
        "SELECT code FROM incident WHERE ST_Covers(%s::geometry, geom)"
        " AND status IN ('reported', 'dispatched', 'in_progress', 'escalated') ORDER BY code",
        [gridworld.square_wkt(1, 0, 1.5, 1)],
    ).fetchall()
    assert sorted(c.code for c in result.inherited) == [r[0] for r in open_moved]
    assert {(c.from_officer, c.to_officer) for c in result.inherited} == {
        ("officer G2", "officer G1")
    }


def test_a_split_adds_units_whose_counts_come_only_from_their_points(
    conn: psycopg.Connection, scattered: list
) -> None:
    g2 = next(u for u in scattered if u.code == "G2")
    after = [u for u in scattered if u.code != "G2"] + [
        replace(g2, code="G2a", geom=cells(1, 0, 2, 0.5), officer="new officer", households=150),
        replace(g2, code="G2b", geom=cells(1, 0.5, 2, 1), households=250),
    ]
    result = impact(conn, scattered, after, CLOCK, Rules(), LEVELS)
    rows = {r.code: r for r in result.rows}
    assert {c: r.change for c, r in rows.items()} == {
        "G2": "removed",
        "G2a": "added",
        "G2b": "added",
    }
    now = recount(conn, after)
    assert counts(rows["G2a"].after) == now["G2a"]
    assert counts(rows["G2b"].after) == now["G2b"]
    assert counts(rows["G2a"].before) == (None,) * 5
    assert rows["G2"].after["open"] is None


def test_the_workload_balance_before_and_after(conn: psycopg.Connection, scattered: list) -> None:
    rules = Rules(weights={"open": 1.0, "households": 0.01})
    after = moved_boundary(scattered)
    result = impact(conn, scattered, after, CLOCK, rules, LEVELS)
    for units, balance in ((scattered, result.balance_before), (after, result.balance_after)):
        open_now = recount(conn, units)
        want = {
            f"officer {c}": open_now.get(c, (0, 0, 0))[2] + 4.0 for c in ("G1", "G2", "G3", "G4")
        }
        assert balance.per_officer == pytest.approx(want)
        values = list(want.values())
        assert balance.max_min_ratio == pytest.approx(max(values) / min(values))
        mean = sum(values) / 4
        cv = (sum((v - mean) ** 2 for v in values) / 4) ** 0.5 / mean
        assert balance.cv == pytest.approx(cv)


def test_an_unchanged_map_has_no_impact(conn: psycopg.Connection, scattered: list) -> None:
    result = impact(conn, scattered, list(scattered), CLOCK, Rules(), LEVELS)
    assert (result.rows, result.moved) == ((), ())
    assert result.balance_before == result.balance_after
