"""A plan's map while one edit is worked out, and the checks every edit makes of its input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import shapely
from shapely.geometry.base import BaseGeometry

from twin.db.queries import query
from twin.plans import snap, store
from twin.plans.model import UnitState
from twin.plans.snap import SNAP_M
from twin.plans.store import PlanError

MAX_COUNT = 2**31 - 1  # population and households are integer columns


@dataclass
class Draft:
    """The plan's proposed map while one edit is worked out."""

    conn: psycopg.Connection
    plan: store.Plan
    revision: int  # the revision the editor saw
    units: dict[str, UnitState]
    depths: dict[str, int]

    @classmethod
    def load(cls, conn: psycopg.Connection, plan: store.Plan, revision: int) -> Draft:
        """The plan's proposed units and the hierarchy's levels."""
        units = {u.code: u for u in store.proposed_units(conn, plan)}
        depths = {level: depth for level, depth in conn.execute(query("plan_level_depths"))}
        return cls(conn, plan, revision, units, depths)

    def get(self, code: str) -> UnitState:
        """The proposed unit; PlanError when the plan's map has none of that code."""
        if code not in self.units:
            # A unit an editor saw may be gone since: say who took it.
            store.check_revision(self.conn, self.plan, self.revision, [code])
            where = f"the subtree of {self.plan.scope}" if self.plan.scope else "the city"
            raise PlanError(f"plan {self.plan.name!r}: no unit {code!r} in {where}")
        return self.units[code]

    def children(self, code: str) -> list[UnitState]:
        """The proposed units whose parent is `code`."""
        return [u for u in self.units.values() if u.parent == code]

    def near(
        self, level: str, geom: BaseGeometry, exclude: set[str], tol: float
    ) -> list[BaseGeometry]:
        """Outlines of the level's other units within twice the tolerance of geom."""
        reach = geom.buffer(2 * max(tol, SNAP_M) / snap.METRES_PER_DEGREE)
        return [
            u.geom
            for u in self.units.values()
            if u.level == level and u.code not in exclude and u.geom.intersects(reach)
        ]

    def container(self, parent: str | None) -> BaseGeometry | None:
        """The parent's proposed outline (None for a top-level unit)."""
        return self.units[parent].geom if parent in self.units else None


def polygonal(geom: Any, what: str) -> BaseGeometry:
    """A valid polygonal geometry, or PlanError naming what was wrong."""
    if not isinstance(geom, BaseGeometry) or geom.is_empty:
        raise PlanError(f"{what}: an outline (a polygon) is needed")
    polys = snap.polygons(shapely.make_valid(geom))
    if not polys:
        raise PlanError(f"{what}: a {geom.geom_type} is not an outline (a polygon is needed)")
    return shapely.union_all(polys)


def share(value: int | None, part: float, whole: float) -> int | None:
    """A count split in proportion to area."""
    return None if value is None or whole <= 0 else round(value * part / whole)


def free_codes(conn: psycopg.Connection, draft: Draft, code: str, n: int) -> list[str]:
    """n codes CODE-2, CODE-3, … not used in the city or the plan."""
    found: list[str] = []
    k = 2
    while len(found) < n:
        batch = [f"{code}-{i}" for i in range(k, k + n + 8)]
        used = {r[0] for r in conn.execute(query("plan_codes_in_force"), {"codes": batch})}
        found += [c for c in batch if c not in used and c not in draft.units][: n - len(found)]
        k += n + 8
    return found


def check_new_codes(conn: psycopg.Connection, draft: Draft, codes: Sequence[str]) -> None:
    """Refuse new codes that are empty, repeated, or already used."""
    if any(not c.strip() for c in codes) or len(set(codes)) != len(codes):
        raise PlanError(f"new codes must be distinct and not empty: {', '.join(codes)}")
    used = {r[0] for r in conn.execute(query("plan_codes_in_force"), {"codes": list(codes)})}
    used |= {c for c in codes if c in draft.units}
    if used:
        raise PlanError(f"code(s) already used: {', '.join(sorted(used))}")


def total(values: Sequence[int | None]) -> int | None:
    """The sum, or None when any is unknown."""
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def minus(a: int | None, b: int | None) -> int | None:
    """a - b, unknown when a is."""
    return None if a is None else a - (b or 0)


def plus(a: int | None, b: int | None) -> int | None:
    """a + b, unknown when a is."""
    return None if a is None else a + (b or 0)


def check_parent(draft: Draft, code: str, level: str, parent: str | None) -> None:
    """Refuse a parent that is not in the plan's map or not coarser than the unit."""
    if parent is None:
        return
    above = draft.get(parent)
    if draft.depths[above.level] >= draft.depths[level]:
        raise PlanError(
            f"unit {code}: a {level} needs a coarser parent, not the {above.level} {parent}"
        )


def check_counts(unit: UnitState) -> None:
    """Refuse negative, non-integer or too large (the columns are integer) counts."""
    for field in ("population", "households"):
        value = getattr(unit, field)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT
        ):
            raise PlanError(
                f"unit {unit.code}: {field} must be a whole number from 0 to {MAX_COUNT:,},"
                f" not {value!r}"
            )
