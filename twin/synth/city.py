"""The synthetic city's grid hierarchy: an irregular outline tessellated level by level."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from twin.synth import names

# Real-looking placement: a lowland river city in central China (lon/lat, WGS 84/CGCS2000).
CENTER_LON, CENTER_LAT = 114.31, 30.57
M_PER_DEG_LAT = 111_320.0
MEAN_GRID_AREA_M2 = 250_000.0  # a grid of 300-500 households in a mixed urban area


@dataclass(frozen=True)
class Size:
    """How big a demo city is."""

    name: str
    districts: int
    streets_per_district: int
    communities_per_street: int
    grids: int
    cameras: int
    sensors: int
    incidents: int


SIZES = {
    "small": Size("small", 3, 4, 3, 200, 2_000, 2_000, 20_000),
    "city": Size("city", 8, 12, 5, 5_000, 50_000, 50_000, 1_000_000),
    "metro": Size("metro", 16, 20, 10, 50_000, 500_000, 500_000, 10_000_000),
}


@dataclass(frozen=True)
class Area:
    """One polygon of the hierarchy, in local metres until converted to lon/lat."""

    code: str
    name: str
    level: str
    parent_code: str | None
    geom: BaseGeometry
    officer: str | None = None
    households: int | None = None
    population: int | None = None


def to_lonlat(geom: BaseGeometry) -> BaseGeometry:
    """Local metres (east, north of the centre) to lon/lat degrees."""
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(CENTER_LAT))
    return shapely.transform(
        geom, lambda xy: xy / [m_per_deg_lon, M_PER_DEG_LAT] + [CENTER_LON, CENTER_LAT]
    )


def xy_to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arrays of local metres to arrays of lon, lat."""
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(CENTER_LAT))
    return x / m_per_deg_lon + CENTER_LON, y / M_PER_DEG_LAT + CENTER_LAT


def city_outline(rng: np.random.Generator, area_m2: float) -> Polygon:
    """An irregular city boundary of about the given area."""
    radius = math.sqrt(area_m2 / math.pi)
    theta = np.linspace(0, 2 * math.pi, 240, endpoint=False)
    r = np.ones_like(theta)
    for k in range(2, 9):
        r += rng.uniform(0.01, 0.12 / k * 2) * np.sin(k * theta + rng.uniform(0, 2 * math.pi))
    outline = Polygon(np.column_stack([radius * r * np.cos(theta), radius * r * np.sin(theta)]))
    scale = math.sqrt(area_m2 / outline.area)
    return shapely.affinity.scale(outline, scale, scale, origin=(0, 0))


def sample_in(
    rng: np.random.Generator, geom: BaseGeometry, n: int, core_weight: float = 0.0
) -> np.ndarray:
    """n random points inside geom; core_weight > 0 makes them denser near the city centre."""
    minx, miny, maxx, maxy = geom.bounds
    shapely.prepare(geom)
    out: list[np.ndarray] = []
    got = 0
    while got < n:
        k = max(16, 2 * (n - got))
        pts = np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])
        keep = shapely.contains_xy(geom, pts[:, 0], pts[:, 1])
        if core_weight > 0:
            d = np.hypot(pts[:, 0], pts[:, 1])
            scale = math.sqrt(max(abs(minx), abs(maxx), abs(miny), abs(maxy)) ** 2 * 2) or 1.0
            keep &= rng.uniform(size=k) < np.exp(-core_weight * d / scale)
        pts = pts[keep]
        out.append(pts)
        got += len(pts)
    return np.concatenate(out)[:n]


def tessellate(
    rng: np.random.Generator, parent: BaseGeometry, n: int, core_weight: float
) -> list[BaseGeometry]:
    """Cut parent into n irregular cells that tile it with no gap or overlap."""
    if n <= 1:
        return [parent]
    seeds = sample_in(rng, parent, n, core_weight)
    # One Lloyd step evens out cell sizes while keeping the shapes irregular.
    cells = _voronoi(seeds, parent)
    seeds = np.array([[c.centroid.x, c.centroid.y] for c in cells if not c.is_empty])
    cells = _voronoi(seeds, parent)
    return [c for c in cells if not c.is_empty and c.area > 0]


def _voronoi(seeds: np.ndarray, parent: BaseGeometry) -> list[BaseGeometry]:
    diagram = shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=parent)
    # Cells share their edges exactly; clipping each by the same parent keeps that true.
    return [_polygonal(shapely.intersection(cell, parent)) for cell in shapely.get_parts(diagram)]


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Drop points and lines an intersection can leave beside the polygons."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"]
    return MultiPolygon(parts) if parts else Polygon()


def _split(total: int, parts: int, rng: np.random.Generator) -> list[int]:
    """Split total into parts positive integers, unevenly (no part below 1)."""
    weights = rng.gamma(4.0, size=parts)
    raw = np.maximum(1, np.round(weights / weights.sum() * total)).astype(int)
    raw[np.argmax(raw)] += total - raw.sum()
    return [max(1, int(v)) for v in raw]


