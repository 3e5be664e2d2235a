"""Snapping an edited outline to its neighbours, so an edit along a shared edge leaves no sliver.

Vertices are snapped in lon/lat, so a snapped vertex takes its neighbour's coordinates
exactly; what snapping cannot close (an edge drawn a little off a neighbour's edge between its
vertices) is settled by area: every piece narrower than the tolerance that overlaps a
neighbour is cut off, and every such piece left uncovered next to the unit is given to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from twin.hotspots.units import Projection

SNAP_M = 1.0  # the default tolerance, metres
METRES_PER_DEGREE = 111_320.0  # of latitude; of longitude at most this (at the equator)
DUST_M2 = 1e-4  # parts of an overlay smaller than this are rounding, not shape


def projection_for(geom: BaseGeometry) -> Projection:
    """A local metric projection centred on the geometry."""
    centre = geom.centroid if not geom.is_empty else shapely.Point(0, 0)
    return Projection(float(centre.x), float(centre.y))


def to_metres(geom: BaseGeometry, proj: Projection) -> BaseGeometry:
    """The geometry in the projection's metres."""
    return proj.geoms_to_metres(np.array([geom]))[0]


def area_m2(geom: BaseGeometry, proj: Projection | None = None) -> float:
    """The geometry's area in square metres."""
    if geom.is_empty:
        return 0.0
    return float(to_metres(geom, proj or projection_for(geom)).area)


def polygons(geom: BaseGeometry) -> list[Polygon]:
    """The polygonal parts of any geometry."""
    if isinstance(geom, Polygon):
        return [] if geom.is_empty else [geom]
    if hasattr(geom, "geoms"):
        return [p for part in geom.geoms for p in polygons(part)]
    return []


def as_multi(geom: BaseGeometry) -> MultiPolygon:
    """The polygonal parts of a geometry as one multipolygon."""
    return MultiPolygon(polygons(geom))


def is_thin(piece: BaseGeometry, tol_m: float, proj: Projection) -> bool:
    """Whether the piece is nowhere wider than the tolerance."""
    return bool(to_metres(piece, proj).buffer(-tol_m / 2).is_empty)


def thin_parts(geom: BaseGeometry, tol_m: float, proj: Projection) -> list[Polygon]:
    """The parts of a geometry nowhere wider than the tolerance."""
    return [p for p in polygons(geom) if is_thin(p, tol_m, proj)]


def clean(geom: BaseGeometry, proj: Projection) -> MultiPolygon:
    """Only the polygonal parts of the geometry that are bigger than rounding dust."""
    parts = [p for p in polygons(shapely.make_valid(geom)) if to_metres(p, proj).area > DUST_M2]
    return MultiPolygon(parts)


def snap_vertices(geom: BaseGeometry, edges: BaseGeometry, tol_m: float) -> BaseGeometry:
    """Vertices within tol_m of the edges moved onto them: onto their vertices where near."""
    # GEOS snaps vertices to vertices only; a vertex near the middle of an edge is moved onto
    # it here, by the nearest point of the edges.
    out = shapely.snap(geom, edges, tol_m / METRES_PER_DEGREE)
    coords = shapely.get_coordinates(out)
    if not len(coords):
        return out
    pts = shapely.points(coords)
    onto = shapely.line_interpolate_point(edges, shapely.line_locate_point(edges, pts))
    target = shapely.get_coordinates(onto)
    kx = METRES_PER_DEGREE * np.cos(np.radians(coords[:, 1]))
    dist = np.hypot(
        (target[:, 0] - coords[:, 0]) * kx, (target[:, 1] - coords[:, 1]) * METRES_PER_DEGREE
    )
    move = (dist <= tol_m) & (dist > 0)
    if not move.any():
        return out
    coords[move] = target[move]
    return shapely.set_coordinates(out, coords)


def snap_outline(
    geom: BaseGeometry,
    neighbours: Sequence[BaseGeometry],
    container: BaseGeometry | None = None,
    room: BaseGeometry | None = None,
    tol_m: float = SNAP_M,
) -> MultiPolygon:
    """The outline snapped to its neighbours' and container's edges within tol_m metres.

    Thin overlaps with neighbours and thin parts outside the container are cut off; thin
    pieces of `room` (space the unit may fill: its old outline, its parent) that neither it
    nor a neighbour covers are added where they touch it.
    """
    if tol_m <= 0:
        return as_multi(geom)
    proj = projection_for(geom)
    edges = [g.boundary for g in neighbours] + ([container.boundary] if container else [])
    out: BaseGeometry = geom
    if edges:
        out = snap_vertices(geom, shapely.union_all(edges), tol_m)
    out = shapely.make_valid(out)
    others = shapely.union_all(list(neighbours)) if neighbours else None
    cut = []
    if others is not None:
        cut += thin_parts(out.intersection(others), tol_m, proj)
    if container is not None:
        cut += thin_parts(out.difference(container), tol_m, proj)
    if cut:
        out = out.difference(shapely.union_all(cut))
    space = container if container is not None else room
    if space is not None:
        if room is not None and container is not None:
            space = shapely.union_all([container, room])
        free = space.difference(out)
        if others is not None:
            free = free.difference(others)
        near = tol_m / METRES_PER_DEGREE / 100
        fill = [p for p in thin_parts(free, tol_m, proj) if p.distance(out) <= near]
        if fill:
            out = shapely.union_all([out, *fill])
    return clean(out, proj)


def thin_remnants(geom: BaseGeometry, tol_m: float) -> tuple[MultiPolygon, list[Polygon]]:
    """A geometry without its thin parts, and those parts."""
    proj = projection_for(geom)
    thin = thin_parts(geom, tol_m, proj) if tol_m > 0 else []
    kept = [p for p in polygons(geom) if p not in thin]
    return MultiPolygon(kept), thin


def shared_edge_m(a: BaseGeometry, b: BaseGeometry, tol_m: float = SNAP_M) -> float:
    """The length in metres of a's boundary lying within tol_m of b."""
    proj = projection_for(a)
    near = to_metres(a, proj).boundary.intersection(to_metres(b, proj).buffer(max(tol_m, 0.01)))
    return float(near.length)


def are_neighbours(a: BaseGeometry, b: BaseGeometry, tol_m: float = SNAP_M) -> bool:
    """Whether two units share an edge (not just a corner) within the tolerance."""
    return shared_edge_m(a, b, tol_m) > 4 * max(tol_m, 0.01)


def extend_line(line: BaseGeometry, by_deg: float) -> BaseGeometry:
    """A line (or lines) with both ends pushed out by by_deg along their end segments."""
    if hasattr(line, "geoms"):
        return shapely.MultiLineString([extend_line(part, by_deg) for part in line.geoms])
    coords = np.asarray(line.coords, dtype=float)
    if len(coords) < 2:
        return line
    for end, prev in ((0, 1), (-1, -2)):
        direction = coords[end] - coords[prev]
        norm = float(np.hypot(*direction))
        if norm > 0:
            coords[end] = coords[end] + direction / norm * by_deg
    return shapely.LineString(coords)
