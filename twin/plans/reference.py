"""Boundaries that follow reference lines: a drawn stretch near a road's or river's centre line
is replaced by the line's own stretch, so a boundary drawn down a street lies on it.

Vertex snapping is not enough: a rectangle drawn 3 m off a bent street has few vertices, and
moving them onto the street still leaves its edges cutting the bends. So each ring is densified,
the runs of its points within the tolerance of a line are found, and each run long enough to
follow the line (not one that merely crosses it) is swapped for the line's substring between the
run's ends. Work is in lon/lat, so the boundary takes the line's vertices exactly; only the
distances are measured in metres.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import psycopg
import shapely
import shapely.ops
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from twin.catalog import Layer, load_catalog
from twin.plans import snap
from twin.plans.geometry import Metric
from twin.reference.check import reference_layers
from twin.reference.store import features_near
from twin.settings import Settings

BUILDING_LAYER = "building"  # the catalog's reference layer of building footprints
MIN_FOLLOW = 2.0  # a run follows a line when it runs along it this many tolerances or more


def snap_classes(layers: Mapping[str, Layer]) -> dict[str, tuple[str, ...]]:
    """The classes of each reference layer whose centre lines boundaries snap to (snap = true)."""
    out = {}
    for layer in reference_layers(layers).values():
        if "class" not in {f.name for f in layer.fields}:
            continue
        classes = tuple(v.value for v in layer.field("class").values if v.snap)
        if classes:
            out[layer.name] = classes
    return out


def reference_tolerance(value: float | None) -> float:
    """The reference snap tolerance in metres: as given, else TWIN_SNAP_REFERENCE_M."""
    return Settings.from_env().snap_reference_m if value is None else value


def follow_near(
    conn: psycopg.Connection,
    geom: BaseGeometry,
    tol_m: float,
    keep: BaseGeometry | None = None,
    keep_m: float = snap.SNAP_M,
) -> BaseGeometry:
    """The shape following the catalog's snapping lines within tol_m of it (see follow)."""
    if tol_m <= 0:
        return geom
    classes = snap_classes(load_catalog(Settings.from_env().layers_dir))
    return follow(geom, lines_near(conn, classes, geom, tol_m), tol_m, keep, keep_m)


def lines_near(
    conn: psycopg.Connection,
    classes: Mapping[str, Sequence[str]],
    geom: BaseGeometry,
    tol_m: float,
) -> list[LineString]:
    """The snapping lines within tol_m of a shape, noded and merged end to end."""
    if tol_m <= 0 or not classes:
        return []
    found = features_near(conn, sorted(classes), geom, tol_m)
    wanted = {c for cs in classes.values() for c in cs}
    lines = [
        part
        for f in found
        if f.cls in wanted
        for part in shapely.get_parts(f.geom)
        if part.geom_type == "LineString" and not part.is_empty
    ]
    if not lines:
        return []
    merged = shapely.line_merge(shapely.union_all(lines))
    return [p for p in shapely.get_parts(merged) if p.geom_type == "LineString"]


def follow(
    geom: BaseGeometry,
    lines: Sequence[LineString],
    tol_m: float,
    keep: BaseGeometry | None = None,
    keep_m: float = snap.SNAP_M,
) -> BaseGeometry:
    """The polygon (or line) with its stretches near the lines replaced by the lines' own.

    A stretch lying mostly within keep_m of `keep` (edges that stay: a neighbour's, the old
    outline's) is left where it is, so neighbour snapping keeps the last word there.
    """
    if not lines or tol_m <= 0 or geom.is_empty:
        return geom
    ctx = _Context(Metric.around([geom]), tol_m, keep, keep_m)
    if geom.geom_type in ("LineString", "MultiLineString"):
        parts = [
            LineString(ctx.along(np.asarray(p.coords), lines, closed=False))
            for p in shapely.get_parts(geom)
        ]
        return parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)
    out = []
    for poly in snap.polygons(geom):
        shell = ctx.along(np.asarray(poly.exterior.coords), lines, closed=True)
        holes = [ctx.along(np.asarray(r.coords), lines, closed=True) for r in poly.interiors]
        if len(shell) < 4:
            return geom
        out += snap.polygons(shapely.make_valid(Polygon(shell, [h for h in holes if len(h) > 3])))
    return MultiPolygon(out) if out else geom


