"""Edit operations on a plan: reshape, split, merge, move a boundary, add, delete, set attributes.

Each takes the plan revision the editor saw and answers an EditResult. An edit is worked out on
the plan's proposed map inside one transaction holding the plan's lock, so two planners
editing different units of one plan both succeed, one after the other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import psycopg
import shapely
import shapely.ops
from shapely.geometry.base import BaseGeometry

from twin.activity import Clock
from twin.plans import reference, snap, store
from twin.plans.assess import assess, snap_tolerance
from twin.plans.draft import (
    Draft,
    check_counts,
    check_new_codes,
    check_parent,
    free_codes,
    minus,
    plus,
    polygonal,
    share,
    total,
)
from twin.plans.model import EditResult, UnitState
from twin.plans.store import PlanError
from twin.plans.undo import redo, undo

Change = tuple[list[UnitState], list[str]]
ATTRIBUTES = ("name", "officer", "population", "households", "parent")


def _run(
    conn: psycopg.Connection,
    plan_name: str,
    action: str,
    actor: str,
    revision: int,
    clock: Clock,
    work: Callable[[Draft], Change],
) -> EditResult:
    """Work out an edit on the locked plan's map, write it, and assess the result."""
    with conn.transaction():
        plan = store.editable(conn, plan_name)
        upserts, removals = work(Draft.load(conn, plan, revision))
        new_revision = store.write_changes(
            conn, plan, upserts, removals, actor, revision, action=action, clock=clock
        )
    changed = tuple(sorted([u.code for u in upserts] + list(removals)))
    return assess(conn, store.get_plan(conn, plan_name), new_revision, changed, clock)


