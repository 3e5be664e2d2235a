"""The auto-fix: small problems given to the neighbour with the longest shared edge.

Level by level, largest first (so a piece a street gains is then split among its
communities, and so on down): a part of a unit outside its parent of at most fix_gap_m2 is
cut off; an overlap of at most fix_gap_m2 stays with the unit sharing the longer border with
it and is cut from the other; a sliver part of a unit that has larger parts goes to the
sibling sharing the longest border with it; a gap of at most fix_gap_m2 goes to the child
(or top unit) sharing the longest border with it. Equal borders go to the lower code. A
piece no neighbour borders, and a unit that is a sliver as a whole, are left as problems.
Every repair is listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from twin.plans.geometry import parts, polygonal
from twin.plans.model import Repair, UnitState
from twin.plans.rules import Rules
from twin.plans.validate import Frame, gap_pieces, overhangs, overlap_pairs


class _Work:
    """The map being repaired: units by index, the repairs so far."""

    def __init__(self, units: Sequence[UnitState], levels: Sequence[str], scope: str | None):
        self.units = list(units)
        self.levels, self.scope = levels, scope
        self.repairs: list[Repair] = []

    def frame(self) -> Frame:
        return Frame.of(self.units, self.levels, self.scope)

    def set_geom(self, i: int, geom: BaseGeometry) -> None:
        self.units[i] = replace(self.units[i], geom=polygonal(geom))

    def best(self, frame: Frame, piece: BaseGeometry, candidates: Sequence[int]) -> int | None:
        """The candidate sharing the longest border with the piece (ties: lower code)."""
        scored = [(frame.metric.border(piece, self.units[k].geom), k) for k in candidates]
        scored = [(b, k) for b, k in scored if b > 0]
        if not scored:
            return None
        top = max(b for b, _ in scored)
        return min((self.units[k].code, k) for b, k in scored if b >= top - 1e-6)[1]


def autofix(
    units: Sequence[UnitState], rules: Rules, levels: Sequence[str], scope: str | None = None
) -> tuple[list[UnitState], list[Repair]]:
    """The units with the small problems repaired (see the module), and each repair."""
    work = _Work(units, levels, scope)
    if not units:
        return [], []
    depths = sorted({int(d) for d in work.frame().depth})
    for depth in depths:
        _trim(work, rules, depth)
        _overlaps(work, rules, depth)
        _slivers(work, rules, depth)
        _gaps(work, rules, depth)
    return work.units, work.repairs


def _trim(work: _Work, rules: Rules, depth: int) -> None:
    frame = work.frame()
    for i, p, piece in overhangs(frame, rules):
        area = frame.metric.area_of(piece)
        if frame.depth[i] != depth or area > rules.fix_gap_m2:
            continue
        work.set_geom(i, shapely.intersection(work.units[i].geom, work.units[p].geom))
        code, parent = work.units[i].code, work.units[p].code
        detail = f"cut off {area:.1f} m² outside its parent {parent}"
        work.repairs.append(Repair("outside_parent", code, round(area, 2), (code,), detail))


def _overlaps(work: _Work, rules: Rules, depth: int) -> None:
    frame = work.frame()
    for i, j, piece, area in overlap_pairs(frame, rules):
        if frame.depth[i] != depth or area > rules.fix_gap_m2:
            continue
        rest = {k: shapely.difference(work.units[k].geom, piece) for k in (i, j)}
        borders = {k: frame.metric.border(piece, rest[k]) for k in (i, j)}
        if abs(borders[i] - borders[j]) <= 1e-6:
            keep = i if work.units[i].code < work.units[j].code else j
        else:
            keep = i if borders[i] > borders[j] else j
        lose = j if keep == i else i
        work.set_geom(lose, rest[lose])
        keeper, loser = work.units[keep].code, work.units[lose].code
        detail = f"overlap of {area:.1f} m² with {loser}: longest shared border"
        work.repairs.append(Repair("overlap", keeper, round(area, 2), (loser,), detail))


def _siblings(frame: Frame, i: int) -> list[int]:
    same = (frame.depth == frame.depth[i]) & (frame.parent == frame.parent[i]) & frame.valid
    same[i] = False
    return np.flatnonzero(same).tolist()


def _slivers(work: _Work, rules: Rules, depth: int) -> None:
    frame = work.frame()
    for i in np.flatnonzero(frame.valid & (frame.depth == depth)):
        pieces = parts(work.units[i].geom)
        areas = frame.metric.area(np.array(pieces, dtype=object))
        if len(pieces) < 2 or (areas >= rules.sliver_m2).sum() < 1:
            continue
        for piece, area in zip(pieces, areas, strict=True):
            if area >= rules.sliver_m2 or area > rules.fix_gap_m2:
                continue
            to = work.best(frame, piece, _siblings(frame, int(i)))
            if to is None:
                continue
            work.set_geom(int(i), shapely.difference(work.units[i].geom, piece))
            work.set_geom(to, shapely.union(work.units[to].geom, piece))
            code, dest = work.units[i].code, work.units[to].code
            detail = f"sliver of {area:.1f} m² of {code}: longest shared border"
            work.repairs.append(Repair("sliver", dest, round(float(area), 2), (code,), detail))


def _gaps(work: _Work, rules: Rules, depth: int) -> None:
    frame = work.frame()
    for p, piece, near in gap_pieces(frame, rules):
        area = frame.metric.area_of(piece)
        kids = [k for k in near if frame.depth[k] == depth]
        if not kids or area > rules.fix_gap_m2:
            continue
        to = work.best(frame, piece, kids)
        if to is None:
            continue
        work.set_geom(to, shapely.union(work.units[to].geom, piece))
        where = f"inside {work.units[p].code}" if p is not None else "between top units"
        detail = f"gap of {area:.1f} m² {where}: longest shared border"
        from_codes = (work.units[p].code,) if p is not None else ()
        work.repairs.append(Repair("gap", work.units[to].code, round(area, 2), from_codes, detail))
