"""Property: after any sequence of generated plans published (boundaries moved between
neighbours, units split, merged, re-parented), every count equals a recount from scratch,
every point sits in the unit the rule gives it, and every version reads back whole."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from typing import Any

import psycopg
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import MultiPolygon, Polygon, box
from shapely.geometry.base import BaseGeometry

from tests.gridworld import STEP, point, square_wkt
from twin.activity import Clock
from twin.db.queries import query
from twin.db.verify import reassign, recount
from twin.plans import store
from twin.plans.model import UnitState
from twin.plans.publish import publish
from twin.plans.versions import current_version, record_version, units_of_version

# Two communities of four 1×1 grids each (west x 0–2, east x 2–4), one street, one district.
COMMUNITIES = {"CW": (0, 0, 2, 2), "CE": (2, 0, 4, 2)}
GRIDS = {
    f"G{x}{y}": ((x, y, x + 1, y + 1), "CW" if x < 2 else "CE") for x in range(4) for y in range(2)
}
# Interiors, shared edges and vertices, the communities' border, outside the city.
SPOTS = [(x / 4, y / 4) for x in range(0, 17, 3) for y in range(0, 9, 3)] + [(5.0, 1.0)]

change = st.one_of(
    st.tuples(
        st.just("reshape"), st.integers(0, 30), st.integers(0, 5), st.sampled_from([1, 2, 3])
    ),
    st.tuples(st.just("split"), st.integers(0, 30), st.booleans()),
    st.tuples(st.just("merge"), st.integers(0, 30), st.integers(0, 5)),
    st.tuples(st.just("reparent"), st.integers(0, 30)),
)
plans = st.lists(st.lists(change, min_size=1, max_size=3), min_size=1, max_size=4)


def build(conn: psycopg.Connection) -> None:
    """The lattice city with a case and a camera at every spot, recorded as version 2."""
    conn.execute(
        "INSERT INTO grid (code, name, level, geom) VALUES ('D', 'D', 'district', %s)",
        [square_wkt(0, 0, 4, 2)],
    )
    conn.execute(
        "INSERT INTO grid (code, name, level, parent_id, geom)"
        " SELECT 'S', 'S', 'street', id, geom FROM grid WHERE code = 'D'"
    )
    for code, cell in COMMUNITIES.items():
        conn.execute(
            "INSERT INTO grid (code, name, level, parent_id, geom)"
            " SELECT %s, %s, 'community', id, %s FROM grid WHERE code = 'S'",
            [code, code, square_wkt(*cell)],
        )
    for code, (cell, parent) in GRIDS.items():
        conn.execute(
            "INSERT INTO grid (code, name, level, parent_id, officer, geom)"
            " SELECT %s, %s, 'grid', id, %s, %s FROM grid WHERE code = %s",
            [code, code, f"officer {code}", square_wkt(*cell), parent],
        )
    for n, (x, y) in enumerate(SPOTS):
        conn.execute(
            "INSERT INTO incident (code, category, severity, source, due_at, geom)"
            " VALUES (%s, 'sanitation', %s, 'patrol', now() + interval '1 day', %s)",
            [f"E{n}", 1 + n % 4, point(x, y)],
        )
        conn.execute(
            "INSERT INTO camera (code, name, status, geom) VALUES (%s, 'c', %s, %s)",
            [f"K{n}", ("online", "offline")[n % 2], point(x + 0.1, y)],
        )
    record_version(conn, "load", effective_at=None)


def polygonal(geom: BaseGeometry) -> MultiPolygon | None:
    """The polygon parts of a shape (unions and differences leave lines behind), or None."""
    parts = [g for g in shapely.get_parts(shapely.make_valid(geom)) if isinstance(g, Polygon)]
    parts = [p for p in parts if p.area > (STEP / 100) ** 2]
    return MultiPolygon(parts) if parts else None


def grids_of(units: dict[str, UnitState]) -> list[UnitState]:
    return sorted((u for u in units.values() if u.level == "grid"), key=lambda u: u.code)


def neighbours(units: dict[str, UnitState], a: UnitState) -> list[UnitState]:
    """Grids of the same parent sharing an edge (not just a vertex) with a."""
    return [
        b
        for b in grids_of(units)
        if b.code != a.code and b.parent == a.parent and a.geom.intersection(b.geom).length > 0
    ]


def with_geom(u: UnitState, geom: BaseGeometry, **changes: Any) -> UnitState:
    return UnitState(
        changes.get("code", u.code),
        changes.get("name", u.name),
        u.level,
        changes.get("parent", u.parent),
        geom,
        u.officer,
        u.population,
        u.households,
    )


def step(units: dict[str, UnitState], op: tuple[Any, ...], fresh: str) -> None:
    """Apply one generated change to the working map (skipped when it does not fit)."""
    grids = grids_of(units)
    a = grids[op[1] % len(grids)]
    if op[0] == "reshape" or op[0] == "merge":
        near = neighbours(units, a)
        if not near:
            return
        b = near[op[2] % len(near)]
        if op[0] == "merge":
            merged = polygonal(a.geom.union(b.geom))
            if merged is not None:
                units[a.code] = with_geom(a, merged)
                del units[b.code]
            return
        d = op[3] * STEP / 4
        x0, y0, x1, y1 = a.geom.intersection(b.geom).bounds
        piece = b.geom.intersection(box(x0 - d, y0 - d, x1 + d, y1 + d))
        grown, shrunk = polygonal(a.geom.union(piece)), polygonal(b.geom.difference(piece))
        if grown is not None and shrunk is not None:
            units[a.code], units[b.code] = with_geom(a, grown), with_geom(b, shrunk)
    elif op[0] == "split":
        x0, y0, x1, y1 = a.geom.bounds
        cut = box(x0, y0, (x0 + x1) / 2, y1) if op[2] else box(x0, y0, x1, (y0 + y1) / 2)
        one, two = polygonal(a.geom.intersection(cut)), polygonal(a.geom.difference(cut))
        if one is not None and two is not None:
            units[a.code] = with_geom(a, one)
            units[fresh] = with_geom(a, two, code=fresh, name=fresh)
    else:  # re-parent to the other community, which takes its area from the old one
        old = units[a.parent or ""]
        new = next(u for u in units.values() if u.level == "community" and u.code != old.code)
        left = polygonal(old.geom.difference(a.geom))
        if left is not None and any(g.parent == old.code for g in grids if g.code != a.code):
            units[old.code] = with_geom(old, left)
            units[new.code] = with_geom(new, polygonal(new.geom.union(a.geom)) or new.geom)
            units[a.code] = with_geom(a, a.geom, parent=new.code)


def publish_plan(conn: psycopg.Connection, ops: list[Any], n: int, clock: Clock) -> None:
    """A whole-city plan of the generated changes, approved and published today."""
    before = {u.code: u for u in units_of_version(conn, current_version(conn))}
    units = dict(before)
    for i, op in enumerate(ops):
        step(units, op, f"N{n}{i}")
    upserts = [u for c, u in units.items() if c not in before or not store.same_unit(before[c], u)]
    removals = sorted(set(before) - set(units))
    if not upserts and not removals:
        return
    plan = store.new_plan(conn, f"p{n}", None, "alice", clock)
    store.write_changes(conn, plan, upserts, removals, "alice", plan.revision, clock=clock)
    plan = store.set_state(conn, store.get_plan(conn, plan.name), "submitted", "alice", "", clock)
    store.set_state(conn, plan, "approved", "bob", "", clock)
    publish(conn, plan.name, clock.local.date(), "carol", clock)


def check_exact(conn: psycopg.Connection) -> None:
    """What `twin db verify` checks: every count recounted, every point's unit re-derived."""
    columns: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for layer, name, predicate in conn.execute(query("verify_stat_columns")):
        columns[layer].append((name, predicate))
    for layer, counted in columns.items():
        assert recount(conn, layer, counted) == []
    for layer in [r[0] for r in conn.execute(query("verify_point_tables"))]:
        assert reassign(conn, layer)[0] == []


