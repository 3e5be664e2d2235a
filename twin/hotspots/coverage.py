"""Camera coverage from the store: which cameras see a point, and per unit the share of its area
that online cameras see and its largest blind spot (the cone rules are in cones.py).

Geometry is measured in a Lambert azimuthal equal-area projection centred on the data, so areas
are exact and distances within 0.1 % over a city of 100 km.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
import shapely
from pyproj import Transformer

from twin.db.queries import query
from twin.hotspots.cones import Cameras, cone_polygons, cover, covering

ONLINE = "online"  # the camera status value (layers/camera.toml) of a camera that works now


class Frame:
    """An equal-area metric frame centred on (lon0, lat0), both ways."""

    def __init__(self, lon0: float, lat0: float) -> None:
        crs = f"+proj=laea +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m"
        self.forward = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self.back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def xy(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lon/lat arrays to metres."""
        x, y = self.forward.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x), np.asarray(y)

    def to_metres(self, geoms: np.ndarray) -> np.ndarray:
        """Lon/lat geometries to metric ones."""
        return shapely.transform(geoms, lambda c: np.column_stack(self.xy(c[:, 0], c[:, 1])))

    def to_lonlat(self, geoms: np.ndarray) -> np.ndarray:
        """Metric geometries back to lon/lat (None stays None)."""

        def back(c: np.ndarray) -> np.ndarray:
            return np.column_stack(self.back.transform(c[:, 0], c[:, 1]))

        return shapely.transform(geoms, back)


def _cameras(rows: pd.DataFrame, frame: Frame) -> Cameras:
    """Camera rows (lon, lat, heading_deg, fov_deg, range_m) as arrays in the frame."""
    x, y = frame.xy(rows["lon"].to_numpy(float), rows["lat"].to_numpy(float))
    return Cameras(
        rows["code"].to_numpy(object),
        x,
        y,
        rows["heading_deg"].to_numpy(float, na_value=np.nan),
        rows["fov_deg"].to_numpy(float, na_value=np.nan),
        rows["range_m"].to_numpy(float, na_value=np.nan),
    )


def cameras_covering(conn: psycopg.Connection, lon: float, lat: float) -> pd.DataFrame:
    """The cameras (any status) whose cone covers the point, nearest first, with distance_m."""
    cur = conn.execute(query("camera_near"), {"lon": lon, "lat": lat})
    rows = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description or []])
    columns = ["code", "name", "status", "heading_deg", "fov_deg", "range_m", "distance_m"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    frame = Frame(lon, lat)
    cams = _cameras(rows, frame)
    rows["distance_m"] = np.hypot(cams.x, cams.y)  # the point is the frame's origin
    seen = rows[covering(cams, 0.0, 0.0)]
    return seen.sort_values(["distance_m", "code"])[columns].reset_index(drop=True)


def unit_coverage(conn: psycopg.Connection, level: str) -> pd.DataFrame:
    """Per unit of a level: covered_share by online cameras, blind_spot_m2 and blind_spot
    (its largest uncovered polygon, lon/lat; None when fully covered)."""
    units = conn.execute(query("grid_geometries"), {"level": level}).fetchall()
    if not units:
        raise ValueError(f"coverage: no units at level {level!r}")
    codes = [u[1] for u in units]
    geoms = shapely.from_wkb([bytes(u[4]) for u in units])
    return coverage_table(conn, codes, geoms)


def coverage_table(conn: psycopg.Connection, codes: list[str], geoms: np.ndarray) -> pd.DataFrame:
    """covered_share, blind_spot_m2 and blind_spot of the given lon/lat unit polygons."""
    centre = shapely.centroid(shapely.union_all(shapely.envelope(geoms)))
    frame = Frame(centre.x, centre.y)
    cur = conn.execute(query("camera_views"), {"status": ONLINE})
    rows = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description or []])
    cones = cone_polygons(_cameras(rows, frame)) if len(rows) else np.empty(0, dtype=object)
    got = cover(frame.to_metres(np.asarray(geoms, dtype=object)), cones)
    blind = np.full(len(codes), None, dtype=object)
    has = np.array([g is not None for g in got.blind_spot], dtype=bool)
    blind[has] = frame.to_lonlat(got.blind_spot[has])
    return pd.DataFrame(
        {
            "code": codes,
            "covered_share": got.covered_share,
            "blind_spot_m2": got.blind_spot_m2,
            "blind_spot": blind,
        }
    )
