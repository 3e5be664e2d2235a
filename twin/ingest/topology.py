"""Tolerance for noisy public boundaries: parts merged by code, vertices snapped to
neighbours, and small overlaps, gaps and overhangs given to one unit by a fixed rule.

Rules (each repair is listed in the load report; nothing is changed silently):
- --merge-parts: features sharing a code are dissolved into the first of them, when their
  attributes agree (otherwise that is a problem).
- --snap METRES: in code order, each unit of the file moves its vertices onto the vertices
  of units already settled (those stored and not in the file, then the file's lower codes)
  lying within METRES, and gains those vertices on its edges; then each gains on its edges
  the vertices of the file's higher codes lying within METRES of them, so neighbours share
  their border vertex for vertex. METRES is measured north-south; east-west the reach is
  METRES·cos(latitude), never further. Stored units are not changed, so a file unit's
  vertex near a stored unit's edge (not its vertex) stays where it is.
- --fix with --fix-below M2: an overlap no larger than M2 between two units goes to the one
  sharing the longer border with it and is cut from the other; a gap no larger than M2
  (inside the parent, or between units of a level without parents) goes to the file's unit
  sharing the longest border with it; equal borders (within BORDER_TIE) go to the lower
  code; a part outside the parent no larger than M2 is cut off. Stored units the file does
  not replace are never changed: a piece they share goes to them. Pieces of TOLERANCE_M2 or less are
  float noise the checks accept and are left alone; larger pieces are refused by the checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import psycopg
import shapely
from psycopg import sql

from twin.db.queries import query
from twin.ingest.bulk import STAGE
from twin.ingest.validate import Problem

FIX_BELOW_M2 = 100.0  # --fix-below default: above rounding noise, below a building plot
TOLERANCE_M2 = 1.0  # as the grid checks: smaller pieces are float noise
M_PER_DEG = 111_320.0
TOUCH_DEG = 1e-9  # about 0.1 mm: a piece within this of a unit borders it
BORDER_TIE = 1e-12  # degrees, about 0.1 µm: borders closer than this are equal


def planar_m2(g: shapely.Geometry) -> float:
    """Area in m² of a small lon/lat geometry (as the SQL function twin_planar_m2)."""
    if g is None or g.is_empty:
        return 0.0
    lat = shapely.get_y(shapely.point_on_surface(g))
    return float(shapely.area(g) * M_PER_DEG * M_PER_DEG * np.cos(np.radians(lat)))


def _polygonal(g: shapely.Geometry) -> shapely.Geometry:
    polys = [
        q
        for p in shapely.get_parts(g)
        if p.geom_type in ("Polygon", "MultiPolygon")
        for q in shapely.get_parts(p)
    ]
    return shapely.multipolygons(polys) if polys else shapely.from_wkt("MULTIPOLYGON EMPTY")


def _near(g: shapely.Geometry) -> str:
    p = shapely.point_on_surface(g)
    return f"near ({p.x:.6f}, {p.y:.6f})"


def _border(piece: shapely.Geometry, unit: shapely.Geometry) -> float:
    """Length of the piece's boundary that runs along the unit (in degrees, for ranking)."""
    return float(shapely.length(shapely.intersection(piece.boundary, unit.buffer(TOUCH_DEG))))


@dataclass
class Coverage:
    """One level near the file: the file's units (changeable) and stored ones (fixed)."""

    features: list[int]
    codes: list[str]
    parents: list[str | None]
    geoms: list[shapely.Geometry]
    fixed_codes: list[str]
    fixed_geoms: list[shapely.Geometry]

    def where(self, i: int) -> str:
        """How a repair names the file's unit i."""
        return f"feature {self.features[i]} (code {self.codes[i]})"


def snap(cov: Coverage, metres: float) -> list[str]:
    """Snap the file's units to each other and to the stored units near them (see the
    module): one repair line per unit that changed."""
    tolerance = metres / M_PER_DEG
    fixed = len(cov.fixed_geoms)
    current = [*cov.fixed_geoms, *cov.geoms]
    # Snapping moves a vertex by at most the tolerance: twice it finds every neighbour.
    tree = shapely.STRtree(current)
    order = sorted(range(len(cov.codes)), key=lambda k: cov.codes[k])
    rank = {fixed + i: r for r, i in enumerate(order)}
    moved = [0] * len(cov.codes)

    def pass_over(takes_from: Callable[[int, int], bool]) -> None:
        for i in order:
            found = tree.query(cov.geoms[i], predicate="dwithin", distance=2 * tolerance)
            near = [current[k] for k in found if k != fixed + i and takes_from(k, fixed + i)]
            snapped, n = _snap_to(cov.geoms[i], near, tolerance)
            if n:
                cov.geoms[i] = current[fixed + i] = snapped
                moved[i] += n

    # First each unit moves onto the vertices of those settled before it (stored ones,
    # then lower codes); then each gains on its edges the vertices of higher codes lying
    # near them, so both sides of a shared border carry the same vertices.
    pass_over(lambda k, me: k < fixed or rank[k] < rank[me])
    pass_over(lambda k, me: k >= fixed and rank[k] > rank[me])
    return [
        f"{cov.where(i)}: snapped to neighbours within {metres:g} m "
        f"({moved[i]} vertices moved or added)"
        for i in order
        if moved[i]
    ]