def snapshot(conn: psycopg.Connection) -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT g.code, g.name, g.level, p.code, g.officer, ST_AsEWKB(g.geom) FROM grid g"
        " LEFT JOIN grid p ON p.id = g.parent_id ORDER BY g.code"
    ).fetchall()


def read_back(conn: psycopg.Connection, version: int) -> list[tuple[Any, ...]]:
    return [
        (u.code, u.name, u.level, u.parent, u.officer, shapely.to_wkb(u.geom, include_srid=False))
        for u in units_of_version(conn, version)
    ]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=plans)
def test_published_plans_keep_every_count_exact(
    conn: psycopg.Connection, sequence: list[list[Any]]
) -> None:
    with conn.transaction(force_rollback=True):
        build(conn)
        row = conn.execute("SELECT now()").fetchone()
        assert row is not None
        clock = Clock(row[0].astimezone(UTC))
        check_exact(conn)
        seen = {current_version(conn): snapshot(conn)}
        for n, ops in enumerate(sequence):
            publish_plan(conn, ops, n, clock)
            check_exact(conn)
            seen[current_version(conn)] = snapshot(conn)
        for version, rows in seen.items():
            got = read_back(conn, version)
            assert [r[:5] for r in got] == [r[:5] for r in rows]
            assert [
                shapely.from_wkb(r[5]).equals_exact(shapely.from_wkb(bytes(s[5])), 0)
                for r, s in zip(got, rows, strict=True)
            ] == [True] * len(rows)