def replace_geometry(
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
    """Give a unit a new outline, following road and river lines and snapped to its
    neighbours and parent."""

    def work(draft: Draft) -> Change:
        tol = snap_tolerance(snap_m)
        unit = draft.get(code)
        new = polygonal(geom, f"new outline of {code}")
        ref = reference.reference_tolerance(reference_m)
        near = draft.near(unit.level, new, {code}, max(tol, ref))  # following moves it by ref
        container = draft.container(unit.parent)
        stays = _edges([unit.geom, *near, *([container] if container is not None else [])])
        new = reference.follow_near(conn, new, ref, stays, tol)
        out = snap.snap_outline(new, near, container, unit.geom, tol)
        return [replace(unit, geom=out)], []

    return _run(conn, plan_name, "reshape", actor, revision, clock, work)


def _edges(geoms: Sequence[BaseGeometry]) -> BaseGeometry | None:
    """The boundaries of some outlines as one shape (None for none)."""
    return shapely.union_all([g.boundary for g in geoms]) if geoms else None


def _adopt(
    draft: Draft, children: Sequence[UnitState], parents: Sequence[UnitState]
) -> list[UnitState]:
    """Children re-parented to whichever of `parents` covers most of each (only those that move)."""
    moved = []
    for child in children:
        best = max(parents, key=lambda p: child.geom.intersection(p.geom).area)
        if best.code != child.parent:
            moved.append(replace(child, parent=best.code))
    return moved


def split(
    conn: psycopg.Connection,
    plan_name: str,
    code: str,
    line: BaseGeometry,
    actor: str,
    revision: int,
    clock: Clock,
    new_codes: Sequence[str] | None = None,
    snap_m: float | None = None,
    reference_m: float | None = None,
) -> EditResult:
    """Cut a unit along a line into two or more (the line follows roads and rivers near it);
    the largest piece keeps the code."""

    def work(draft: Draft) -> Change:
        tol = snap_tolerance(snap_m)
        unit = draft.get(code)
        if not isinstance(line, BaseGeometry) or line.geom_type not in (
            "LineString",
            "MultiLineString",
        ):
            raise PlanError(f"split of {code}: a line is needed to cut along")
        # Pushing the ends out by the tolerance lets a line drawn to the edge, a little short
        # of it, still cut right across.
        cutter = snap.extend_line(line, 2 * tol / snap.METRES_PER_DEGREE)
        cutter = reference.follow_near(conn, cutter, reference.reference_tolerance(reference_m))
        parts = snap.polygons(unit.geom)
        pieces = [p for part in parts for p in snap.polygons(shapely.ops.split(part, cutter))]
        proj = snap.projection_for(unit.geom)
        pieces = [p for p in pieces if snap.to_metres(p, proj).area > snap.DUST_M2]
        if len(pieces) <= len(parts):
            raise PlanError(f"split of {code}: the line does not cross the unit from edge to edge")
        pieces.sort(key=lambda p: -snap.to_metres(p, proj).area)
        codes = (
            list(new_codes)
            if new_codes is not None
            else free_codes(conn, draft, code, len(pieces) - 1)
        )
        if len(codes) != len(pieces) - 1:
            raise PlanError(
                f"split of {code}: the line makes {len(pieces)} pieces, so "
                f"{len(pieces) - 1} new code(s) are needed, not {len(codes)}"
            )
        check_new_codes(conn, draft, codes)
        whole = snap.area_m2(unit.geom, proj)
        units = []
        for i, (piece, piece_code) in enumerate(zip(pieces, [code, *codes], strict=True)):
            part = snap.to_metres(piece, proj).area
            units.append(
                replace(
                    unit,
                    code=piece_code,
                    name=unit.name if i == 0 else f"{unit.name} ({i + 1})",
                    geom=snap.as_multi(piece),
                    population=share(unit.population, part, whole),
                    households=share(unit.households, part, whole),
                )
            )
        return units + _adopt(draft, draft.children(code), units), []

    return _run(conn, plan_name, "split", actor, revision, clock, work)


def merge(
    conn: psycopg.Connection,
    plan_name: str,
    codes: Sequence[str],
    actor: str,
    revision: int,
    clock: Clock,
    into: str | None = None,
    snap_m: float | None = None,
) -> EditResult:
    """Merge neighbouring units of one level into one (`into`, by default the first code)."""

    def work(draft: Draft) -> Change:
        tol = snap_tolerance(snap_m)
        wanted = list(dict.fromkeys(codes))
        if len(wanted) < 2:
            raise PlanError("a merge needs two or more distinct units")
        keep = into or wanted[0]
        if keep not in wanted:
            raise PlanError(f"merge: {keep} is not one of the units merged ({', '.join(wanted)})")
        units = [draft.get(c) for c in wanted]
        levels = sorted({u.level for u in units})
        if len(levels) > 1:
            raise PlanError(f"merge: the units are of different levels ({', '.join(levels)})")
        _check_connected(units, keep, tol)
        target = draft.units[keep]
        merged = replace(
            target,
            geom=snap.clean(
                shapely.union_all([u.geom for u in units]), snap.projection_for(target.geom)
            ),
            population=total([u.population for u in units]),
            households=total([u.households for u in units]),
        )
        gone = [c for c in wanted if c != keep]
        adopted = [replace(ch, parent=keep) for c in gone for ch in draft.children(c)]
        return [merged, *adopted], gone

    return _run(conn, plan_name, "merge", actor, revision, clock, work)


def _check_connected(units: Sequence[UnitState], start: str, snap_m: float) -> None:
    """Refuse a merge whose units do not form one piece of neighbours."""
    reached = {start}
    frontier = [u for u in units if u.code == start]
    while frontier:
        here = frontier.pop()
        for u in units:
            if u.code not in reached and snap.are_neighbours(here.geom, u.geom, snap_m):
                reached.add(u.code)
                frontier.append(u)
    apart = [u.code for u in units if u.code not in reached]
    if apart:
        raise PlanError(
            f"merge: unit(s) {', '.join(apart)} do not border {start} or the others merged with it"
        )


def move_boundary(
    conn: psycopg.Connection,
    plan_name: str,
    from_code: str,
    to_code: str,
    area: BaseGeometry,
    actor: str,
    revision: int,
    clock: Clock,
    snap_m: float | None = None,
    reference_m: float | None = None,
) -> EditResult:
    """Transfer the part of `from_code` inside `area` to its neighbour `to_code` (the area's
    new edge follows roads and rivers near it)."""

    def work(draft: Draft) -> Change:
        tol = snap_tolerance(snap_m)
        giver, taker = draft.get(from_code), draft.get(to_code)
        if from_code == to_code or giver.level != taker.level:
            raise PlanError(f"move: {from_code} and {to_code} must be two units of one level")
        if not snap.are_neighbours(giver.geom, taker.geom, tol):
            raise PlanError(f"move: {from_code} and {to_code} are not neighbours")
        drawn = polygonal(area, f"area moved from {from_code} to {to_code}")
        edges = shapely.union_all([giver.geom.boundary, taker.geom.boundary])
        drawn = shapely.make_valid(snap.snap_vertices(drawn, edges, tol))
        drawn = reference.follow_near(
            conn, drawn, reference.reference_tolerance(reference_m), edges, tol
        )
        proj = snap.projection_for(giver.geom)
        piece = giver.geom.intersection(drawn)
        if snap.to_metres(piece, proj).area <= snap.DUST_M2:
            raise PlanError(f"move: the area does not overlap {from_code}")
        rest, thin = snap.thin_remnants(giver.geom.difference(piece), tol)
        piece = shapely.union_all([piece, *thin])
        if rest.is_empty:
            raise PlanError(f"move: the area covers all of {from_code}; merge it into {to_code}")
        if piece.distance(taker.geom) > tol / snap.METRES_PER_DEGREE / 100:
            raise PlanError(f"move: the area taken from {from_code} does not border {to_code}")
        whole, part = snap.area_m2(giver.geom, proj), snap.area_m2(piece, proj)
        moved_pop = share(giver.population, part, whole)
        moved_hh = share(giver.households, part, whole)
        return [
            replace(
                giver,
                geom=snap.clean(rest, proj),
                population=minus(giver.population, moved_pop),
                households=minus(giver.households, moved_hh),
            ),
            replace(
                taker,
                geom=snap.clean(shapely.union_all([taker.geom, piece]), proj),
                population=plus(taker.population, moved_pop),
                households=plus(taker.households, moved_hh),
            ),
        ], []

    return _run(conn, plan_name, "move", actor, revision, clock, work)


def add_unit(
    conn: psycopg.Connection,
    plan_name: str,
    code: str,
    name: str,
    level: str,
    parent: str | None,
    geom: BaseGeometry,
    actor: str,
    revision: int,
    clock: Clock,
    officer: str | None = None,
    population: int | None = None,
    households: int | None = None,
    snap_m: float | None = None,
    reference_m: float | None = None,
) -> EditResult:
    """Add a new unit under `parent`, its outline following road and river lines and snapped
    to its neighbours."""

    def work(draft: Draft) -> Change:
        tol = snap_tolerance(snap_m)
        check_new_codes(conn, draft, [code])
        if not name.strip():
            raise PlanError(f"new unit {code}: a name is needed")
        if level not in draft.depths:
            raise PlanError(f"new unit {code}: unknown level {level!r} ({', '.join(draft.depths)})")
        check_parent(draft, code, level, parent)
        new = polygonal(geom, f"outline of new unit {code}")
        ref = reference.reference_tolerance(reference_m)
        near = draft.near(level, new, set(), max(tol, ref))  # following moves it by ref
        container = draft.container(parent)
        stays = _edges([*near, *([container] if container is not None else [])])
        new = reference.follow_near(conn, new, ref, stays, tol)
        out = snap.snap_outline(new, near, container, None, tol)
        unit = UnitState(code, name, level, parent, out, officer, population, households)
        check_counts(unit)
        return [unit], []

    return _run(conn, plan_name, "add", actor, revision, clock, work)


def delete_unit(
    conn: psycopg.Connection, plan_name: str, code: str, actor: str, revision: int, clock: Clock
) -> EditResult:
    """Remove a unit that has no children in the plan's map."""

    def work(draft: Draft) -> Change:
        draft.get(code)
        kids = sorted(u.code for u in draft.children(code))
        if kids:
            raise PlanError(
                f"delete: {code} still has units under it ({', '.join(kids)}); "
                "merge, move or delete them first"
            )
        return [], [code]

    return _run(conn, plan_name, "delete", actor, revision, clock, work)


def set_attributes(
    conn: psycopg.Connection,
    plan_name: str,
    code: str,
    changes: Mapping[str, Any],
    actor: str,
    revision: int,
    clock: Clock,
) -> EditResult:
    """Change a unit's name, officer, population, households or parent."""

    def work(draft: Draft) -> Change:
        unit = draft.get(code)
        unknown = sorted(set(changes) - set(ATTRIBUTES))
        if unknown:
            raise PlanError(
                f"unit {code}: cannot set {', '.join(unknown)} (one of {', '.join(ATTRIBUTES)})"
            )
        for field in ("officer", "parent"):
            if changes.get(field) is not None and not isinstance(changes[field], str):
                raise PlanError(f"unit {code}: {field} must be text, not {changes[field]!r}")
        new = replace(unit, **dict(changes))
        if not isinstance(new.name, str) or not new.name.strip():
            raise PlanError(f"unit {code}: a name is needed")
        check_counts(new)
        if "parent" in changes:
            check_parent(draft, code, unit.level, new.parent)
        return [new], []

    return _run(conn, plan_name, "set", actor, revision, clock, work)


__all__ = [
    "add_unit",
    "delete_unit",
    "merge",
    "move_boundary",
    "redo",
    "replace_geometry",
    "set_attributes",
    "split",
    "undo",
]
