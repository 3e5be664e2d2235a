"""The demo city's reference layers: streets whose centre lines are its grid edges, a river
along a district boundary, a lake inside one grid, and buildings round its sensor sites.

Every grid edge is a street, classed by the coarsest level whose boundary it is (the city's
outline a trunk ring road, district boundaries primary roads, street boundaries secondary,
community boundaries tertiary, the rest residential lanes), so the planner's boundaries snap
to the roads they already follow. All in local metres until written, from its own random
stream: the grids, points and incidents are the same with or without it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry.base import BaseGeometry

from twin.reference.store import ReferenceFeature
from twin.synth import names
from twin.synth.city import Area, to_lonlat

SETBACK_M = 6.0  # buildings stand at least this far from a street's centre line
ROAD_CLASSES = ("trunk", "primary", "secondary", "tertiary", "residential")  # coarse first
ROAD_SUFFIX = {
    "trunk": "环城路",
    "primary": "大道",
    "secondary": "路",
    "tertiary": "街",
    "residential": "巷",
}


@dataclass(frozen=True)
class Reference:
    """The demo's reference features by catalog layer (road, water, building), in lon/lat."""

    road: list[ReferenceFeature]
    water: list[ReferenceFeature]
    building: list[ReferenceFeature]

    def by_layer(self) -> dict[str, list[ReferenceFeature]]:
        """The features of each catalog layer, by its name."""
        return {"road": self.road, "water": self.water, "building": self.building}


def build_reference(
    rng: np.random.Generator, areas: list[Area], sites: np.ndarray, levels: tuple[str, ...]
) -> Reference:
    """Streets, a river, a lake and buildings for a generated city (see the module)."""
    grids = [a for a in areas if a.level == levels[-1]]
    segs, cls = classed_segments(grids, areas)
    lines = {c: merged(segs[cls == i]) for i, c in enumerate(ROAD_CLASSES)}
    primary = lines["primary"]
    river = primary.pop(int(np.argmax([g.length for g in primary]))) if primary else None
    lake = lake_in(rng, grids)
    houses = buildings(rng, sites, shapely.linestrings(segs.reshape(-1, 2, 2)), lake)
    used: dict[str, int] = {}
    road = [
        ReferenceFeature(
            f"R{i + 1:05d}", c, names.road_name(rng, used, ROAD_SUFFIX[c]), to_lonlat(g)
        )
        for i, (c, g) in enumerate((c, g) for c in ROAD_CLASSES for g in lines[c])
    ]
    water = []
    if river is not None:
        water.append(ReferenceFeature("W1", "river", names.water_name(rng, "河"), to_lonlat(river)))
    if lake is not None:
        water.append(ReferenceFeature("W2", "water", names.water_name(rng, "湖"), to_lonlat(lake)))
    building = [
        ReferenceFeature(f"B{i + 1:06d}", "building", None, to_lonlat(h))
        for i, h in enumerate(houses)
    ]
    return Reference(road, water, building)


def classed_segments(grids: list[Area], areas: list[Area]) -> tuple[np.ndarray, np.ndarray]:
    """Every segment of the grids' outlines once (x0, y0, x1, y1), and its index in
    ROAD_CLASSES: one grid's alone is on the city's outline; else the coarsest level at which
    the two grids sharing it part (district, street, community), else a grid's own edge.

    The grids share their edges' coordinates exactly (the generator builds both sides from
    one line), so a shared segment is the same four numbers in both."""
    rings = shapely.get_rings(np.array([g.geom for g in grids], dtype=object), return_index=True)
    xy, ring = shapely.get_coordinates(rings[0], return_index=True)
    owner = rings[1][ring]
    same = ring[1:] == ring[:-1]
    a, b, who = xy[:-1][same], xy[1:][same], owner[:-1][same]
    flip = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    a[flip], b[flip] = b[flip], a[flip].copy()
    keys = np.hstack([a, b])
    segs, first, inverse, count = np.unique(
        keys, axis=0, return_index=True, return_inverse=True, return_counts=True
    )
    grouped = np.argsort(inverse.ravel(), kind="stable")
    one, other = who[first], who[grouped[np.cumsum(count) - 1]]  # a shared one's two grids
    parent = {x.code: x.parent_code for x in areas}
    up = np.array([_ancestors(g.code, parent) for g in grids], dtype=object)
    cls = np.full(len(segs), len(ROAD_CLASSES) - 1)
    for level in (2, 1, 0):  # finest first, so the coarsest that differs is written last
        cls[up[one, level] != up[other, level]] = level + 1
    cls[count == 1] = 0
    return segs, cls


def _ancestors(code: str, parent: dict[str, str | None]) -> list[str]:
    """A grid's code and its ancestors', coarse first (district, street, community, grid)."""
    chain = [code]
    while (up := parent.get(chain[-1])) is not None:
        chain.append(up)
    return chain[::-1]


def merged(segs: np.ndarray) -> list[BaseGeometry]:
    """Segments of one class joined end to end where no other segment of the class meets."""
    if not len(segs):
        return []
    lines = shapely.multilinestrings(shapely.linestrings(segs.reshape(-1, 2, 2)))
    return list(shapely.get_parts(shapely.line_merge(lines)))


def lake_in(rng: np.random.Generator, grids: list[Area]) -> BaseGeometry | None:
    """An oval lake well inside one of the larger grids."""
    areas = np.array([g.geom.area for g in grids])
    big = np.flatnonzero(areas >= np.median(areas))
    if not len(big):
        return None
    grid = grids[int(rng.choice(big))].geom
    centre = shapely.point_on_surface(grid)
    radius = 0.3 * math.sqrt(grid.area / math.pi)
    oval = shapely.affinity.scale(
        centre.buffer(radius, 24), rng.uniform(0.6, 1.0), rng.uniform(0.6, 1.0)
    )
    inside = oval.intersection(grid.buffer(-3 * SETBACK_M))
    parts = [p for p in shapely.get_parts(inside) if p.geom_type == "Polygon"]
    return max(parts, key=lambda p: p.area) if parts else None


def buildings(
    rng: np.random.Generator, sites: np.ndarray, streets: np.ndarray, lake: BaseGeometry | None
) -> list[BaseGeometry]:
    """A rectangle round each sensor site, kept only clear of the streets, the lake and the
    buildings before it."""
    n = len(sites)
    if not n:
        return []
    half = np.column_stack([rng.uniform(7, 18, n), rng.uniform(5, 11, n)])
    angle = rng.uniform(0, np.pi, n)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=float)
    local = corners[None, :, :] * half[:, None, :]
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    xy = (
        np.stack(
            [local[..., 0] * cos - local[..., 1] * sin, local[..., 0] * sin + local[..., 1] * cos],
            axis=-1,
        )
        + sites[:, None, :2]
    )
    rects = shapely.polygons(xy)
    clear = np.ones(n, bool)
    hit = shapely.STRtree(streets).query(rects, predicate="dwithin", distance=SETBACK_M)[0]
    clear[hit] = False
    if lake is not None:
        clear &= ~shapely.dwithin(rects, lake, SETBACK_M)
    kept = np.flatnonzero(clear)
    left, right = shapely.STRtree(rects[kept]).query(rects[kept], predicate="intersects")
    later = np.unique(right[left < right])  # of two that touch, the earlier one stands
    return list(rects[np.delete(kept, later)])
