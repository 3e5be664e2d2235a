"""Writing and reading reference features: the one place reference_feature is written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
import shapely
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class ReferenceFeature:
    """One road, river, water body, building or landmark, in EPSG:4326."""

    code: str
    cls: str
    name: str | None
    geom: BaseGeometry


def replace_layer(
    conn: psycopg.Connection, layer: str, features: Iterable[ReferenceFeature], now: datetime
) -> int:
    """Replace every feature of one reference layer, in the caller's transaction; the count."""
    conn.execute("DELETE FROM reference_feature WHERE layer = %s", [layer])
    rows = [(layer, f.code, f.cls, f.name, shapely.to_wkb(f.geom, hex=False)) for f in features]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO reference_feature (layer, code, class, name, geom)"
            " VALUES (%s, %s, %s, %s, ST_GeomFromWKB(%s, 4326))",
            rows,
        )
    conn.execute(
        "INSERT INTO reference_version (layer, version, loaded_at) VALUES (%s, 1, %s)"
        " ON CONFLICT (layer) DO UPDATE SET version = reference_version.version + 1,"
        " loaded_at = EXCLUDED.loaded_at",
        [layer, now],
    )
    return len(rows)


def layer_versions(conn: psycopg.Connection) -> dict[str, int]:
    """Each loaded reference layer's write counter (tile caches key on it)."""
    return dict(conn.execute("SELECT layer, version FROM reference_version").fetchall())


def features_near(
    conn: psycopg.Connection, layers: Sequence[str], geom: BaseGeometry, within_m: float
) -> list[ReferenceFeature]:
    """The features of those layers within a distance (metres) of a geometry."""
    wkb = shapely.to_wkb(geom)
    rows = conn.execute(
        "SELECT code, class, name, ST_AsBinary(geom) FROM reference_feature"
        " WHERE layer = ANY(%s) AND geom && ST_Expand(ST_GeomFromWKB(%s, 4326), %s)"
        " AND ST_DWithin(geom::geography, ST_GeomFromWKB(%s, 4326)::geography, %s)"
        " ORDER BY layer, code",
        # a degree of longitude is at least 50 km below 63° latitude: the box over-covers
        [list(layers), wkb, within_m / 50_000.0, wkb, within_m],
    ).fetchall()
    return [ReferenceFeature(c, k, n, shapely.from_wkb(bytes(g))) for c, k, n, g in rows]
