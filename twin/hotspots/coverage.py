"""Camera coverage from the store: which cameras see a point, and per unit the share of its area
that online cameras see and its largest blind spot (the cone rules are in cones.py).

Geometry is measured in metres in the local transverse Mercator of the analysis units
(twin.hotspots.units.Projection): its scale error is 1e-5 at 20 km from the centre.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg

from twin.db.queries import query
from twin.hotspots.cones import Cameras, cone_polygons, cover, covering
from twin.hotspots.units import Projection, analysis_units

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


def cameras_covering(conn: psycopg.Connection, lon: float, lat: float) -> pd.DataFrame:
    """The cameras (any status) whose cone covers the point, nearest first, with distance_m."""
    cur = conn.execute(query("camera_near"), {"lon": lon, "lat": lat})
    rows = pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description or []])
    columns = ["code", "name", "status", "heading_deg", "fov_deg", "range_m", "distance_m"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    cams = _cameras(rows, Projection(lon, lat))
    rows["distance_m"] = np.hypot(cams.x, cams.y)  # the point is the frame's origin
    seen = rows[covering(cams, 0.0, 0.0)]
    return seen.sort_values(["distance_m", "code"])[columns].reset_index(drop=True)


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
