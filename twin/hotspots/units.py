"""Units of analysis: the units of a catalog level, or a hexagon mesh covering the city."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import psycopg
import shapely
from pyproj import Transformer

from twin.db.queries import query
from twin.hotspots.filters import FilterError, hex_size

# Tolerance of queen contiguity between a level's units, in metres: real boundaries drawn by
# hand leave slivers and gaps of centimetres that should not cut two neighbours apart.
LEVEL_TOLERANCE_M = 0.5
SQRT3 = math.sqrt(3.0)
KEY = 1 << 32  # cell key = col * KEY + row (rows stay far below 2**32)


@dataclass(frozen=True)
class Projection:
    """A local transverse Mercator centred on the city: metres east and north of its centre."""

    lon: float
    lat: float

    def _forward(self) -> Transformer:
        # The pipeline PROJ builds for EPSG:4326 (lon/lat) to this tmerc, given directly: the
        # same numbers, made in 0.2 ms instead of the 30-70 ms of a lookup in proj.db (a plan
        # edit makes several, each its own projection).
        return Transformer.from_pipeline(
            "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad"
            f" +step +proj=tmerc +lon_0={self.lon} +lat_0={self.lat} +k=1 +x_0=0 +y_0=0"
            " +ellps=WGS84"
        )

    def to_metres(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """n×2 metres from arrays of lon, lat."""
        x, y = self._forward().transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.column_stack([x, y]).reshape(-1, 2)

    def geoms_to_metres(self, geoms: np.ndarray) -> np.ndarray:
        """Shapely geometries in lon/lat to the same in metres."""
        fwd = self._forward()
        return shapely.transform(
            geoms, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1]))
        )

    def geoms_to_lonlat(self, geoms: np.ndarray) -> np.ndarray:
        """Shapely geometries in metres back to lon/lat."""
        back = self._forward()
        return shapely.transform(
            geoms,
            lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1], direction="INVERSE")),
        )


@dataclass(frozen=True)
class HexMesh:
    """Pointy-top hexagons `size` metres across flats; cell (col, row) of odd-r offset layout."""

    size: float
    x0: float
    y0: float

    @property
    def radius(self) -> float:
        """Centre to corner."""
        return self.size / SQRT3

    def centres(self, col: np.ndarray, row: np.ndarray) -> np.ndarray:
        """n×2 metres of the cells' centres."""
        x = self.x0 + self.size * (col + 0.5 * (row & 1))
        y = self.y0 + 1.5 * self.radius * row
        return np.column_stack([x, y])

    def cell_of(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(col, row) of the cell holding each point (cube rounding of axial coordinates)."""
        dx, dy = xy[:, 0] - self.x0, xy[:, 1] - self.y0
        q = (SQRT3 / 3 * dx - dy / 3) / self.radius
        r = (2 / 3 * dy) / self.radius
        cx, cz = q, r
        cy = -cx - cz
        rx, ry, rz = np.round(cx), np.round(cy), np.round(cz)
        ex, ey, ez = np.abs(rx - cx), np.abs(ry - cy), np.abs(rz - cz)
        fix_x = (ex > ey) & (ex > ez)
        fix_z = ~fix_x & ~(ey > ez)
        rx = np.where(fix_x, -ry - rz, rx)
        rz = np.where(fix_z, -rx - ry, rz)
        row = rz.astype(np.int64)
        col = rx.astype(np.int64) + (row - (row & 1)) // 2
        return col, row

    def polygons(self, col: np.ndarray, row: np.ndarray) -> np.ndarray:
        """The cells as shapely polygons in metres."""
        c = self.centres(col, row)
        angles = np.radians(30 + 60 * np.arange(6))
        ring = np.stack([np.cos(angles), np.sin(angles)], axis=1) * self.radius
        coords = c[:, None, :] + ring[None, :, :]
        return shapely.polygons(np.concatenate([coords, coords[:, :1]], axis=1))


@dataclass(frozen=True)
class Units:
    """The units of one analysis: codes, names, outlines (metres and lon/lat), points of each."""

    unit: str
    codes: np.ndarray
    names: np.ndarray
    geoms: np.ndarray  # metres, in `projection`
    geoms_lonlat: np.ndarray
    projection: Projection
    mesh: HexMesh | None = None
    cell_keys: np.ndarray | None = None  # a hex mesh's col * KEY + row of each unit
    tolerance_m: float = LEVEL_TOLERANCE_M

    @property
    def xy(self) -> np.ndarray:
        """n×2 metres of each unit's centroid (distance band and k nearest use these)."""
        c = shapely.centroid(self.geoms)
        return np.column_stack([shapely.get_x(c), shapely.get_y(c)]).reshape(-1, 2)

    def __len__(self) -> int:
        return len(self.codes)


def fetch_projection(conn: psycopg.Connection) -> Projection:
    """The local projection of this city (its units' extent centre; 0, 0 with no units)."""
    row = conn.execute(query("hotspot_centre")).fetchone()
    lon, lat = (row[0], row[1]) if row and row[0] is not None else (0.0, 0.0)
    return Projection(round(float(lon), 6), round(float(lat), 6))


def analysis_units(conn: psycopg.Connection, unit: str) -> Units:
    """The units of a level ("grid", "community", ...) or a "hex:METRES" mesh over the city."""
    projection = fetch_projection(conn)
    size = hex_size(unit)
    if size is not None:
        return hex_units(conn, size, projection)
    rows = conn.execute(query("hotspot_units"), {"level": unit}).fetchall()
    if not rows:
        raise FilterError("unit", f"no units of level {unit!r} are loaded")
    lonlat = shapely.from_wkb([r[3] for r in rows])
    return Units(
        unit=unit,
        codes=np.array([r[1] for r in rows], dtype=object),
        names=np.array([r[2] for r in rows], dtype=object),
        geoms=projection.geoms_to_metres(lonlat),
        geoms_lonlat=lonlat,
        projection=projection,
    )


def hex_units(conn: psycopg.Connection, size: int, projection: Projection) -> Units:
    """Hexagons `size` m across flats that touch the city's outline, coded H<col>-<row>."""
    row = conn.execute(query("hotspot_outline")).fetchone()
    if row is None or row[0] is None:
        raise FilterError("unit", "no units are loaded to draw a hexagon mesh over")
    outline = projection.geoms_to_metres(np.array([shapely.from_wkb(row[0])]))[0]
    west, south, east, north = outline.bounds
    # One cell of margin on each side, so that every point of the city has its cell.
    mesh = HexMesh(float(size), west - size, south - size)
    cols = np.arange(int((east - mesh.x0) / size) + 3)
    rows = np.arange(int((north - mesh.y0) / (1.5 * mesh.radius)) + 3)
    col, rw = (a.ravel() for a in np.meshgrid(cols, rows))
    cells = mesh.polygons(col, rw)
    shapely.prepare(outline)
    # Cells that only touch the outline hold no point of the city.
    keep = shapely.intersects(outline, cells) & ~shapely.touches(outline, cells)
    col, rw, cells = col[keep], rw[keep], cells[keep]
    codes = np.array([f"H{c:04d}-{r:04d}" for c, r in zip(col, rw, strict=True)], dtype=object)
    return Units(
        unit=f"hex:{size}",
        codes=codes,
        names=codes.copy(),
        geoms=cells,
        geoms_lonlat=projection.geoms_to_lonlat(cells),
        projection=projection,
        mesh=mesh,
        cell_keys=col.astype(np.int64) * KEY + rw,
        # Neighbouring cells' corners are computed from different centres: off by rounding.
        tolerance_m=size * 1e-6,
    )


def unit_index(units: Units, codes: np.ndarray | None, xy: np.ndarray) -> np.ndarray:
    """Each point's unit as an index into `units` (-1: in none): from its unit code for a level,
    from its position (metres) for a hexagon mesh."""
    if units.mesh is None:
        assert codes is not None
        return np.asarray(pd.Index(units.codes).get_indexer(codes), dtype=np.int64)
    assert units.cell_keys is not None
    col, row = units.mesh.cell_of(xy)
    return np.asarray(pd.Index(units.cell_keys).get_indexer(col * KEY + row), dtype=np.int64)
