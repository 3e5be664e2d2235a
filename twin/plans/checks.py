"""The checks of a stored plan: its map with the scope's parent chain, validated, fixed,
weighed against the map in force, and compared with any other plan or version."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
import shapely
from psycopg.rows import dict_row

from twin.activity import Clock
from twin.db.queries import query
from twin.plans import store, versions
from twin.plans.diff import Diff, diff
from twin.plans.fix import autofix
from twin.plans.impact import Impact, impact
from twin.plans.model import Problem, Repair, UnitState
from twin.plans.reference import BUILDING_LAYER
from twin.plans.rules import Rules
from twin.plans.validate import Building, validate


def levels_of(conn: psycopg.Connection) -> tuple[str, ...]:
    """The hierarchy's levels, coarsest first (the catalog's, as the database holds them)."""
    return tuple(r[0] for r in conn.execute(query("plan_level_depths")).fetchall())


def context_units(conn: psycopg.Connection, plan: store.Plan) -> list[UnitState]:
    """The units in force above the plan's scope (none for a city-wide plan)."""
    if plan.scope is None:
        return []
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query("plan_scope_context"), {"scope": plan.scope}).fetchall()
    return [store.unit_from_row(r) for r in rows]


def buildings_under(conn: psycopg.Connection, units: Sequence[UnitState]) -> list[Building]:
    """The building footprints within the units' bounds."""
    shapes = [u.geom for u in units if u.geom is not None and not u.geom.is_empty]
    if not shapes:
        return []
    west, south, east, north = shapely.total_bounds(shapes)
    box = {"layer": BUILDING_LAYER, "west": west, "south": south, "east": east, "north": north}
    rows = conn.execute(query("plan_buildings_in"), box).fetchall()
    return [Building(code, shapely.from_wkb(bytes(wkb))) for code, wkb in rows]


@dataclass(frozen=True)
class Maps:
    """A plan's scope read once: the units in force above it, the map in force in it and the
    plan's map of it (what the checks and the impact of one edit both read)."""

    context: list[UnitState]
    base: list[UnitState]
    proposed: list[UnitState]


def maps_of(conn: psycopg.Connection, plan: store.Plan) -> Maps:
    """The plan's maps, read now."""
    base = store.base_units(conn, plan)
    proposed = store.laid_over(base, store.plan_rows(conn, plan))
    return Maps(context_units(conn, plan), base, proposed)


def validate_plan(
    conn: psycopg.Connection, plan: store.Plan, rules: Rules, maps: Maps | None = None
) -> list[Problem]:
    """Every problem of the plan's proposed map (of `maps` when they are already read)."""
    maps = maps or maps_of(conn, plan)
    units = maps.context + maps.proposed
    buildings = buildings_under(conn, maps.proposed)
    return validate(units, rules, levels_of(conn), scope=plan.scope, buildings=buildings)


@dataclass(frozen=True)
class Fixed:
    """What `fix` did: the repairs, the plan's new revision, the problems left."""

    repairs: tuple[Repair, ...]
    revision: int
    problems: tuple[Problem, ...]


def fix_plan(
    conn: psycopg.Connection, plan: store.Plan, rules: Rules, actor: str, clock: Clock
) -> Fixed:
    """Auto-fix the plan's map and write the repaired units to it as one undoable step."""
    levels = levels_of(conn)
    context = context_units(conn, plan)
    units = context + store.proposed_units(conn, plan)
    fixed, repairs = autofix(units, rules, levels, scope=plan.scope)
    above = {u.code for u in context}
    changed = [
        new
        for old, new in zip(units, fixed, strict=True)
        if new.code not in above and not shapely.equals_exact(old.geom, new.geom, 0.0)
    ]
    revision = plan.revision
    if changed:
        revision = store.write_changes(
            conn, plan, changed, [], actor, plan.revision, action="fix", clock=clock
        )
    left = validate(fixed, rules, levels, scope=plan.scope, buildings=buildings_under(conn, fixed))
    return Fixed(tuple(repairs), revision, tuple(left))


def impact_of(
    conn: psycopg.Connection, plan: store.Plan, clock: Clock, rules: Rules, maps: Maps | None = None
) -> Impact:
    """The impact of the plan's map against the map in force over its scope."""
    maps = maps or maps_of(conn, plan)
    before, after = maps.context + maps.base, maps.context + maps.proposed
    return impact(conn, before, after, clock, rules, levels_of(conn))


def map_of(conn: psycopg.Connection, ref: str) -> list[UnitState]:
    """The whole city's map of a version number, or of a plan (the map in force with the
    plan's changes laid over)."""
    if re.fullmatch(r"[0-9]{1,9}", ref.strip()):  # not isdigit(): "²" is a digit int() refuses
        return versions.units_of_version(conn, int(ref))
    plan = store.get_plan(conn, ref)
    units = {u.code: u for u in versions.units_of_version(conn, versions.current_version(conn))}
    upserts, removals = store.plan_changes(conn, plan)
    for code in removals:
        units.pop(code, None)
    units |= {u.code: u for u in upserts}
    return sorted(units.values(), key=lambda u: u.code)


def diff_of(conn: psycopg.Connection, a: str, b: str) -> Diff:
    """The diff between two plans or versions (names or version numbers)."""
    return diff(map_of(conn, a), map_of(conn, b))


def changes_to(base: Sequence[UnitState], wanted: Sequence[UnitState]) -> list[UnitState]:
    """The wanted units that differ from the base (all of their fields)."""
    old = {u.code: u for u in base}
    return [u for u in wanted if u.code not in old or not store.same_unit(old[u.code], u)]
