"""What a new map changes on the ground: per touched unit before → after, the points that
change unit, who inherits each moved case, and the officers' workload balance.

Only the areas that change hands are looked at: a point outside every changed piece is
covered by the same units before and after, so it keeps its unit. The counts before are the
map in force (grid_stat and the cases' indexes); after = before − points leaving + points
arriving, each point placed by the assignment rule (finest covering unit, lowest code).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import psycopg
import shapely

from twin.activity import Clock
from twin.db.queries import query
from twin.plans.diff import TOLERANCE_M2, changes_of
from twin.plans.geometry import TOUCH_DEG, Metric
from twin.plans.model import UnitState
from twin.plans.rules import MEASURES, Rules

COUNTED = ("cameras", "sensors", "open", "overdue", "incidents_90d")  # from points
OPEN = ("reported", "dispatched", "in_progress", "escalated")  # as the partial indexes
RECENT_DAYS = 90


@dataclass(frozen=True)
class Moved:
    """One point whose unit changes (from_code/to_code None: in no unit)."""

    layer: str
    code: str
    from_code: str | None
    to_code: str | None
    lon: float | None = None  # where it is, for the editor to draw it
    lat: float | None = None


@dataclass(frozen=True)
class Inherited:
    """An open case that moves, and the officer who has it after."""

    code: str
    from_code: str | None
    to_code: str | None
    from_officer: str | None
    to_officer: str | None


@dataclass(frozen=True)
class Balance:
    """The weighted workload per officer over a scope, and how even it is."""

    per_officer: dict[str, float]
    max_min_ratio: float | None  # None: fewer than one officer, or one with no workload
    cv: float | None  # coefficient of variation (population standard deviation / mean)

    @classmethod
    def of(cls, per_officer: dict[str, float]) -> Balance:
        """The balance of some workloads."""
        values = list(per_officer.values())
        if not values:
            return cls({}, None, None)
        low, high, mean = min(values), max(values), sum(values) / len(values)
        ratio = high / low if low > 0 else None
        cv = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) / mean if mean else None
        return cls(per_officer, ratio, cv)

    def to_json(self) -> dict[str, Any]:
        """The balance as JSON."""
        return {
            "per_officer": {k: round(v, 3) for k, v in sorted(self.per_officer.items())},
            "max_min_ratio": None if self.max_min_ratio is None else round(self.max_min_ratio, 4),
            "cv": None if self.cv is None else round(self.cv, 4),
        }


@dataclass(frozen=True)
class ImpactRow:
    """One touched unit: what changed, and each measure before and after (None: absent)."""

    code: str
    change: str
    before: dict[str, int | None]
    after: dict[str, int | None]

    def flat(self) -> dict[str, Any]:
        """code, change, <m>_before, <m>_after for every measure (the CSV's columns)."""
        out: dict[str, Any] = {"code": self.code, "change": self.change}
        for m in MEASURES:
            out[f"{m}_before"], out[f"{m}_after"] = self.before.get(m), self.after.get(m)
        return out


@dataclass(frozen=True)
class Impact:
    """The impact of a new map against the one in force."""

    rows: tuple[ImpactRow, ...] = ()
    moved: tuple[Moved, ...] = ()
    inherited: tuple[Inherited, ...] = ()
    balance_before: Balance = field(default_factory=lambda: Balance.of({}))
    balance_after: Balance = field(default_factory=lambda: Balance.of({}))

    def to_json(self) -> dict[str, Any]:
        """The impact as JSON."""
        return {
            "rows": [r.flat() for r in self.rows],
            "moved": [m.__dict__ for m in self.moved],
            "inherited": [c.__dict__ for c in self.inherited],
            "balance": {
                "before": self.balance_before.to_json(),
                "after": self.balance_after.to_json(),
            },
        }


def impact(
    conn: psycopg.Connection,
    before: Sequence[UnitState],
    after: Sequence[UnitState],
    clock: Clock,
    rules: Rules,
    levels: Sequence[str] | None = None,
) -> Impact:
    """The impact of map `after` against `before` (the map in force over the same scope)."""
    old = {u.code: u for u in before}
    new = {u.code: u for u in after}
    levels = tuple(levels) if levels else _levels_of(before, after)
    metric = Metric.around([u.geom for u in (*before, *after)])
    changes = {
        code: _change(old.get(code), new.get(code), metric)
        for code in sorted(old.keys() | new.keys())
    }
    touched = {code: c for code, c in changes.items() if c}
    pieces = _changed_areas(old, new, touched)
    points = _points_in(conn, pieces)
    moved = _moved(points, new, levels)
    finest = _finest(after, levels) | _finest(before, levels)
    counted = sorted((touched.keys() | finest) & old.keys())
    at = judged_at(clock)
    base = _measures(conn, counted, at)
    after_counts = _shift(base, moved, old, new, points, at)
    rows = tuple(
        ImpactRow(
            code,
            change,
            _measure_row(old.get(code), base),
            _measure_row(new.get(code), after_counts),
        )
        for code, change in touched.items()
    )
    inherited = tuple(
        Inherited(
            p.code, p.from_code, p.to_code, _officer(old, p.from_code), _officer(new, p.to_code)
        )
        for p in moved
        if p.layer == "incident" and points[(p.layer, p.code)]["status"] in OPEN
    )
    return Impact(
        rows,
        tuple(moved),
        inherited,
        Balance.of(workloads(old, base, rules, levels)),
        Balance.of(workloads(new, after_counts, rules, levels)),
    )


def _levels_of(*maps: Sequence[UnitState]) -> tuple[str, ...]:
    """Levels largest first, found from the parent links when the catalog's are not given."""
    units = {u.code: u for m in maps for u in m}
    depth: dict[str, int] = {}
    for u in units.values():
        n, step = 0, u
        while step.parent in units and n < 16:
            step, n = units[step.parent or ""], n + 1
        depth[u.level] = max(depth.get(u.level, 0), n)
    return tuple(sorted(depth, key=lambda lv: depth[lv]))


def _change(a: UnitState | None, b: UnitState | None, metric: Metric) -> str:
    what = list(changes_of(a, b, metric, TOLERANCE_M2))
    if a and b and (a.households, a.population) != (b.households, b.population):
        what.append("attributes")
    return "+".join(what)


def _changed_areas(
    old: dict[str, UnitState], new: dict[str, UnitState], touched: dict[str, str]
) -> list[Any]:
    """The pieces that may change hands (a hair wider, for points on their edges)."""
    out = []
    for code, change in touched.items():
        a, b = old.get(code), new.get(code)
        if a is None or b is None or "reparented" in change:
            out += [u.geom for u in (a, b) if u is not None]
        elif "reshaped" in change:
            out.append(shapely.symmetric_difference(a.geom, b.geom))
    out = [g for g in out if g is not None and not g.is_empty]
    return list(shapely.buffer(np.array(out, dtype=object), TOUCH_DEG)) if out else []


def _points_in(
    conn: psycopg.Connection, pieces: list[Any]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The points in the pieces, by (layer, code)."""
    if not pieces:
        return {}
    rows = conn.execute(
        query("plan_points_in_area"), {"areas": [shapely.to_wkb(g) for g in pieces]}
    )
    names = [c.name for c in rows.description or []]
    return {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in rows.fetchall()}


def _moved(
    points: dict[tuple[str, str], dict[str, Any]], new: dict[str, UnitState], levels: Sequence[str]
) -> list[Moved]:
    """The points whose owner under the new map differs from their owner now."""
    if not points:
        return []
    units = [u for u in new.values() if u.geom is not None and not u.geom.is_empty]
    tree = shapely.STRtree(np.array([u.geom for u in units], dtype=object))
    keys = list(points)
    xy = shapely.points([(points[k]["lon"], points[k]["lat"]) for k in keys])
    which, hit = tree.query(xy, predicate="intersects")
    rank = {lv: i for i, lv in enumerate(levels)}
    best: dict[int, tuple[int, str]] = {}
    for p, k in zip(which.tolist(), hit.tolist(), strict=True):
        u = units[k]
        key = (-rank.get(u.level, len(levels)), u.code)  # deepest level first, then lowest code
        if p not in best or key < best[p]:
            best[p] = key
    out = []
    for p, k in enumerate(keys):
        to = best[p][1] if p in best else None
        if to != points[k]["owner"]:
            at = points[k]
            out.append(Moved(k[0], k[1], at["owner"], to, at["lon"], at["lat"]))
    return out


def _finest(units: Sequence[UnitState], levels: Sequence[str]) -> set[str]:
    """The codes of the units of the finest level present (whose officers carry the load)."""
    present = [lv for lv in levels if any(u.level == lv for u in units)]
    return {u.code for u in units if present and u.level == present[-1]}


def _measures(
    conn: psycopg.Connection, codes: list[str], at: datetime
) -> dict[str, dict[str, int]]:
    """The point counts of units of the map in force, by code."""
    if not codes:
        return {}
    own = own_counts(conn, at)
    out = {}
    for code, cameras, sensors, open_, subtree in conn.execute(
        query("plan_unit_measures"), {"codes": codes}
    ).fetchall():
        overdue = sum(own[g][0] for g in subtree if g in own)
        recent = sum(own[g][1] for g in subtree if g in own)
        out[code] = dict(zip(COUNTED, (cameras, sensors, open_, overdue, recent), strict=True))
    return out


# The per-owner overdue and recent counts read the whole city's window (a GROUP BY over the
# covering indexes): kept while no case and no unit changed and the minute is the same, so
# the editor's next edit reads only what it moves.
_OWN: dict[tuple[Any, ...], dict[int, tuple[int, int]]] = {}


def own_counts(conn: psycopg.Connection, at: datetime) -> dict[int, tuple[int, int]]:
    """(overdue, recent) cases each unit owns itself, by grid id."""
    row = conn.execute(query("hotspot_data_version"), {"layer": "incident"}).fetchone()
    key = (conn.info.dsn, tuple(row or ()), at)
    if key not in _OWN:
        since = at - timedelta(days=RECENT_DAYS)
        rows = conn.execute(query("plan_own_counts"), {"at": at, "since": since}).fetchall()
        _OWN.clear()  # one entry: the newest state is the only one asked again
        _OWN[key] = {r[0]: (int(r[1]), int(r[2])) for r in rows}
    return _OWN[key]


def judged_at(clock: Clock) -> datetime:
    """The moment overdue and recent are judged: the clock's minute (so counts are reused
    within it)."""
    return clock.now.replace(second=0, microsecond=0)


def _ancestry(units: dict[str, UnitState], code: str | None) -> list[str]:
    out: list[str] = []
    while code is not None and code in units and code not in out:
        out.append(code)
        code = units[code].parent
    return out


def _counts_of(point: dict[str, Any], now_cutoff: tuple[Any, Any]) -> dict[str, int]:
    layer, status = point["layer"], point["status"]
    if layer == "camera":
        return {"cameras": 1}
    if layer == "sensor":
        return {"sensors": 1}
    is_open = status in OPEN
    return {
        "open": int(is_open),
        "overdue": int(is_open and point["due_at"] is not None and point["due_at"] < now_cutoff[0]),
        "incidents_90d": int(now_cutoff[1] <= point["reported_at"] <= now_cutoff[0]),
    }


def _shift(
    base: dict[str, dict[str, int]],
    moved: list[Moved],
    old: dict[str, UnitState],
    new: dict[str, UnitState],
    points: dict[tuple[str, str], dict[str, Any]],
    at: datetime,
) -> dict[str, dict[str, int]]:
    """The counts after: each moved point leaves its old chain of units and joins its new one."""
    out = {code: dict(c) for code, c in base.items() if code in new}
    cutoff = (at, at - timedelta(days=RECENT_DAYS))
    for m in moved:
        counts = _counts_of(points[(m.layer, m.code)], cutoff)
        for code, sign in [(c, -1) for c in _ancestry(old, m.from_code)] + [
            (c, 1) for c in _ancestry(new, m.to_code)
        ]:
            if code in new:
                row = out.setdefault(code, dict.fromkeys(COUNTED, 0))
                for k, v in counts.items():
                    row[k] += sign * v
    return out


def _measure_row(
    unit: UnitState | None, counts: dict[str, dict[str, int]]
) -> dict[str, int | None]:
    if unit is None:
        return dict.fromkeys(MEASURES)
    row: dict[str, int | None] = {"households": unit.households, "population": unit.population}
    got = counts.get(unit.code, dict.fromkeys(COUNTED, 0))
    row |= {k: got[k] for k in COUNTED}
    return row


def _officer(units: dict[str, UnitState], code: str | None) -> str | None:
    """The officer of a unit, or of its nearest ancestor that has one."""
    for c in _ancestry(units, code):
        if units[c].officer:
            return units[c].officer
    return None


def workloads(
    units: dict[str, UnitState],
    counts: dict[str, dict[str, int]],
    rules: Rules,
    levels: Sequence[str],
) -> dict[str, float]:
    """The weighted workload of each officer of the finest level's units."""
    weights = [(m, rules.weight(m)) for m in COUNTED if rules.weight(m)]
    w_households, w_population = rules.weight("households"), rules.weight("population")
    out: dict[str, float] = {}
    for code in _finest(list(units.values()), levels):
        u = units[code]
        if not u.officer:
            continue
        got = counts.get(code)
        load = w_households * (u.households or 0) + w_population * (u.population or 0)
        if got:
            load += sum(w * got[m] for m, w in weights)
        out[u.officer] = out.get(u.officer, 0.0) + load
    return out


def impact_of(conn: psycopg.Connection, plan: Any, clock: Clock, rules: Rules) -> Impact:
    """The impact of a stored plan against the map in force (twin.plans.checks.impact_of)."""
    from twin.plans import checks

    return checks.impact_of(conn, plan, clock, rules)
