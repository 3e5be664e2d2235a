"""The difference between two maps (versions or plans): what changed per unit, and which
areas changed hands between units of one level."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from twin.plans.geometry import Metric, polygonal
from twin.plans.model import UnitState

CHANGES = ("added", "removed", "reshaped", "reparented", "renamed", "officer")
TOLERANCE_M2 = 1.0  # as validation: a reshape moving less than this is float noise


@dataclass(frozen=True)
class DiffRow:
    """One unit that differs between the two maps."""

    code: str
    level: str
    changes: tuple[str, ...]
    area_before_m2: float
    area_after_m2: float


@dataclass(frozen=True)
class Exchange:
    """An area that was in unit from_code in the first map and is in to_code in the second
    (from_code None: covered by no unit of that level before; to_code None: after)."""

    level: str
    from_code: str | None
    to_code: str | None
    area_m2: float
    geom: BaseGeometry


@dataclass(frozen=True)
class Diff:
    """Every unit that differs, and every area that changed hands."""

    rows: tuple[DiffRow, ...] = ()
    exchanges: tuple[Exchange, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """The diff as JSON: rows, and exchanges as a GeoJSON FeatureCollection."""
        return {
            "rows": [
                {
                    "code": r.code,
                    "level": r.level,
                    "changes": list(r.changes),
                    "area_before_m2": r.area_before_m2,
                    "area_after_m2": r.area_after_m2,
                }
                for r in self.rows
            ],
            "exchanges": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": shapely.geometry.mapping(e.geom),
                        "properties": {
                            "level": e.level,
                            "from_code": e.from_code,
                            "to_code": e.to_code,
                            "area_m2": e.area_m2,
                        },
                    }
                    for e in self.exchanges
                ],
            },
        }


def changes_of(
    a: UnitState | None, b: UnitState | None, metric: Metric, tol: float
) -> tuple[str, ...]:
    """What changed in one unit from a to b (in CHANGES order)."""
    if a is None:
        return ("added",)
    if b is None:
        return ("removed",)
    out = []
    if not shapely.equals_exact(a.geom, b.geom, 0.0) and (
        metric.area_of(shapely.symmetric_difference(a.geom, b.geom)) > tol
    ):
        out.append("reshaped")
    if a.parent != b.parent:
        out.append("reparented")
    if a.name != b.name:
        out.append("renamed")
    if a.officer != b.officer:
        out.append("officer")
    return tuple(out)


def diff(
    a: Sequence[UnitState], b: Sequence[UnitState], tolerance_m2: float = TOLERANCE_M2
) -> Diff:
    """How map b differs from map a: one row per unit that changed, and the exchanges."""
    before = {u.code: u for u in a}
    after = {u.code: u for u in b}
    metric = Metric.around([u.geom for u in (*a, *b)])
    rows = []
    for code in sorted(before.keys() | after.keys()):
        x, y = before.get(code), after.get(code)
        what = changes_of(x, y, metric, tolerance_m2)
        if what:
            level = (y or x).level  # type: ignore[union-attr]
            area = [round(metric.area_of(u.geom), 1) if u else 0.0 for u in (x, y)]
            rows.append(DiffRow(code, level, what, area[0], area[1]))
    moved = {r.code for r in rows if {"added", "removed", "reshaped"} & set(r.changes)}
    return Diff(tuple(rows), tuple(exchanges(before, after, moved, metric, tolerance_m2)))


def exchanges(
    before: dict[str, UnitState],
    after: dict[str, UnitState],
    moved: set[str],
    metric: Metric,
    tol: float,
) -> list[Exchange]:
    """The areas that changed hands between units of one level (only units whose shape
    changed can give or take area)."""
    out: list[Exchange] = []
    for level in sorted({u.level for u in (*before.values(), *after.values()) if u.code in moved}):
        olds = [u for u in before.values() if u.level == level]
        news = [u for u in after.values() if u.level == level]
        old_geoms = np.array([u.geom for u in olds], dtype=object)
        new_geoms = np.array([u.geom for u in news], dtype=object)
        old_in = [i for i, u in enumerate(olds) if u.code in moved]
        new_in = [j for j, u in enumerate(news) if u.code in moved]
        pairs: set[tuple[int, int]] = set()
        if len(new_geoms) and old_in:
            j, i = shapely.STRtree(new_geoms).query(old_geoms[old_in], predicate="intersects")
            pairs |= {(old_in[k], int(m)) for k, m in zip(j, i, strict=True)}
        if len(old_geoms) and new_in:
            j, i = shapely.STRtree(old_geoms).query(new_geoms[new_in], predicate="intersects")
            pairs |= {(int(m), new_in[k]) for k, m in zip(j, i, strict=True)}
        swapped = sorted(
            ((i, j) for i, j in pairs if olds[i].code != news[j].code),
            key=lambda p: (olds[p[0]].code, news[p[1]].code),
        )
        if swapped:
            pieces = shapely.intersection(
                old_geoms[[i for i, _ in swapped]], new_geoms[[j for _, j in swapped]]
            )
            areas = metric.area(pieces)
            out += [
                Exchange(level, olds[i].code, news[j].code, round(float(s), 1), polygonal(g))
                for (i, j), g, s in zip(swapped, pieces, areas, strict=True)
                if s > tol
            ]
        for i in old_in:  # areas no unit of the level covers any more
            near = [news[j].geom for k, j in pairs if k == i]
            lost = polygonal(shapely.difference(olds[i].geom, shapely.union_all(near)))
            if metric.area_of(lost) > tol:
                out.append(
                    Exchange(level, olds[i].code, None, round(metric.area_of(lost), 1), lost)
                )
        for j in new_in:  # areas no unit of the level covered before
            near = [olds[i].geom for i, k in pairs if k == j]
            won = polygonal(shapely.difference(news[j].geom, shapely.union_all(near)))
            if metric.area_of(won) > tol:
                out.append(Exchange(level, None, news[j].code, round(metric.area_of(won), 1), won))
    return out
