"""Which unit of one level a point lies clearly inside, decided in memory for many points.

A point is decided here only when it lies deep inside one unit: farther than MARGIN from its
edges and from every other unit of the level. Every other point is left undecided (-1) for
PostGIS, so the tie rule for points on or near shared edges stays exactly the database's.

Each unit's INNER (the unit eroded by 2 MARGIN) holds the points decided here. The guarantee
rests on distances measured after buffering, not on how GEOS approximates a buffer: a unit
is kept only when INNER lies within the unit with its boundary at least 1.5 MARGIN from the
unit's, and INNER is at least MARGIN from every other unit of the level. A unit failing
either (a sliver, an overlap) keeps all its points for PostGIS.

Lookups go through a raster of buckets: a bucket no edge of any INNER crosses is solid (its
points take that unit with no polygon test); the others list the units whose edges cross
them, and their points are tested against those units' prepared INNER, unit by unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

# Degrees (about 0.1 mm). PostGIS's point-in-polygon side test errs by about 1e-14 degree at
# city coordinates, so a point this far from every edge is placed the same by both.
MARGIN = 1e-9
BUCKETS_PER_UNIT = 256  # more buckets: fewer points in crossed buckets, a slower build
MAX_BUCKETS = 4_000_000  # bounds the raster's memory for levels of many units
UNDECIDED = -1


@dataclass(frozen=True)
class UnitIndex:
    """The kept units of one level and the bucket raster over them."""

    level: str
    ids: np.ndarray  # int64: the grid id of each kept unit
    inner: np.ndarray  # prepared shapely geometries: each kept unit's INNER
    x0: float
    y0: float
    size: float  # a bucket's side, in degrees
    nx: int
    ny: int
    solid: np.ndarray  # int32 per bucket: the unit whose INNER holds it whole, else -1
    starts: np.ndarray  # int64, one per bucket and one more: offsets into candidates
    candidates: np.ndarray  # int32: per bucket, the units whose INNER's edges cross it

    @property
    def units(self) -> int:
        """How many units are decided in memory (the others' points go to PostGIS)."""
        return len(self.ids)


@dataclass(frozen=True)
class _Raster:
    """A bucket raster's placement: origin, bucket side and size in buckets."""

    x0: float
    y0: float
    size: float
    nx: int
    ny: int

    def column(self, x: np.ndarray) -> np.ndarray:
        """Bucket columns, clipped. Floor of a monotone expression: a point inside a box
        never falls outside the box's range of buckets."""
        return np.clip(np.floor((x - self.x0) / self.size), 0, self.nx - 1).astype(np.int64)

    def row(self, y: np.ndarray) -> np.ndarray:
        """Bucket rows, clipped (as column)."""
        return np.clip(np.floor((y - self.y0) / self.size), 0, self.ny - 1).astype(np.int64)


def build_unit_index(level: str, ids: np.ndarray, polygons: np.ndarray) -> UnitIndex | None:
    """The index of a level's units (grid ids and shapely polygons, aligned); None when no
    unit can be decided in memory."""
    polygons = np.asarray(polygons, dtype=object)
    inner = shapely.buffer(polygons, -2 * MARGIN)
    keep = _kept(polygons, inner)
    inner, ids = inner[keep], np.asarray(ids, dtype=np.int64)[keep]
    if not len(ids):
        return None
    shapely.prepare(inner)
    bounds = shapely.bounds(inner)
    raster = _raster(bounds, len(ids))
    pairs = _Pairs.of(bounds, raster)
    crossed = pairs.crossed(inner, raster)
    solid = _solid(inner, pairs, crossed, raster)
    bucket, unit = pairs.bucket[crossed], pairs.unit[crossed]
    order = np.argsort(bucket, kind="stable")
    starts = np.zeros(raster.nx * raster.ny + 1, dtype=np.int64)
    np.cumsum(np.bincount(bucket, minlength=raster.nx * raster.ny), out=starts[1:])
    return UnitIndex(
        level,
        ids,
        inner,
        raster.x0,
        raster.y0,
        raster.size,
        raster.nx,
        raster.ny,
        solid,
        starts,
        unit[order].astype(np.int32),
    )


def _kept(polygons: np.ndarray, inner: np.ndarray) -> np.ndarray:
    """Which units pass both checks of the module docstring (a boolean mask). The second is
    proved through HALF (the unit eroded by MARGIN / 2): INNER lies within HALF with
    boundaries MARGIN apart, and no other unit meets HALF (a cheap test where a distance
    between polygons is not)."""
    half = shapely.buffer(polygons, -MARGIN / 2)
    ok = ~shapely.is_empty(inner) & shapely.within(inner, polygons) & shapely.within(inner, half)
    edge = shapely.boundary(inner[ok])
    ok[ok] = (shapely.distance(edge, shapely.boundary(polygons[ok])) >= 1.5 * MARGIN) & (
        shapely.distance(edge, shapely.boundary(half[ok])) >= MARGIN
    )
    tree = shapely.STRtree(polygons)
    own, other = tree.query(half)
    near = own != other
    own, other = own[near], other[near]
    shapely.prepare(half)
    ok[own[shapely.intersects(half[own], polygons[other])]] = False  # they share ground
    return ok


def _raster(bounds: np.ndarray, units: int) -> _Raster:
    """A raster over the bounds with about BUCKETS_PER_UNIT buckets a unit."""
    x0, y0 = float(bounds[:, 0].min()), float(bounds[:, 1].min())
    width = max(float(bounds[:, 2].max()) - x0, MARGIN)
    height = max(float(bounds[:, 3].max()) - y0, MARGIN)
    cells = min(MAX_BUCKETS, BUCKETS_PER_UNIT * units)
    side = np.sqrt(MAX_BUCKETS)  # neither side longer, however narrow the extent
    size = max(float(np.sqrt(width * height / cells)), width / side, height / side)
    return _Raster(x0, y0, size, int(width // size) + 1, int(height // size) + 1)


@dataclass(frozen=True)
class _Pairs:
    """(bucket, unit) for every bucket of each unit's bounds, unit by unit, row by row."""

    bucket: np.ndarray
    unit: np.ndarray
    first: np.ndarray  # per unit: its first pair
    i0: np.ndarray  # per unit: its bounds' first column and row, and width in buckets
    j0: np.ndarray
    wide: np.ndarray

    @classmethod
    def of(cls, bounds: np.ndarray, raster: _Raster) -> _Pairs:
        """The pairs of the units' bounds on the raster."""
        i0, i1 = raster.column(bounds[:, 0]), raster.column(bounds[:, 2])
        j0, j1 = raster.row(bounds[:, 1]), raster.row(bounds[:, 3])
        wide = i1 - i0 + 1
        counts = wide * (j1 - j0 + 1)
        first = np.cumsum(counts) - counts
        unit = np.repeat(np.arange(len(bounds)), counts)
        k = np.arange(int(counts.sum())) - first[unit]
        bucket = (j0[unit] + k // wide[unit]) * raster.nx + i0[unit] + k % wide[unit]
        return cls(bucket, unit, first, i0, j0, wide)

    def crossed(self, inner: np.ndarray, raster: _Raster) -> np.ndarray:
        """Which pairs' bucket an edge of the unit's INNER may cross (a boolean mask): each
        edge is cut into pieces shorter than half a bucket, and every bucket a piece's box
        (grown by a hair, for rounding) touches is marked."""
        parts, part_unit = shapely.get_parts(inner, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        coords, ring = shapely.get_coordinates(rings, return_index=True)
        same = ring[1:] == ring[:-1]
        start, end = coords[:-1][same], coords[1:][same]
        unit = part_unit[ring_part[ring[1:][same]]]
        length = np.hypot(*(end - start).T)
        pieces = np.maximum(np.ceil(length / (raster.size / 2)), 1).astype(np.int64)
        seg = np.repeat(np.arange(len(start)), pieces)
        step = np.arange(int(pieces.sum())) - np.repeat(np.cumsum(pieces) - pieces, pieces)
        t0, t1 = step / pieces[seg], (step + 1) / pieces[seg]
        a = start[seg] + (end[seg] - start[seg]) * t0[:, None]
        b = start[seg] + (end[seg] - start[seg]) * t1[:, None]
        hair = raster.size * 1e-6
        lo, hi = np.minimum(a, b) - hair, np.maximum(a, b) + hair
        unit = unit[seg]
        marked = np.zeros(len(self.bucket), dtype=bool)
        for i in (raster.column(lo[:, 0]), raster.column(hi[:, 0])):
            for j in (raster.row(lo[:, 1]), raster.row(hi[:, 1])):
                marked[self._pair(unit, i, j)] = True
        return marked

    def _pair(self, unit: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """The pair of each (unit, column, row), the bucket clipped into the unit's bounds
        (no point of its INNER lies in a bucket beyond them)."""
        i = np.clip(i - self.i0[unit], 0, self.wide[unit] - 1)
        rows = (np.diff(np.append(self.first, len(self.bucket))) // self.wide)[unit]
        j = np.clip(j - self.j0[unit], 0, rows - 1)
        return self.first[unit] + j * self.wide[unit] + i


def _solid(inner: np.ndarray, pairs: _Pairs, crossed: np.ndarray, raster: _Raster) -> np.ndarray:
    """The unit whose INNER holds each bucket whole, else -1. Along a unit's row, a run of
    buckets no edge crosses lies wholly inside or wholly outside: one centre decides it."""
    free = ~crossed
    prev_free = np.concatenate(([False], free[:-1]))
    same_row = np.concatenate(([False], pairs.bucket[1:] == pairs.bucket[:-1] + 1))
    same_unit = np.concatenate(([False], pairs.unit[1:] == pairs.unit[:-1]))
    begins = free & ~(prev_free & same_row & same_unit)
    run = np.cumsum(begins) - 1
    heads = np.flatnonzero(begins)
    bucket, unit = pairs.bucket[heads], pairs.unit[heads]
    cx = raster.x0 + (bucket % raster.nx + 0.5) * raster.size
    cy = raster.y0 + (bucket // raster.nx + 0.5) * raster.size
    inside = _contains(inner, unit, cx, cy)
    solid = np.full(raster.nx * raster.ny, UNDECIDED, dtype=np.int32)
    taken = np.flatnonzero(free)
    taken = taken[inside[run[taken]]]
    solid[pairs.bucket[taken]] = pairs.unit[taken]
    return solid


def _contains(inner: np.ndarray, unit: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each point (x, y) lies in the INNER of its unit, tested unit by unit: a
    prepared polygon tests many points at once several times faster than one at a time."""
    order = np.argsort(unit, kind="stable")
    bounds = np.searchsorted(unit[order], np.arange(len(inner) + 1))
    out = np.zeros(len(unit), dtype=bool)
    xs, ys = x[order], y[order]
    hits = np.zeros(len(unit), dtype=bool)
    for u in np.flatnonzero(np.diff(bounds)):
        a, b = bounds[u], bounds[u + 1]
        hits[a:b] = shapely.contains_xy(inner[u], xs[a:b], ys[a:b])
    out[order] = hits
    return out


def decide(index: UnitIndex, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The grid id each point (x, y in degrees) lies clearly inside, or UNDECIDED (-1)."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    out = np.full(len(x), UNDECIDED, dtype=np.int64)
    fx, fy = np.floor((x - index.x0) / index.size), np.floor((y - index.y0) / index.size)
    # NaN and points off the raster fail these comparisons: they stay undecided.
    on = (fx >= 0) & (fx < index.nx) & (fy >= 0) & (fy < index.ny)
    where = np.flatnonzero(on)
    bucket = fy[where].astype(np.int64) * index.nx + fx[where].astype(np.int64)
    solid = index.solid[bucket]
    inside = solid >= 0
    out[where[inside]] = index.ids[solid[inside]]
    where, bucket = where[~inside], bucket[~inside]
    first = index.starts[bucket]
    counts = index.starts[bucket + 1] - first
    point = np.repeat(where, counts)
    k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    unit = index.candidates[np.repeat(first, counts) + k]
    hit = _contains(index.inner, unit, x[point], y[point])
    point, unit = point[hit], unit[hit]
    once = np.bincount(point, minlength=len(x))[point] == 1  # never two: units share no ground
    out[point[once]] = index.ids[unit[once]]
    return out