def _snap_to(
    g: shapely.Geometry, near: list[shapely.Geometry], tolerance: float
) -> tuple[shapely.Geometry, int]:
    """g snapped to the vertices of near, and how many of its vertices are new; (g, 0)
    when nothing is within reach or the result would not be a valid polygon."""
    if not near:
        return g, 0
    vertices = np.unique(np.concatenate([shapely.get_coordinates(s) for s in near]), axis=0)
    snapped = _polygonal(shapely.snap(g, shapely.multipoints(vertices), tolerance))
    if shapely.equals_exact(snapped, g, 0.0) or snapped.is_empty or not shapely.is_valid(snapped):
        return g, 0
    before = {tuple(c) for c in shapely.get_coordinates(g)}
    return snapped, len({tuple(c) for c in shapely.get_coordinates(snapped)} - before)


def resolve_overlaps(cov: Coverage, below_m2: float) -> list[str]:
    """Give each overlap of at most below_m2 to one of its two units (see the module)."""
    repairs = []
    units = [(c, True, k) for k, c in enumerate(cov.codes)]
    units += [(c, False, k) for k, c in enumerate(cov.fixed_codes)]

    def geom(u: tuple[str, bool, int]) -> shapely.Geometry:
        return cov.geoms[u[2]] if u[1] else cov.fixed_geoms[u[2]]

    geoms = np.array([geom(u) for u in units], dtype=object)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="overlaps")
    keep = (left < right) & (left < len(cov.codes))  # each pair once, one of them the file's
    left, right = left[keep], right[keep]
    # Only pairs whose overlap is in range now are candidates (vectorised: most are not).
    areas = np.array([planar_m2(g) for g in shapely.intersection(geoms[left], geoms[right])])
    candidates = (areas > TOLERANCE_M2) & (areas <= below_m2)
    pairs = sorted(
        zip(left[candidates].tolist(), right[candidates].tolist(), strict=True),
        key=lambda ab: (units[ab[0]][0], units[ab[1]][0]),
    )
    for a, b in pairs:
        ua, ub = units[a], units[b]
        piece = _polygonal(shapely.intersection(geom(ua), geom(ub)))
        area = planar_m2(piece)
        if area <= TOLERANCE_M2 or area > below_m2:
            continue
        if not ua[1] or not ub[1]:
            keeper, loser = (ua, ub) if not ua[1] else (ub, ua)
            why = "stored and not in the file"
        else:
            ba = _border(piece, shapely.difference(geom(ua), piece))
            bb = _border(piece, shapely.difference(geom(ub), piece))
            if abs(ba - bb) <= BORDER_TIE:
                keeper, loser = (ua, ub) if ua[0] < ub[0] else (ub, ua)
                why = "equal borders, lower code"
            else:
                keeper, loser = (ua, ub) if ba > bb else (ub, ua)
                why = "longer shared border"
        cov.geoms[loser[2]] = _polygonal(shapely.difference(geom(loser), piece))
        repairs.append(
            f"{cov.where(loser[2])}: overlap of {area:.1f} m² with {keeper[0]} {_near(piece)} "
            f"given to {keeper[0]} ({why})"
        )
    return repairs


def trim_overhangs(
    cov: Coverage, parents: dict[str, shapely.Geometry], below_m2: float
) -> list[str]:
    """Cut off parts of units outside their parent when no larger than below_m2 in all."""
    repairs = []
    inside = [i for i, p in enumerate(cov.parents) if p in parents]
    outside_all = shapely.difference(
        np.array([cov.geoms[i] for i in inside], dtype=object),
        np.array([parents[cov.parents[i] or ""] for i in inside], dtype=object),
    )
    for i, outside in zip(inside, outside_all, strict=True):
        parent = cov.parents[i] or ""
        if outside.is_empty:
            continue
        outside = _polygonal(outside)
        area = planar_m2(outside)
        if TOLERANCE_M2 < area <= below_m2:
            cov.geoms[i] = _polygonal(shapely.intersection(cov.geoms[i], parents[parent]))
            repairs.append(
                f"{cov.where(i)}: cut off {area:.1f} m² outside its parent {parent} "
                f"{_near(outside)}"
            )
    return repairs


