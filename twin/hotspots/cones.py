"""Camera view cones in metres: which cameras see a point, and how much of a polygon they see.

A camera at (x, y) looking along `heading` (degrees clockwise from north, as a compass reads)
sees the sector of radius `range_m` and opening `fov_deg` centred on its heading, edges and arc
included. Without a heading, or with fov_deg >= 360 or unknown, it sees the whole disc of
`range_m`. Without a range it sees nothing (an unknown range is not guessed). Nothing clips a
cone yet (no buildings). Point tests are exact; areas use cones whose arc is drawn with chords
of at most 2 ° (SECTOR_CHORDS over the opening, CIRCLE_CHORDS round a disc), inscribed, so an
area is at most 0.02 % short of the true sector's and never more than the camera sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

SECTOR_CHORDS = 180
CIRCLE_CHORDS = 360


@dataclass(frozen=True)
class Cameras:
    """Cameras as arrays in a metric frame; heading NaN = none, range NaN = unknown."""

    code: np.ndarray
    x: np.ndarray
    y: np.ndarray
    heading_deg: np.ndarray
    fov_deg: np.ndarray
    range_m: np.ndarray

    @staticmethod
    def of(
        code: list[str],
        x: list[float] | np.ndarray,
        y: list[float] | np.ndarray,
        heading_deg: list[float | None] | np.ndarray,
        fov_deg: list[float | None] | np.ndarray,
        range_m: list[float | None] | np.ndarray,
    ) -> Cameras:
        """Cameras from lists (None for a missing heading, fov or range)."""

        def num(v: list[float | None] | list[float] | np.ndarray) -> np.ndarray:
            return np.array([np.nan if a is None else a for a in v], dtype=float)

        return Cameras(
            np.asarray(code, dtype=object), num(x), num(y), num(heading_deg), num(fov_deg),
            num(range_m),
        )  # fmt: skip

    def circles(self) -> np.ndarray:
        """Which cameras see a full circle (no heading, or fov of 360 ° or unknown)."""
        return np.isnan(self.heading_deg) | ~(self.fov_deg < 360)


def covering(cams: Cameras, x: float, y: float) -> np.ndarray:
    """Mask of the cameras whose cone covers the point (x, y), edges included."""
    dx, dy = x - cams.x, y - cams.y
    distance = np.hypot(dx, dy)
    with np.errstate(invalid="ignore"):
        near = distance <= cams.range_m  # NaN range: False
    bearing = np.degrees(np.arctan2(dx, dy)) % 360
    off_axis = np.abs((bearing - cams.heading_deg + 180) % 360 - 180)
    # A hair of slack: a point put on the edge by trigonometry must not fall off it by 1 ulp.
    within = (off_axis <= cams.fov_deg / 2 + 1e-9) | (distance == 0)
    return near & (cams.circles() | within)


def cone_polygons(cams: Cameras) -> np.ndarray:
    """Each camera's cone as a polygon (None where the range is unknown)."""
    n = len(cams.x)
    out = np.full(n, None, dtype=object)
    known = ~np.isnan(cams.range_m)
    circle = cams.circles() & known
    sector = ~cams.circles() & known
    if circle.any():
        angle = np.linspace(0, 2 * np.pi, CIRCLE_CHORDS + 1)[None, :]
        out[circle] = _rings(cams, circle, angle, apex=False)
    if sector.any():
        t = np.linspace(0, 1, SECTOR_CHORDS + 1)
        half = np.radians(cams.fov_deg[sector] / 2)[:, None]
        angle = np.radians(cams.heading_deg[sector])[:, None] - half + t[None, :] * 2 * half
        out[sector] = _rings(cams, sector, angle, apex=True)
    return out


def _rings(cams: Cameras, mask: np.ndarray, bearing: np.ndarray, apex: bool) -> np.ndarray:
    """Polygons of arcs at the given bearings (radians from north), with the apex if asked."""
    r = cams.range_m[mask][:, None]
    x = cams.x[mask][:, None] + r * np.sin(bearing)
    y = cams.y[mask][:, None] + r * np.cos(bearing)
    if apex:
        x = np.hstack([cams.x[mask][:, None], x])
        y = np.hstack([cams.y[mask][:, None], y])
    return shapely.polygons(np.stack([x, y], axis=-1))


@dataclass(frozen=True)
class Cover:
    """Per unit: the covered share of its area, its largest uncovered part and that part's area."""

    covered_share: np.ndarray
    blind_spot_m2: np.ndarray
    blind_spot: np.ndarray  # polygons in the same frame (None where fully covered)


def cover(units: np.ndarray, cones: np.ndarray) -> Cover:
    """How much of each unit polygon the cones cover, and its largest blind spot."""
    units = np.asarray(units, dtype=object)
    cones = np.asarray([c for c in cones if c is not None], dtype=object)
    n = len(units)
    share, blind_m2 = np.zeros(n), np.zeros(n)
    blind = np.full(n, None, dtype=object)
    pairs = np.empty((2, 0), dtype=np.int64)
    if len(cones):
        pairs = shapely.STRtree(cones).query(units, predicate="intersects")
        pairs = pairs[:, np.argsort(pairs[0], kind="stable")]
    starts = np.searchsorted(pairs[0], np.arange(n + 1))
    for i, unit in enumerate(units):
        area = shapely.area(unit)
        seen = cones[pairs[1][starts[i] : starts[i + 1]]]
        rest = shapely.difference(unit, shapely.union_all(seen)) if len(seen) else unit
        parts = shapely.get_parts(rest)
        parts = parts[shapely.area(parts) > 0] if len(parts) else parts
        uncovered = float(shapely.area(parts).sum()) if len(parts) else 0.0
        share[i] = 1 - uncovered / area if area > 0 else 0.0
        if len(parts):
            largest = parts[int(np.argmax(shapely.area(parts)))]
            blind[i], blind_m2[i] = largest, float(shapely.area(largest))
    return Cover(np.clip(share, 0, 1), blind_m2, blind)
