"""Validation of a grid map: every problem with its kind, units, area in m² and location.

Rules, for units of any levels (a scope's subtree and its parent chain):
- invalid: a geometry that is empty, not polygonal, or not valid (self-crossing, ...);
- parent: a parent code that is not in the map, or a parent that is not of a coarser level;
- overlap: two units of one level sharing more than tolerance_m2;
- gap: a piece of a parent no child covers (parents that have children), or a hole enclosed
  by the units of a level that have no parent; units above the scope are context only;
- outside_parent: the part of a unit outside its parent;
- multipart: a unit of two or more parts of at least sliver_m2 (not contiguous);
- sliver: a part of a unit (or a whole unit) smaller than sliver_m2;
- area_bounds, households_bounds: outside the level's bounds in plans.toml;
- crosses_building: a building footprint (a reference feature) cut by a unit's boundary, more
  than building_m2 of it on each side; one problem per building, naming every unit that cuts it.
Pieces of tolerance_m2 or less are float noise and never problems.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from twin.plans.geometry import Metric, location, parts, polygonal
from twin.plans.model import Problem, UnitState
from twin.plans.rules import Rules
from twin.plans.validate_memo import COVERS, CUTS, INNER, PARTS, wkb_of

KINDS = (
    "invalid",
    "parent",
    "overlap",
    "gap",
    "outside_parent",
    "multipart",
    "sliver",
    "area_bounds",
    "households_bounds",
    "crosses_building",
)


@dataclass(frozen=True)
class Frame:
    """The units of a map as arrays, with their levels' depth and their parent's index."""

    units: tuple[UnitState, ...]
    geoms: np.ndarray  # lon/lat
    depth: np.ndarray
    parent: np.ndarray  # index of the parent unit, -1 for none (or missing)
    valid: np.ndarray
    context: np.ndarray  # units above the scope: their children are not all in the map
    metric: Metric
    wkb: list[bytes]  # each unit's shape as bytes: the memos' keys (validate_memo)

    @classmethod
    def of(cls, units: Sequence[UnitState], levels: Sequence[str], scope: str | None) -> Frame:
        """The frame of some units; `levels` largest first."""
        units = tuple(units)
        index = {u.code: i for i, u in enumerate(units)}
        geoms = np.array([u.geom for u in units], dtype=object)
        depth = np.array([_depth(levels, u.level) for u in units], dtype=int)
        parent = np.array([index.get(u.parent, -1) if u.parent else -1 for u in units], int)
        polygonal_ = np.array(
            [g is not None and g.geom_type in ("Polygon", "MultiPolygon") for g in geoms], bool
        )
        valid = polygonal_.copy()
        if polygonal_.any():
            valid[polygonal_] = shapely.is_valid(geoms[polygonal_]) & ~shapely.is_empty(
                geoms[polygonal_]
            )
        context = np.zeros(len(units), bool)
        step = index.get(units[index[scope]].parent or "", -1) if scope in index else -1
        while step >= 0 and not context[step]:
            context[step] = True
            step = parent[step]
        metric = Metric.around(geoms[valid])
        wkb = [b"" for _ in units]
        for i, b in zip(np.flatnonzero(valid), wkb_of(geoms[valid]), strict=True):
            wkb[int(i)] = b
        return cls(units, geoms, depth, parent, valid, context, metric, wkb)

    def codes(self, idx: Sequence[int] | np.ndarray) -> tuple[str, ...]:
        """The codes of some units, in code order."""
        return tuple(sorted(self.units[int(i)].code for i in idx))


def _depth(levels: Sequence[str], level: str) -> int:
    return list(levels).index(level) if level in levels else len(levels)


def problem(
    frame: Frame, kind: str, codes: tuple[str, ...], geom: BaseGeometry, detail: str = ""
) -> Problem:
    """A problem located at its own shape."""
    lon, lat = location(geom)
    return Problem(kind, codes, round(frame.metric.area_of(geom), 2), lon, lat, geom, detail)


@dataclass(frozen=True)
class Building:
    """A building footprint the boundaries should not cut (EPSG:4326)."""

    code: str
    geom: BaseGeometry


def validate(
    units: Sequence[UnitState],
    rules: Rules,
    levels: Sequence[str],
    scope: str | None = None,
    buildings: Sequence[Building] = (),
) -> list[Problem]:
    """Every problem of a map (see the module), in kind order then code order."""
    if not units:
        return []
    frame = Frame.of(units, levels, scope)
    found = [
        *invalid(frame),
        *parent_links(frame),
        *overlaps(frame, rules),
        *coverage(frame, rules),
        *part_problems(frame, rules),
        *bounds(frame, rules),
        *crossings(frame, rules, buildings),
    ]
    return sorted(found, key=lambda p: (KINDS.index(p.kind), p.codes, p.lon, p.lat))


def invalid(frame: Frame) -> list[Problem]:
    """Units whose geometry is empty, not polygonal or not valid."""
    out = []
    for i in np.flatnonzero(~frame.valid):
        u = frame.units[i]
        g = u.geom
        if g is None or g.is_empty:
            why = "empty geometry"
        elif g.geom_type not in ("Polygon", "MultiPolygon"):
            why = f"a {g.geom_type}, not a polygon"
        else:
            why = shapely.is_valid_reason(g)
        where = g if g is not None and not g.is_empty else shapely.Point(0, 0)
        lon, lat = location(where)
        area = frame.metric.area_of(g) if g is not None and "olygon" in g.geom_type else 0.0
        out.append(Problem("invalid", (u.code,), round(area, 2), lon, lat, g, why))
    return out


def parent_links(frame: Frame) -> list[Problem]:
    """Parent codes not in the map, and parents not of a coarser level."""
    out = []
    for i, u in enumerate(frame.units):
        if not u.parent or not frame.valid[i]:
            continue
        p = frame.parent[i]
        if p < 0:
            out.append(problem(frame, "parent", (u.code,), u.geom, f"parent {u.parent} not in map"))
        elif frame.depth[p] >= frame.depth[i]:
            detail = f"parent {u.parent} is a {frame.units[p].level}, not coarser than {u.level}"
            out.append(problem(frame, "parent", (u.code, u.parent), u.geom, detail))
    return out


def overlap_pairs(frame: Frame, rules: Rules) -> list[tuple[int, int, BaseGeometry, float]]:
    """Pairs of valid units of one level overlapping by more than the tolerance."""
    ok = np.flatnonzero(frame.valid)
    if len(ok) < 2:
        return []
    geoms = frame.geoms[ok]
    # boxes only: the relate below (kept per pair) is what tells, and implies they intersect
    left, right = shapely.STRtree(geoms).query(geoms)
    keep = (left < right) & (frame.depth[ok[left]] == frame.depth[ok[right]])
    a, b = ok[left[keep]], ok[right[keep]]
    # Neighbours that only share an edge are most pairs, and their overlap has no area: a
    # relate (about a third of an overlay) keeps the pairs whose interiors meet.
    keys = [(frame.wkb[i], frame.wkb[j]) for i, j in zip(a, b, strict=True)]
    inner = np.array(
        INNER.many(
            keys,
            lambda m: shapely.relate_pattern(frame.geoms[a[m]], frame.geoms[b[m]], "2********"),
        ),
        dtype=bool,
    )
    a, b = a[inner], b[inner]
    pieces = shapely.intersection(frame.geoms[a], frame.geoms[b])
    areas = frame.metric.area(pieces)
    big = areas > rules.tolerance_m2
    return [
        (int(i), int(j), polygonal(g), float(s))
        for i, j, g, s in zip(a[big], b[big], pieces[big], areas[big], strict=True)
    ]


def overlaps(frame: Frame, rules: Rules) -> list[Problem]:
    """Units of one level that overlap."""
    return [
        problem(frame, "overlap", frame.codes([i, j]), g)
        for i, j, g, _ in overlap_pairs(frame, rules)
    ]


def gap_pieces(frame: Frame, rules: Rules) -> list[tuple[int | None, BaseGeometry, list[int]]]:
    """Gaps (see the module): (parent index or None, piece, bordering units)."""
    out: list[tuple[int | None, BaseGeometry, list[int]]] = []
    children: dict[int, list[int]] = {}
    tops: dict[int, list[int]] = {}
    for i in np.flatnonzero(frame.valid):
        p = int(frame.parent[i])
        if p >= 0 and frame.valid[p] and not frame.context[p]:
            children.setdefault(p, []).append(int(i))
        elif not frame.units[i].parent:
            tops.setdefault(int(frame.depth[i]), []).append(int(i))
    groups = list(children.items())
    keys = [(frame.wkb[p], tuple(frame.wkb[k] for k in kids)) for p, kids in groups]
    cuts = CUTS.many(keys, lambda m: [_uncovered(frame, *groups[int(i)]) for i in m])
    for (p, kids), pieces in zip(groups, cuts, strict=True):
        out += [(p, g, kids) for g in pieces]
    for same in tops.values():
        whole = shapely.union_all(frame.geoms[same])
        holes = [shapely.Polygon(r) for q in parts(whole) for r in q.interiors]
        holes = [polygonal(shapely.difference(h, whole)) for h in holes]
        out += [(None, g, same) for h in holes for g in parts(h)]
    if not out:
        return []
    areas = frame.metric.area(np.array([g for _, g, _ in out], dtype=object))
    kept: list[tuple[int | None, BaseGeometry, list[int]]] = []
    for (parent, g, near), area in zip(out, areas, strict=True):
        if area > rules.tolerance_m2:
            touching = [k for k in near if shapely.dwithin(frame.geoms[k], g, 1e-8)]
            kept.append((parent, g, touching))
    return kept


def _uncovered(frame: Frame, p: int, kids: list[int]) -> list[BaseGeometry]:
    """The parts of parent p its children do not cover."""
    return parts(shapely.difference(frame.geoms[p], shapely.union_all(frame.geoms[kids])))


def coverage(frame: Frame, rules: Rules) -> list[Problem]:
    """Gaps inside parents (and between top units), and parts of units outside their parent."""
    out = []
    for p, g, near in gap_pieces(frame, rules):
        codes = ((frame.units[p].code,) if p is not None else ()) + frame.codes(near)
        out.append(problem(frame, "gap", codes, g))
    for i, p, g in overhangs(frame, rules):
        out.append(problem(frame, "outside_parent", (frame.units[i].code, frame.units[p].code), g))
    return out


def overhangs(frame: Frame, rules: Rules) -> list[tuple[int, int, BaseGeometry]]:
    """(unit, parent, piece outside the parent) for each unit sticking out of its parent."""
    kids = np.array(
        [
            i
            for i in np.flatnonzero(frame.valid)
            if frame.parent[i] >= 0 and frame.valid[frame.parent[i]]
        ],
        dtype=int,
    )
    if not len(kids):
        return []
    # A unit its parent covers has nothing outside it (most do): only the others are cut.
    keys = [(frame.wkb[frame.parent[k]], frame.wkb[k]) for k in kids]
    up = frame.parent[kids]
    covered = COVERS.many(keys, lambda m: shapely.covers(frame.geoms[up[m]], frame.geoms[kids[m]]))
    kids = kids[~np.array(covered, dtype=bool)]
    if not len(kids):
        return []
    outside = shapely.difference(frame.geoms[kids], frame.geoms[frame.parent[kids]])
    areas = frame.metric.area(outside)
    big = areas > rules.tolerance_m2
    return [
        (int(i), int(frame.parent[i]), polygonal(g))
        for i, g in zip(kids[big], outside[big], strict=True)
    ]


def part_problems(frame: Frame, rules: Rules) -> list[Problem]:
    """Slivers (parts below sliver_m2) and units of two or more larger parts."""
    out = []
    ok = np.flatnonzero(frame.valid)
    split = PARTS.many([frame.wkb[i] for i in ok], lambda m: [parts(frame.geoms[ok[j]]) for j in m])
    pieces_of = [np.array(p, dtype=object) for p in split]
    flat = np.concatenate(pieces_of) if pieces_of else np.array([], dtype=object)
    if not len(flat):
        return []
    # every part measured at once: one projection of the map, not one per unit
    areas_of = np.split(frame.metric.area(flat), np.cumsum([len(p) for p in pieces_of])[:-1])
    for i, pieces, areas in zip(ok, pieces_of, areas_of, strict=True):
        u = frame.units[i]
        small = areas < rules.sliver_m2
        for piece, area in zip(np.array(pieces, dtype=object)[small], areas[small], strict=True):
            what = "the whole unit" if len(pieces) == 1 else f"1 of {len(pieces)} parts"
            detail = f"{what}: {area:.1f} m² < {rules.sliver_m2:g} m²"
            out.append(problem(frame, "sliver", (u.code,), piece, detail))
        if (~small).sum() >= 2:
            detail = f"{int((~small).sum())} separate parts"
            out.append(problem(frame, "multipart", (u.code,), u.geom, detail))
    return out


def bounds(frame: Frame, rules: Rules) -> list[Problem]:
    """Units whose area or households are outside their level's bounds."""
    out = []
    ok = np.flatnonzero(frame.valid)
    areas = dict(zip(ok.tolist(), frame.metric.area(frame.geoms[ok]).tolist(), strict=True))
    for i, area in areas.items():
        u = frame.units[i]
        b = rules.bounds(u.level)
        for kind, value, low, high, unit in (
            ("area_bounds", area, b.min_area_m2, b.max_area_m2, " m²"),
            ("households_bounds", u.households, b.min_households, b.max_households, ""),
        ):
            if value is None:
                continue
            if low is not None and value < low:
                detail = f"{value:,.0f}{unit} below the {u.level} minimum {low:,.0f}{unit}"
            elif high is not None and value > high:
                detail = f"{value:,.0f}{unit} above the {u.level} maximum {high:,.0f}{unit}"
            else:
                continue
            out.append(problem(frame, kind, (u.code,), u.geom, detail))
    return out