def fill_gaps(cov: Coverage, parents: dict[str, shapely.Geometry], below_m2: float) -> list[str]:
    """Give each gap of at most below_m2 to the file's unit sharing the longest border."""
    everything = shapely.union_all([*cov.geoms, *cov.fixed_geoms])
    gaps: list[tuple[str | None, shapely.Geometry]]
    if parents:
        gaps = [
            (code, part)
            for code, p in sorted(parents.items())
            for part in shapely.get_parts(_polygonal(shapely.difference(p, everything)))
        ]
    else:  # no level above: the holes between units are the gaps
        holes = [
            shapely.Polygon(ring)
            for poly in shapely.get_parts(_polygonal(everything))
            for ring in poly.interiors
        ]
        gaps = [(None, h) for h in holes]
    repairs = []
    for parent, gap in gaps:
        area = planar_m2(gap)
        if area <= TOLERANCE_M2 or area > below_m2:
            continue
        borders = [
            (_border(gap, g), c, i)
            for i, (c, g) in enumerate(zip(cov.codes, cov.geoms, strict=True))
            if parent is None or cov.parents[i] == parent
        ]
        touching = [b for b in borders if b[0] > 0]
        if parent is None and len(touching) + _fixed_touching(cov, gap) < 2:
            continue  # one unit's own hole, not a gap between neighbours
        if not touching:
            continue
        best = max(b[0] for b in touching)
        tied = [(c, k) for b, c, k in touching if b >= best - BORDER_TIE]
        i = min(tied)[1]
        cov.geoms[i] = _polygonal(shapely.union(cov.geoms[i], gap))
        why = "equal borders, lowest code" if len(tied) > 1 else "longest shared border"
        repairs.append(f"{cov.where(i)}: gap of {area:.1f} m² {_near(gap)} filled ({why})")
    return repairs


def _fixed_touching(cov: Coverage, gap: shapely.Geometry) -> int:
    return sum(1 for g in cov.fixed_geoms if _border(gap, g) > 0)


def merge_parts(conn: psycopg.Connection) -> tuple[list[Problem], list[str]]:
    """Dissolve staged features that share a code into the first of them; a problem for
    each code whose features disagree on any attribute."""
    problems, repairs = [], []
    for code, features, variants in conn.execute(query("stage_shared_codes")):
        listed = ", ".join(map(str, features))
        if variants > 1:
            problems.append(
                Problem(
                    features[0],
                    code,
                    "code",
                    f"features {listed} share the code but not their attributes, so "
                    "--merge-parts cannot tell which to keep",
                )
            )
        else:
            repairs.append(f"code {code}: dissolved features {listed} into one MultiPolygon")
    if not problems and repairs:
        conn.execute(query("stage_merge_parts"))
    return problems, repairs


def repair_stage(
    conn: psycopg.Connection,
    level: str,
    parent_level: str | None,
    snap_m: float | None,
    fix_below_m2: float | None,
) -> list[str]:
    """Apply --snap and --fix's topology repairs to the staged level (parent_level: the
    catalog's level above, None at the top); the repairs made."""
    if snap_m is None and fix_below_m2 is None:
        return []
    cov, parents = _read_coverage(conn, level, parent_level)
    original = list(cov.geoms)
    repairs = snap(cov, snap_m) if snap_m else []
    if fix_below_m2 is not None:
        repairs += resolve_overlaps(cov, fix_below_m2)
        repairs += trim_overhangs(cov, parents, fix_below_m2)
        repairs += fill_gaps(cov, parents, fix_below_m2)
    changed = [
        (shapely.to_wkb(g, hex=True), f)
        for g, old, f in zip(cov.geoms, original, cov.features, strict=True)
        if g is not old
    ]
    with conn.cursor() as cur:
        cur.executemany(sql.SQL("UPDATE {} SET wkb = %s WHERE feature = %s").format(STAGE), changed)
    return repairs


def _read_coverage(
    conn: psycopg.Connection, level: str, parent_level: str | None
) -> tuple[Coverage, dict[str, shapely.Geometry]]:
    staged = conn.execute(
        sql.SQL("SELECT feature, code, parent_code, wkb FROM {} ORDER BY feature").format(STAGE)
    ).fetchall()
    stored = conn.execute(query("grid_level_near_stage"), {"level": level}).fetchall()
    parents = (
        conn.execute(query("grid_parents_of_stage"), {"parent_level": parent_level}).fetchall()
        if parent_level
        else []
    )
    cov = Coverage(
        [r[0] for r in staged],
        [r[1] for r in staged],
        [r[2] for r in staged],
        [shapely.from_wkb(r[3]) for r in staged],
        [r[0] for r in stored],
        [shapely.from_wkb(bytes(r[1])) for r in stored],
    )
    return cov, {code: shapely.from_wkb(bytes(wkb)) for code, wkb in parents}