class _Context:
    """What one follow() measures with: local metres and the edges that stay."""

    def __init__(
        self, metric: Metric, tol_m: float, keep: BaseGeometry | None, keep_m: float
    ) -> None:
        self.metric, self.tol_m, self.keep_m = metric, tol_m, keep_m
        self.keep = self.shape_m(keep) if keep is not None and not keep.is_empty else None

    def shape_m(self, geom: BaseGeometry) -> BaseGeometry:
        """A lon/lat shape in local metres."""
        return self.metric.to_metres(np.array([geom], dtype=object))[0]

    def xy_m(self, xy: np.ndarray) -> np.ndarray:
        """Lon/lat coordinates in local metres."""
        return np.asarray(shapely.get_coordinates(self.shape_m(shapely.multipoints(xy))))

    def along(self, coords: np.ndarray, lines: Sequence[LineString], closed: bool) -> np.ndarray:
        """A ring's (or line's) coordinates after following each line in turn."""
        xy = coords[:, :2]
        for line in lines:
            xy = self._follow_one(xy, line, closed)
        return xy

    def _follow_one(self, xy: np.ndarray, line: LineString, closed: bool) -> np.ndarray:
        ring = xy[:-1] if closed else xy
        dense, original = _densify(ring, closed, self.tol_m / 2, self.xy_m)
        pts = shapely.points(self.xy_m(dense))
        line_m = self.shape_m(line)
        near = shapely.distance(pts, line_m) <= self.tol_m
        if not near.any() or (closed and near.all()):
            return xy
        kept = (
            shapely.distance(pts, self.keep) <= self.keep_m
            if self.keep is not None
            else np.zeros(len(dense), bool)
        )
        start = int(np.flatnonzero(~near)[0]) if closed else 0
        order = np.roll(np.arange(len(dense)), -start)  # a closed ring starts off the line
        out: list[np.ndarray] = []
        i = 0
        while i < len(order):
            j = i
            while j < len(order) and near[order[j]]:
                j += 1
            if j == i:
                if original[order[i]]:
                    out.append(dense[order[i]][None, :])
                i += 1
                continue
            run = order[i:j]
            before = int(order[i - 1]) if i > 0 else None
            after = int(order[j]) if j < len(order) else (int(order[0]) if closed else None)
            ends = (before, after)
            out.append(self._replacement(dense, original, pts, kept, run, ends, line, line_m))
            i = j
        result = np.concatenate(out)
        result = result[np.r_[True, np.any(np.diff(result, axis=0) != 0, axis=1)]]
        if closed:
            result = np.vstack([result, result[:1]])
        return result

    def _replacement(
        self,
        dense: np.ndarray,
        original: np.ndarray,
        pts: np.ndarray,
        kept: np.ndarray,
        run: np.ndarray,
        ends: tuple[int | None, int | None],
        line: LineString,
        line_m: BaseGeometry,
    ) -> np.ndarray:
        """The line's stretch between a run's ends, or the run's own vertices when it does
        not follow the line (it crosses it, or it lies along an edge that stays)."""
        first, last = int(run[0]), int(run[-1])
        along = abs(line_m.project(pts[last]) - line_m.project(pts[first]))
        if along < MIN_FOLLOW * self.tol_m or kept[run].mean() > 0.5:
            return dense[run][original[run]]
        a = self._meet(dense, pts, ends[0], first, line)
        b = self._meet(dense, pts, ends[1], last, line)
        piece = shapely.ops.substring(line, a, b)
        return np.asarray(shapely.get_coordinates(piece))

    def _meet(
        self, dense: np.ndarray, pts: np.ndarray, outer: int | None, inner: int, line: LineString
    ) -> float:
        """Where along the line a run ends: where the boundary, carried on from outside the
        run, meets the line (so a corner drawn off a road lands where its edges cross it);
        else the foot of the run's end point."""
        here = shapely.Point(dense[inner])
        if outer is not None:
            step = float(shapely.distance(pts[outer], pts[inner]))
            if step > 0:
                reach = dense[inner] + (dense[inner] - dense[outer]) * (2 * self.tol_m / step)
                met = LineString([dense[inner], reach]).intersection(line)
                if not met.is_empty:
                    nearest = min(shapely.get_parts(met), key=here.distance)
                    return float(line.project(shapely.Point(shapely.get_coordinates(nearest)[0])))
        return float(line.project(here))


def _densify(
    xy: np.ndarray, closed: bool, step_m: float, to_m: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Points every step_m along the ring or line, and which of them are its own vertices."""
    ends = np.vstack([xy[1:], xy[:1]]) if closed else xy[1:]
    starts = xy if closed else xy[:-1]
    a, b = to_m(starts), to_m(ends)
    pieces = np.maximum(1, np.ceil(np.hypot(*(b - a).T) / step_m)).astype(int)
    seg = np.repeat(np.arange(len(starts)), pieces)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    t = (k / pieces[seg])[:, None]
    dense = starts[seg] + t * (ends[seg] - starts[seg])
    original = k == 0
    if not closed:
        dense, original = np.vstack([dense, xy[-1:]]), np.r_[original, True]
    return dense, original
