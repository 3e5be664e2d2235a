"""A tiny hand-made hierarchy for exact tests: one district > street > community > 2×2 grids.

Cells are 0.01° squares from (114.00, 30.00). Codes run G1 (south-west), G2 (south-east),
G3 (north-west), G4 (north-east); G4 has a square hole no grid fills. Grids are inserted in
reverse code order so the lowest code never has the lowest id.
"""

from __future__ import annotations

import psycopg

X0, Y0, STEP = 114.0, 30.0, 0.01


def lonlat(x: float, y: float) -> tuple[float, float]:
    """Cell units to lon/lat."""
    return X0 + x * STEP, Y0 + y * STEP


def square_wkt(x0: float, y0: float, x1: float, y1: float, hole: bool = False) -> str:
    """A MULTIPOLYGON in lon/lat for a rectangle in cell units (optionally with a hole)."""
    ring = [lonlat(x0, y0), lonlat(x1, y0), lonlat(x1, y1), lonlat(x0, y1), lonlat(x0, y0)]
    rings = [ring]
    if hole:
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        h = [
            lonlat(mx - 0.2, my - 0.2),
            lonlat(mx - 0.2, my + 0.2),
            lonlat(mx + 0.2, my + 0.2),
            lonlat(mx + 0.2, my - 0.2),
            lonlat(mx - 0.2, my - 0.2),
        ]
        rings.append(h)
    text = ", ".join("(" + ", ".join(f"{x} {y}" for x, y in r) + ")" for r in rings)
    return f"SRID=4326;MULTIPOLYGON(({text}))"


GRIDS = {
    "G1": (0, 0, 1, 1, False),
    "G2": (1, 0, 2, 1, False),
    "G3": (0, 1, 1, 2, False),
    "G4": (1, 1, 2, 2, True),
}


def build(conn: psycopg.Connection) -> dict[str, int]:
    """Insert the hierarchy; return code -> id."""
    whole = square_wkt(0, 0, 2, 2)
    ids: dict[str, int] = {}
    parent = None
    for code, level in (("D", "district"), ("S", "street"), ("C", "community")):
        row = conn.execute(
            "INSERT INTO grid (code, name, level, parent_id, geom) VALUES (%s, %s, %s, %s, %s)"
            " RETURNING id",
            [code, f"{level} {code}", level, parent, whole],
        ).fetchone()
        assert row is not None
        ids[code] = parent = row[0]
    for code in sorted(GRIDS, reverse=True):
        row = conn.execute(
            "INSERT INTO grid (code, name, level, parent_id, officer, population, households, geom)"
            " VALUES (%s, %s, 'grid', %s, %s, 1000, 400, %s) RETURNING id",
            [code, f"grid {code}", ids["C"], f"officer {code}", square_wkt(*GRIDS[code])],
        ).fetchone()
        assert row is not None
        ids[code] = row[0]
    return ids


def point(x: float, y: float) -> str:
    """EWKT of a point given in cell units."""
    lon, lat = lonlat(x, y)
    return f"SRID=4326;POINT({lon} {lat})"


def add_incident(conn: psycopg.Connection, code: str, x: float, y: float, **cols: object) -> None:
    """Insert one incident at cell coordinates (defaults: reported, severity 3, due in a day)."""
    values: dict[str, object] = {
        "code": code,
        "category": "sanitation",
        "severity": 3,
        "source": "patrol",
        "status": "reported",
        "due_at": None,
        "geom": point(x, y),
    }
    values |= cols
    conn.execute(
        "INSERT INTO incident (code, category, severity, source, status, due_at, geom) "
        "VALUES (%(code)s, %(category)s, %(severity)s, %(source)s, %(status)s,"
        " coalesce(%(due_at)s, now() + interval '1 day'), %(geom)s)",
        values,
    )