def crossings(frame: Frame, rules: Rules, buildings: Sequence[Building]) -> list[Problem]:
    """Buildings a unit's boundary cuts, with more than building_m2 inside and outside it."""
    ok = np.flatnonzero(frame.valid & ~frame.context)
    if not len(ok) or not buildings:
        return []
    shapes = np.array([b.geom for b in buildings], dtype=object)
    unit_i, house_i = shapely.STRtree(shapes).query(
        shapely.boundary(frame.geoms[ok]), predicate="intersects"
    )
    if not len(unit_i):
        return []
    units, houses = ok[unit_i], shapes[house_i]
    inside = frame.metric.area(shapely.intersection(houses, frame.geoms[units]))
    outside = frame.metric.area(shapely.difference(houses, frame.geoms[units]))
    cut = (inside > rules.building_m2) & (outside > rules.building_m2)
    by_house: dict[int, list[int]] = {}
    for u, h in zip(units[cut], house_i[cut], strict=True):
        by_house.setdefault(int(h), []).append(int(u))
    out = []
    for h, cutting in sorted(by_house.items()):
        house = buildings[h]
        # the detail is the building's code: the editor names it, the CLI prints it
        out.append(problem(frame, "crosses_building", frame.codes(cutting), house.geom, house.code))
    return out


def validate_plan(conn: Any, plan: Any, rules: Rules) -> list[Problem]:
    """Every problem of a stored plan's map (twin.plans.checks.validate_plan)."""
    from twin.plans import checks

    return checks.validate_plan(conn, plan, rules)
