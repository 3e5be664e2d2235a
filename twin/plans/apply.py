"""Writing a set of unit changes into the grid table, all or nothing, counters kept exact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
import shapely
from shapely.geometry import MultiPolygon, Polygon

from twin.db.queries import query
from twin.plans.model import UnitState


class ChangeError(ValueError):
    """A change set that would break the hierarchy; nothing was written."""


@dataclass(frozen=True)
class Applied:
    """The codes a change set added, rewrote and removed."""

    inserted: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code written."""
        return self.inserted + self.updated + self.removed


def apply_changes(
    conn: psycopg.Connection, upserts: Sequence[UnitState], removals: Sequence[str]
) -> Applied:
    """Write the units (added or replaced by code) and delete the removed codes, in one
    transaction: parents before children, removals finest first. The grid triggers move
    only the points inside the changed areas and keep every count exact (migration 013)."""
    _check_codes(upserts, removals)
    inserted: list[str] = []
    updated: list[str] = []
    removed: list[str] = []
    with conn.transaction():
        _stage(conn, upserts)
        params = {"removals": list(removals)}
        problems = conn.execute(query("publish_stage_problems"), params).fetchall()
        if problems:
            said = "; ".join(f"{code}: {reason}" for code, reason in problems[:20])
            raise ChangeError(f"the change would break the hierarchy: {said}")
        depths = [r[0] for r in conn.execute(query("publish_depths"), params)]
        for depth in depths:  # a new parent exists before its children name it
            updated += [r[0] for r in conn.execute(query("publish_update"), {"depth": depth})]
            inserted += [r[0] for r in conn.execute(query("publish_insert"), {"depth": depth})]
        for depth in reversed(depths):  # children go before their parents
            cur = conn.execute(query("publish_delete"), {"codes": list(removals), "depth": depth})
            removed += [r[0] for r in cur]
        conn.execute("DROP TABLE twin_publish_stage")
    return Applied(tuple(sorted(inserted)), tuple(sorted(updated)), tuple(sorted(removed)))


def _check_codes(upserts: Sequence[UnitState], removals: Sequence[str]) -> None:
    """Each code once; nothing both written and removed; polygons only."""
    seen: set[str] = set()
    for unit in upserts:
        if unit.code in seen:
            raise ChangeError(f"unit {unit.code} appears twice in the change")
        seen.add(unit.code)
        if not isinstance(unit.geom, (Polygon, MultiPolygon)) or unit.geom.is_empty:
            raise ChangeError(f"unit {unit.code}: its geometry is not a polygon")
    both = sorted(seen & set(removals))
    if both:
        raise ChangeError(f"units both changed and removed: {', '.join(both)}")


def _stage(conn: psycopg.Connection, upserts: Sequence[UnitState]) -> None:
    """The units to write, in a temporary table the publish queries read."""
    conn.execute("DROP TABLE IF EXISTS twin_publish_stage")
    conn.execute(query("publish_stage_create"))
    rows = [
        {
            "code": u.code,
            "name": u.name,
            "level": u.level,
            "parent_code": u.parent,
            "officer": u.officer,
            "population": u.population,
            "households": u.households,
            "wkb": shapely.to_wkb(u.geom, hex=True),
        }
        for u in upserts
    ]
    with conn.cursor() as cur:
        cur.executemany(query("publish_stage_insert"), rows)
