"""The plan editor's view of an area (the map in force and the plan's map of its subtree), kept
per plan revision: an edit reads it once and every callback after it (the layers, the
selection, the next drawing) takes it from here, so no outline travels to and from the page
in the answer.

A view is keyed by the plan, its revision, the area and the version of the map in force, so a
later edit or a publish makes a new one; the few last are kept (one process serves the page).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import psycopg

from twin.plans import store
from twin.plans.model import UnitState
from twin.plans.transfer_json import unit_feature

KEPT = 8  # views kept: a few planners' areas, each a district at most
Json = dict[str, Any]


@dataclass(frozen=True)
class View:
    """One revision of a plan's map of an area, beside the map in force there."""

    revision: int
    base: tuple[UnitState, ...]
    units: tuple[UnitState, ...]
    touched: frozenset[str]  # the codes the plan has rows for (drawn as changed)
    version: int  # of the map in force

    @property
    def key(self) -> list[int]:
        """What the page holds to tell this view from the next: [revision, map version]."""
        return [self.revision, self.version]

    @functools.cached_property
    def unit_features(self) -> dict[str, Json]:
        """The plan's units as GeoJSON features, by code (in code order)."""
        return {
            u.code: unit_feature(u, "parent", changed=u.code in self.touched) for u in self.units
        }

    @functools.cached_property
    def base_collection(self) -> Json:
        """The map in force as a FeatureCollection."""
        return collection([unit_feature(u, "parent", changed=False) for u in self.base])

    def units_collection(self, codes: Sequence[str] | None = None) -> Json:
        """The plan's units (or those of some codes, in that order) as a FeatureCollection."""
        feats = self.unit_features
        return collection(list(feats.values()) if codes is None else _pick(feats, codes))

    def finest(self, levels: Sequence[str]) -> str | None:
        """The finest of the levels (largest first) the plan's units are of."""
        present = {u.level for u in self.units}
        return next((lv for lv in reversed(levels) if lv in present), None)

    def officers(self, codes: Iterable[str]) -> dict[str, str | None]:
        """The officer of each of those codes the plan's map has."""
        wanted = set(codes)
        return {u.code: u.officer for u in self.units if u.code in wanted}


def collection(features: list[Json]) -> Json:
    """Features as a FeatureCollection."""
    return {"type": "FeatureCollection", "features": features}


def _pick(feats: dict[str, Json], codes: Sequence[str]) -> list[Json]:
    return [feats[c] for c in codes if c in feats]


def view_units(
    conn: psycopg.Connection, plan: store.Plan, area: str | None
) -> tuple[list[UnitState], list[UnitState]]:
    """The map in force and the plan's map, both of the area's subtree (the plan's scope when
    no area is given)."""
    shown = replace(plan, scope=area or plan.scope)
    base = store.base_units(conn, shown)
    inside = {u.code for u in base}
    units = {u.code: u for u in base}
    for row in store.plan_rows(conn, plan).values():
        if row.unit is None:
            units.pop(row.code, None)
        elif row.code in inside or row.unit.parent in inside:
            units[row.code] = row.unit
    return base, sorted(units.values(), key=lambda u: u.code)


_views: OrderedDict[tuple[Any, ...], View] = OrderedDict()
_lock = threading.Lock()


def view_of(conn: psycopg.Connection, plan: store.Plan, area: str | None) -> View:
    """The view of the plan (as read now) over the area, from the kept ones when it is there."""
    version = store.current_version(conn)
    # The database too (one process may serve several), and the plan's last change: a view
    # read inside an edit whose commit then failed has a revision no committed plan shares
    # a change time with.
    where = (conn.info.host, conn.info.port, conn.info.dbname)
    key = (*where, plan.id, plan.name, plan.revision, plan.updated_at, area or plan.scope, version)
    with _lock:
        if key in _views:
            _views.move_to_end(key)
            return _views[key]
    base, units = view_units(conn, plan, area)
    touched = frozenset(store.plan_rows(conn, plan))
    view = View(plan.revision, tuple(base), tuple(units), touched, version)
    with _lock:
        _views[key] = view
        while len(_views) > KEPT:
            _views.popitem(last=False)
    return view


def kept_view(
    conn: psycopg.Connection, plan: store.Plan, area: str | None, shown: Any
) -> View | None:
    """The kept view of the plan over the area whose key the page holds (`shown`), when there
    is exactly one: the map draws it, so the next view is sent as what changed since."""
    where = (conn.info.host, conn.info.port, conn.info.dbname)
    with _lock:
        found = [
            v
            for k, v in _views.items()
            if k[:3] == where
            and k[3] == plan.id
            and k[7] == (area or plan.scope)
            and v.key == shown
        ]
    return found[0] if len(found) == 1 else None


def current_view(conn: psycopg.Connection, plan_name: str, area: str | None) -> View:
    """The view of the plan as it is now over the area (PlanError when there is no plan)."""
    return view_of(conn, store.get_plan(conn, plan_name), area)
