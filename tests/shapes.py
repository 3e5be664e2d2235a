"""Hand-made cities of other shapes than four nested levels, built through the real loader
from files with no parent codes (parents derived by containment).

The cells are the grid world's (tests/gridworld.py): grids G1..G4 (G4 with its hole);
communities CW (west half) and CE (east half); districts DW and DE (the same halves).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import psycopg
import shapely

from tests import files
from tests.gridworld import GRIDS, square_wkt
from twin.catalog import Layer
from twin.ingest.load import load_file

HALVES = {"W": (0, 0, 1, 2), "E": (1, 0, 2, 2)}
UNITS = {
    "district": {f"D{h}": box for h, box in HALVES.items()},
    "community": {f"C{h}": box for h, box in HALVES.items()},
    "grid": {code: GRIDS[code] for code in sorted(GRIDS)},
}
SHAPES = {
    "grids": ("grid",),
    "communities_and_grids": ("community", "grid"),
    "districts": ("district",),
}
# Interiors of G1, G2, G3, G4; G4's hole; the shared edge of the halves; outside.
SPOTS = [(0.5, 0.5), (1.5, 0.5), (0.5, 1.5), (1.2, 1.2), (1.5, 1.5), (1.0, 0.5), (3.0, 3.0)]


def level_file(level: str, path: Path) -> Path:
    """One level's units as a GeoJSON file with code and name only."""
    rows, geoms = [], []
    for code, box in UNITS[level].items():
        rows.append({"code": code, "name": f"{level} {code}"})
        wkt = square_wkt(*box[:4], hole=len(box) > 4 and bool(box[4]))
        geoms.append(shapely.from_wkt(wkt.split(";")[1]))
    return files.write(gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326"), path)


def build(
    conn: psycopg.Connection, layers: dict[str, Layer], shape: str, tmp: Path
) -> dict[str, int]:
    """Load the shape's levels (coarsest first) and an incident at each spot; code -> id."""
    for level in SHAPES[shape]:
        load_file(conn, layers[level], level_file(level, tmp / f"{level}.geojson"))
    load_file(conn, layers["incident"], files.write(files.incidents(SPOTS), tmp / "e.geojson"))
    return dict(conn.execute("SELECT code, id FROM grid").fetchall())
