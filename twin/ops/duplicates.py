"""Duplicate reports: the open case a new report likely repeats, across channels."""

from __future__ import annotations

from datetime import datetime

import psycopg

from twin.db.queries import query
from twin.ops.config import OpsConfig


def find_duplicate(
    conn: psycopg.Connection,
    category: str,
    lon: float,
    lat: float,
    at: datetime,
    config: OpsConfig,
) -> str | None:
    """The code of the nearest open case of the same category within the configured radius
    and hours of a report at (lon, lat, at); None when there is none."""
    window = config.duplicates
    params = {
        "category": category,
        "lon": float(lon),
        "lat": float(lat),
        "radius_m": window.radius_m,
        "at": at,
        "hours": window.hours,
        "open": list(config.vocabulary.open_statuses),
    }
    row = conn.execute(query("case_duplicate_of"), params).fetchone()
    return None if row is None else str(row[0])
