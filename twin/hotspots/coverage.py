"""Camera coverage from the store: which cameras see a point, and per unit the share of its area
that online cameras see and its largest blind spot (the cone rules are in cones.py).

Geometry is measured in metres in the local transverse Mercator of the analysis units
(twin.hotspots.units.Projection): its scale error is 1e-5 at 20 km from the centre.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
import shapely

from twin.db.queries import query
from twin.hotspots.cones import Cameras, cone_polygons, cover, covering
from twin.hotspots.units import Projection, analysis_units

CAMERA_COLUMNS = ["code", "name", "status", "heading_deg", "fov_deg", "range_m"]
ONLINE = "online"  # the camera status value (layers/camera.toml) of a camera that works now


def _cameras(rows: pd.DataFrame, projection: Projection) -> Cameras:
    """Camera rows (lon, lat, heading_deg, fov_deg, range_m) as arrays in metres."""
    xy = projection.to_metres(rows["lon"].to_numpy(float), rows["lat"].to_numpy(float))
    return Cameras(
        rows["code"].to_numpy(object),
        xy[:, 0],
        xy[:, 1],
        rows["heading_deg"].to_numpy(float, na_value=np.nan),
        rows["fov_deg"].to_numpy(float, na_value=np.nan),
        rows["range_m"].to_numpy(float, na_value=np.nan),
    )


def _near(conn: psycopg.Connection, bounds: tuple[float, float, float, float]) -> pd.DataFrame:
    """Camera rows within the longest range of a lon/lat box (west, south, east, north)."""
    west, south, east, north = bounds
    params = {"west": west, "south": south, "east": east, "north": north}
    cur = conn.execute(query("camera_near"), params)
    return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description or []])


def cameras_covering(conn: psycopg.Connection, lon: float, lat: float) -> pd.DataFrame:
    """The cameras (any status) whose cone covers the point, nearest first, with distance_m."""
    rows = _near(conn, (lon, lat, lon, lat))
    columns = [*CAMERA_COLUMNS, "distance_m"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    cams = _cameras(rows, Projection(lon, lat))
    rows["distance_m"] = np.hypot(cams.x, cams.y)  # the point is the projection's origin
    seen = rows[covering(cams, 0.0, 0.0)]
    return seen.sort_values(["distance_m", "code"])[columns].reset_index(drop=True)


def cameras_seeing(conn: psycopg.Connection, area_lonlat: shapely.Geometry) -> pd.DataFrame:
    """The cameras (any status) whose cone reaches into an area (a hotspot's unit), with the
    share of the area each sees, largest first."""
    rows = _near(conn, tuple(shapely.bounds(area_lonlat)))
    columns = [*CAMERA_COLUMNS, "seen_share"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    centre = shapely.centroid(area_lonlat)
    projection = Projection(centre.x, centre.y)
    area = projection.geoms_to_metres(np.array([area_lonlat], dtype=object))[0]
    cones = cone_polygons(_cameras(rows, projection))
    seen = np.array(
        [shapely.area(shapely.intersection(c, area)) if c is not None else 0.0 for c in cones]
    )
    rows["seen_share"] = seen / shapely.area(area)
    rows = rows[rows["seen_share"] > 0]
    return rows.sort_values(["seen_share", "code"], ascending=[False, True])[columns].reset_index(
        drop=True
    )


def unit_coverage(conn: psycopg.Connection, unit: str) -> pd.DataFrame:
    """Per unit of a level or "hex:METRES" mesh: covered_share by online cameras, blind_spot_m2
    and blind_spot (its largest unseen polygon, lon/lat; None when fully covered)."""
    units = analysis_units(conn, unit)
    cur = conn.execute(query("camera_views"), {"status": ONLINE})
    rows = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description or []])
    cams = _cameras(rows, units.projection) if len(rows) else None
    cones = cone_polygons(cams) if cams is not None else np.empty(0, dtype=object)
    got = cover(units.geoms, cones)
    blind = np.full(len(units.codes), None, dtype=object)
    has = np.array([g is not None for g in got.blind_spot], dtype=bool)
    blind[has] = units.projection.geoms_to_lonlat(got.blind_spot[has])
    return pd.DataFrame(
        {
            "code": units.codes,
            "covered_share": got.covered_share,
            "blind_spot_m2": got.blind_spot_m2,
            "blind_spot": blind,
        }
    )
