"""Crafting small GIS files for loader tests (GeoJSON, GeoPackage, Shapefile, CSV, OSM,
gzipped and zipped)."""

from __future__ import annotations

import gzip
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely

from tests.gridworld import GRIDS, lonlat, square_wkt

INCIDENT = {
    "category": "sanitation",
    "severity": "3",
    "source": "patrol",
    "status": "reported",
    "reported_at": "2026-11-20T08:00:00+08:00",
    "due_at": "2026-11-27T08:00:00+08:00",
}


def incidents(spots: list[tuple[float, float]], **overrides: Any) -> gpd.GeoDataFrame:
    """Incidents at cell coordinates of the grid world, codes F1, F2, ..., in EPSG:4326."""
    rows = [INCIDENT | {"code": f"F{i + 1}"} | overrides for i in range(len(spots))]
    points = [shapely.Point(*lonlat(x, y)) for x, y in spots]
    return gpd.GeoDataFrame(rows, geometry=points, crs="EPSG:4326")


def geojson(path: Path, features: list[dict[str, Any]], crs: str | None = None) -> Path:
    """A GeoJSON file from raw features (so tests can write what libraries would refuse)."""
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
    return path


def feature(props: dict[str, Any], geometry: dict[str, Any] | None) -> dict[str, Any]:
    """One GeoJSON feature."""
    return {"type": "Feature", "properties": props, "geometry": geometry}


def point(x: float, y: float) -> dict[str, Any]:
    """A GeoJSON point at cell coordinates."""
    return {"type": "Point", "coordinates": list(lonlat(x, y))}


def grid_frame(codes: list[str] | None = None) -> gpd.GeoDataFrame:
    """The grid world's four grids as a grid-layer file would hold them."""
    codes = codes or sorted(GRIDS)
    geoms = [
        shapely.get_geometry(shapely.from_wkt(square_wkt(*GRIDS[c]).split(";")[1]), 0)
        for c in codes
    ]
    rows = [
        {
            "code": c,
            "name": f"grid {c}",
            "parent_code": "C",
            "officer": f"officer {c}",
            "population": 1000,
            "households": 400,
        }
        for c in codes
    ]
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")


def write(frame: gpd.GeoDataFrame, path: Path, **kw: Any) -> Path:
    """Write with pyogrio (driver from the extension)."""
    pyogrio.write_dataframe(frame, path, **kw)
    return path


def zip_shapefile(shp: Path) -> Path:
    """The shapefile's parts in one .zip beside it."""
    out = shp.with_suffix(".zip")
    with zipfile.ZipFile(out, "w") as z:
        for part in shp.parent.glob(f"{shp.stem}.*"):
            if part.suffix != ".zip":
                z.write(part, part.name)
    return out


def osm(path: Path, nodes: list[tuple[int, float, float, dict[str, str]]]) -> Path:
    """A hand-made OpenStreetMap XML extract: (id, x, y, tags) nodes at cell coordinates,
    plus one untagged way, so the file holds more than points."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="tests">']
    for node_id, x, y, tags in nodes:
        lon, lat = lonlat(x, y)
        inner = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<node id="{node_id}" lat="{lat}" lon="{lon}" version="1">{inner}</node>')
    lines += [
        '<node id="9001" lat="30.0" lon="114.0" version="1"/>',
        '<node id="9002" lat="30.0" lon="114.01" version="1"/>',
        '<way id="9100" version="1"><nd ref="9001"/><nd ref="9002"/>'
        '<tag k="highway" v="residential"/></way>',
        "</osm>",
    ]
    path.write_text("\n".join(lines), "utf-8")
    return path


def gzipped(path: Path) -> Path:
    """The file gzipped beside it (x.geojson -> x.geojson.gz)."""
    out = path.with_name(path.name + ".gz")
    with open(path, "rb") as src, gzip.open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return out


def zipped(out: Path, *parts: Path) -> Path:
    """The parts in one .zip."""
    with zipfile.ZipFile(out, "w") as z:
        for part in parts:
            z.write(part, part.name)
    return out
