"""A reference layer's shapes checked against its catalog geometry (lines, polygons, points
or any of them), in range, valid, and converted to WGS 84; repaired only with --fix."""

from __future__ import annotations

import numpy as np
import shapely

from twin.catalog import Layer
from twin.ingest.convert import to_wgs84
from twin.ingest.validate import Options, Problem, allowed_bounds

# The shapely types each catalog geometry admits, and how an error names them.
TYPES: dict[str, tuple[str, ...]] = {
    "line": ("LineString", "MultiLineString"),
    "polygon": ("Polygon", "MultiPolygon"),
    "point": ("Point", "MultiPoint"),
}
TYPES["any"] = tuple(t for types in TYPES.values() for t in types)
HOLDS = {
    "line": "lines",
    "polygon": "polygons",
    "point": "points",
    "any": "lines, polygons or points",
}
TYPE_IDS = {
    "LineString": shapely.GeometryType.LINESTRING,
    "MultiLineString": shapely.GeometryType.MULTILINESTRING,
    "Polygon": shapely.GeometryType.POLYGON,
    "MultiPolygon": shapely.GeometryType.MULTIPOLYGON,
    "Point": shapely.GeometryType.POINT,
    "MultiPoint": shapely.GeometryType.MULTIPOINT,
}


def reference_geometry(
    layer: Layer,
    geoms: np.ndarray,
    broken: np.ndarray | None,
    features: np.ndarray,
    codes: list[str | None],
    opts: Options,
) -> tuple[np.ndarray, list[Problem], list[str], list[int]]:
    """The shapes in WGS 84 (None where a problem was found), the problems, the repairs made
    and (always none) the features dropped: validate._geometry's contract for a reference
    layer."""
    geometry = layer.geometry or "any"
    allowed = TYPES[geometry]
    out = np.array(geoms, dtype=object)
    broken = broken if broken is not None else np.full(len(out), None)
    problems: list[Problem] = []
    repairs: list[str] = []

    def problem(i: int, reason: str) -> None:
        problems.append(Problem(int(features[i]), codes[i], "geometry", reason))
        out[i] = None

    bounds = allowed_bounds(opts.crs)
    for i in _to_check(out, broken, allowed, bounds):
        g = out[i]
        if broken[i] is not None:
            if not opts.fix:
                problem(i, "malformed geometry, e.g. a ring that does not close (--fix closes it)")
                continue
            g = shapely.from_wkb(broken[i], on_invalid="fix")
            repairs.append(f"feature {features[i]}: closed an unclosed ring")
        if g is None or shapely.is_empty(g):
            problem(i, "empty geometry")
            continue
        if g.geom_type not in allowed:
            problem(
                i, f"wrong geometry type {g.geom_type}: layer {layer.name} holds {HOLDS[geometry]}"
            )
            continue
        x0, y0, x1, y1 = bounds
        bx0, by0, bx1, by1 = g.bounds
        if not (x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1):
            problem(
                i,
                f"coordinates out of range for {opts.crs.to_string()}: "
                f"({bx0:.6g}, {by0:.6g}) – ({bx1:.6g}, {by1:.6g})",
            )
            continue
        out[i] = g
    out = to_wgs84(out, opts.crs, opts.gcj02, polygonal=False)
    # Validity after the conversion: a ring that nearly touches itself can fold on the way.
    for i in map(int, np.flatnonzero(~shapely.is_missing(out) & ~shapely.is_valid(out))):
        reason = shapely.is_valid_reason(out[i])
        if not opts.fix:
            problem(i, f"invalid geometry: {reason} (--fix repairs it)")
            continue
        fixed = _kept(shapely.make_valid(out[i]), allowed)
        if fixed is None:
            problem(i, f"invalid geometry: {reason}; nothing of the layer's kind is left")
            continue
        out[i] = fixed
        repairs.append(f"feature {features[i]}: made valid ({reason})")
    return out, problems, repairs, []


def _to_check(
    geoms: np.ndarray, broken: np.ndarray, allowed: tuple[str, ...], bounds: tuple[float, ...]
) -> np.ndarray:
    """The positions not plainly fine (present, of an allowed type, inside the bounds),
    found in one vectorised pass; validity is checked after the conversion."""
    x0, y0, x1, y1 = bounds
    fine = ~shapely.is_missing(geoms) & np.array([b is None for b in broken], dtype=bool)
    fine &= np.isin(shapely.get_type_id(geoms), [TYPE_IDS[t] for t in allowed])
    fine &= ~shapely.is_empty(geoms)
    box = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        fine &= np.isfinite(box).all(axis=1)
        fine &= (x0 <= box[:, 0]) & (box[:, 2] <= x1) & (y0 <= box[:, 1]) & (box[:, 3] <= y1)
    return np.flatnonzero(~fine)


def _kept(g: shapely.Geometry, allowed: tuple[str, ...]) -> shapely.Geometry | None:
    """The parts of a repaired shape of the allowed types, as one shape (None if none):
    make_valid can return a collection, which the table refuses."""
    parts = [p for p in shapely.get_parts(g) if p.geom_type in allowed and not p.is_empty]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    kinds = {p.geom_type.removeprefix("Multi") for p in parts}
    if len(kinds) > 1:  # lines and polygons mixed: keep the polygons (the area it covers)
        parts = [p for p in parts if "Polygon" in p.geom_type]
    flat = [q for p in parts for q in shapely.get_parts(p)]
    kind = flat[0].geom_type
    build = {
        "Polygon": shapely.multipolygons,
        "LineString": shapely.multilinestrings,
        "Point": shapely.multipoints,
    }
    return build[kind](flat)