def build_hierarchy(size: Size, rng: np.random.Generator, levels: tuple[str, ...]) -> list[Area]:
    """Districts > streets > communities > grids (the catalog's four levels, largest first)
    in local metres, parents before children."""
    if len(levels) != 4:
        raise ValueError(f"the demo city has four levels; the catalog has {len(levels)}")
    top, second, third, finest = levels
    outline = city_outline(rng, size.grids * MEAN_GRID_AREA_M2)
    areas: list[Area] = []
    used: set[str] = set()
    districts = tessellate(rng, outline, size.districts, core_weight=0.0)
    n_communities = size.districts * size.streets_per_district * size.communities_per_street
    per_community = _split(size.grids, n_communities, rng)
    ci = 0
    for d, dgeom in enumerate(districts):
        dcode = f"4201{d + 2:02d}"
        areas.append(Area(dcode, names.DISTRICTS[d % len(names.DISTRICTS)], top, None, dgeom))
        for s, sgeom in enumerate(tessellate(rng, dgeom, size.streets_per_district, 0.8)):
            scode = f"{dcode}{s + 1:03d}"
            areas.append(Area(scode, names.street_name(rng, used), second, dcode, sgeom))
            for c, cgeom in enumerate(tessellate(rng, sgeom, size.communities_per_street, 0.8)):
                ccode = f"{scode}{c + 1:03d}"
                cname = names.community_name(rng, used)
                areas.append(Area(ccode, cname, third, scode, cgeom))
                want = per_community[ci % len(per_community)]
                ci += 1
                for g, ggeom in enumerate(tessellate(rng, cgeom, want, 0.8)):
                    households = int(np.clip(rng.lognormal(math.log(400), 0.25), 150, 900))
                    areas.append(
                        Area(
                            code=f"{ccode}{g + 1:03d}",
                            name=f"{cname}第{g + 1}网格",
                            level=finest,
                            parent_code=ccode,
                            geom=ggeom,
                            officer=names.person_name(rng),
                            households=households,
                            population=int(households * rng.uniform(2.4, 3.1)),
                        )
                    )
    return _with_totals(roughen(areas, rng, levels), finest)


def bend(line: np.ndarray, rng: np.random.Generator, step_m: float = 40.0) -> np.ndarray:
    """A straight-ish edge redrawn as a street would run: densified, smoothly bent sideways,
    the bend tapering to nothing at both ends so junctions stay where they are."""
    length = float(np.hypot(*np.diff(line, axis=0).T).sum())
    if length < 2 * step_m:
        return line
    chain = shapely.segmentize(shapely.linestrings(line), step_m)
    xy = shapely.get_coordinates(chain)
    seg = np.diff(xy, axis=0)
    t = np.concatenate([[0.0], np.cumsum(np.hypot(*seg.T))]) / length
    tangent = np.gradient(xy, axis=0)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    normal /= np.maximum(np.hypot(*normal.T), 1e-12)[:, None]
    amplitude = min(0.04 * length, 25.0)
    wave = sum(
        rng.uniform(0.3, 1.0) * np.sin(np.pi * k * t + rng.uniform(0, 2 * np.pi)) for k in (1, 2, 3)
    )
    offset = amplitude * np.sin(np.pi * t) * wave / 2.0
    bent = xy + normal * offset[:, None]
    bent[[0, -1]] = xy[[0, -1]]  # sin(pi) is not exactly 0: junctions must meet exactly
    return np.asarray(bent)


def roughen(areas: list[Area], rng: np.random.Generator, levels: tuple[str, ...]) -> list[Area]:
    """Give grids street-like boundaries while keeping the tiling and nesting exact.

    Every grid edge is noded and bent once, so the two grids that share it share the same
    bent line; faces are rebuilt by polygonizing, and every higher level becomes the union of
    its grids. Any face that cannot be matched to its grid one-to-one keeps the straight
    edges (the check below), so the result always tiles.
    """
    grids = [a for a in areas if a.level == levels[-1]]
    linework = shapely.line_merge(shapely.union_all([shapely.boundary(g.geom) for g in grids]))
    edges = [bend(shapely.get_coordinates(e), rng) for e in shapely.get_parts(linework)]
    faces = shapely.get_parts(shapely.polygonize([shapely.linestrings(e) for e in edges]))
    tree = shapely.STRtree([g.geom for g in grids])
    owner = tree.query(shapely.point_on_surface(faces), predicate="within")
    matched = dict(zip(owner[1], owner[0], strict=True))
    if len(faces) != len(grids) or sorted(matched) != list(range(len(grids))):
        return areas
    new_geom = {g.code: faces[matched[i]] for i, g in enumerate(grids)}
    children: dict[str, list[BaseGeometry]] = {}
    for level, above in zip(levels[:0:-1], levels[-2::-1], strict=True):  # finest first
        for a in areas:
            if a.level == level and a.parent_code:
                children.setdefault(a.parent_code, []).append(new_geom[a.code])
        for a in areas:
            if a.level == above:
                new_geom[a.code] = shapely.union_all(children[a.code])
    return [
        Area(
            a.code,
            a.name,
            a.level,
            a.parent_code,
            new_geom[a.code],
            a.officer,
            a.households,
            a.population,
        )
        for a in areas
    ]


def _with_totals(areas: list[Area], finest: str) -> list[Area]:
    """Give each higher level the households and population of the grids under it."""
    households: dict[str, int] = {}
    population: dict[str, int] = {}
    parent = {a.code: a.parent_code for a in areas}
    for a in areas:
        if a.level != finest:
            continue
        up = a.parent_code
        while up:
            households[up] = households.get(up, 0) + (a.households or 0)
            population[up] = population.get(up, 0) + (a.population or 0)
            up = parent[up]
    return [
        a
        if a.level == finest
        else Area(
            a.code,
            a.name,
            a.level,
            a.parent_code,
            a.geom,
            None,
            households.get(a.code, 0),
            population.get(a.code, 0),
        )
        for a in areas
    ]
