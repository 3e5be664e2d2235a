"""Moving a shared boundary by redrawing one unit's outline: its neighbours change with it.

The editor's "drag a shared edge": the planner moves vertices of one unit; what the new
outline takes from a neighbour is cut from that neighbour, and what it gives up goes to the
neighbour sharing the longest edge with the piece (a piece no neighbour borders is left as
a gap, for validation to show). All of it is one edit, one undo step.
"""

from __future__ import annotations

from dataclasses import replace

import psycopg
import shapely
from shapely.geometry.base import BaseGeometry

from twin.activity import Clock
from twin.plans import reference, snap
from twin.plans.assess import snap_tolerance
from twin.plans.draft import Draft, minus, plus, polygonal, share
from twin.plans.edits import Change, _run
from twin.plans.model import EditResult, UnitState
from twin.plans.store import PlanError


def _given(lost: BaseGeometry, neighbours: list[UnitState], tol: float) -> dict[str, list]:
    """Each part of the lost area by the neighbour sharing the longest edge with it."""
    out: dict[str, list] = {}
    for part in snap.polygons(lost):
        scored = [(snap.shared_edge_m(part, n.geom, tol), n.code) for n in neighbours]
        scored = [(m, c) for m, c in scored if m > 4 * max(tol, 0.01)]
        if scored:
            best = max(m for m, _ in scored)
            out.setdefault(min(c for m, c in scored if m >= best - 1e-6), []).append(part)
    return out


def move_edge(
    conn: psycopg.Connection,
    plan_name: str,
    code: str,
    geom: BaseGeometry,
    actor: str,
    revision: int,
    clock: Clock,
    snap_m: float | None = None,
    reference_m: float | None = None,
) -> EditResult:
    """Give unit `code` a new outline (following road and river lines near its moved
    stretches); its neighbours of the level lose what it takes and gain what it gives up
    (households and population move with the area)."""

    def work(draft: Draft) -> Change:
        tol = snap_tolerance(snap_m)
        unit = draft.get(code)
        drawn = polygonal(geom, f"new outline of {code}")
        ref = reference.reference_tolerance(reference_m)
        # following a line moves the outline by up to ref: neighbours that far count too
        reach = shapely.union_all([unit.geom, drawn]).buffer(
            (2 * tol + ref) / snap.METRES_PER_DEGREE
        )
        near = [
            u
            for u in draft.units.values()
            if u.level == unit.level and u.code != code and u.geom.intersects(reach)
        ]
        edges = shapely.union_all([unit.geom.boundary, *[n.geom.boundary for n in near]])
        new = shapely.make_valid(snap.snap_vertices(drawn, edges, tol))
        # The line has the last word: the edges it replaces move with the unit.
        new = reference.follow_near(conn, new, ref, edges, tol)
        parent = draft.container(unit.parent)
        if parent is not None:
            new = new.intersection(parent)
        proj = snap.projection_for(unit.geom)
        new = snap.clean(new, proj)
        if snap.to_metres(new, proj).area <= snap.DUST_M2:
            raise PlanError(f"move of {code}'s boundary: the new outline is empty")
        gained = new.difference(unit.geom)
        lost, _ = snap.thin_remnants(unit.geom.difference(new), tol)
        given = _given(lost, near, tol)
        whole = snap.area_m2(unit.geom, proj)
        changed: list[UnitState] = []
        pop, hh = unit.population, unit.households
        for n in near:
            taken = n.geom.intersection(gained)
            took = snap.area_m2(taken, proj) if not taken.is_empty else 0.0
            gets = given.get(n.code, [])
            if took <= snap.DUST_M2 and not gets:
                continue
            n_whole = snap.area_m2(n.geom, proj)
            got = sum(snap.area_m2(p, proj) for p in gets)
            in_pop, in_hh = share(n.population, took, n_whole), share(n.households, took, n_whole)
            out_pop, out_hh = share(unit.population, got, whole), share(unit.households, got, whole)
            pop, hh = plus(minus(pop, out_pop), in_pop), plus(minus(hh, out_hh), in_hh)
            rest = snap.clean(shapely.union_all([n.geom.difference(new), *gets]), proj)
            if rest.is_empty:
                raise PlanError(
                    f"move of {code}'s boundary: the new outline covers all of {n.code}; "
                    "merge them instead"
                )
            changed.append(
                replace(
                    n,
                    geom=rest,
                    population=plus(minus(n.population, in_pop), out_pop),
                    households=plus(minus(n.households, in_hh), out_hh),
                )
            )
        if not changed:
            raise PlanError(
                f"move of {code}'s boundary: the new outline neither takes from nor gives to "
                "a neighbour; reshape the unit instead"
            )
        return [replace(unit, geom=new, population=pop, households=hh), *changed], []

    return _run(conn, plan_name, "move", actor, revision, clock, work)
