"""Reading GIS files in bounded chunks: GeoPackage, GeoJSON, Shapefile (folder or .zip), CSV."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely
from pyproj import CRS

CHUNK = 100_000  # features per chunk: bounds memory on large files
LON_NAMES = ("lon", "lng", "longitude", "x", "经度")
LAT_NAMES = ("lat", "latitude", "y", "纬度")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")


class SourceError(ValueError):
    """The file cannot be read as asked: the message names the file and what is wrong."""


@dataclass
class Chunk:
    """Consecutive features of a file: attributes and geometries (None where missing).

    A geometry the reader could not build (an unclosed ring, say) is None in geometry and
    kept as WKB in broken, so validation can report it or, asked to, repair it."""

    first: int  # the 1-based number of the first feature in the file
    attributes: pd.DataFrame
    geometry: np.ndarray
    broken: np.ndarray | None = None


@dataclass
class Source:
    """An opened file: its CRS (None when it declares none), columns and feature count."""

    path: Path
    crs: CRS | None
    columns: list[str]
    total: int
    layer: str | None = None
    csv_geometry: tuple[str, ...] = ()  # (lon, lat) or (wkt,) column names for CSV

    def chunks(self, size: int = CHUNK) -> Iterator[Chunk]:
        """The features in order, size at a time."""
        if self.path.suffix.lower() == ".csv":
            yield from self._csv_chunks(size)
            return
        for start in range(0, self.total, size):
            # Raw WKB, converted per feature: one malformed geometry must not stop the file.
            meta, _, wkb, values = pyogrio.raw.read(
                _ogr_path(self.path),
                layer=self.layer,
                skip_features=start,
                max_features=size,
                datetime_as_string=True,  # keeps a stored offset ("Z"); naive stays naive
            )
            attributes = pd.DataFrame(dict(zip(meta["fields"], values, strict=True)))
            wkb = np.asarray(wkb, dtype=object)
            geometry = shapely.from_wkb(wkb, on_invalid="ignore")
            broken = np.array(
                [
                    w if g is None and w is not None else None
                    for g, w in zip(geometry, wkb, strict=True)
                ],
                dtype=object,
            )
            yield Chunk(start + 1, attributes, geometry, broken)

    def _csv_chunks(self, size: int) -> Iterator[Chunk]:
        first = 1
        reader = pd.read_csv(
            self.path, dtype=str, keep_default_na=False, chunksize=size, encoding="utf-8-sig"
        )
        for frame in reader:
            if len(self.csv_geometry) == 2:
                lon = pd.to_numeric(frame[self.csv_geometry[0]], errors="coerce").to_numpy()
                lat = pd.to_numeric(frame[self.csv_geometry[1]], errors="coerce").to_numpy()
                geometry = shapely.points(lon, lat)
                geometry[np.isnan(lon) | np.isnan(lat)] = None
            else:
                wkt = frame[self.csv_geometry[0]].replace("", None).to_numpy()
                geometry = shapely.from_wkt(wkt, on_invalid="ignore")
            attributes = frame.drop(columns=list(self.csv_geometry)).replace("", None)
            yield Chunk(first, attributes.reset_index(drop=True), np.asarray(geometry))
            first += len(frame)


def _ogr_path(path: Path) -> str:
    # A zipped shapefile is read through GDAL's zip file system.
    return f"/vsizip/{path}" if path.suffix.lower() == ".zip" else str(path)


def open_source(path: Path, layer: str | None, mapping: dict[str, str]) -> Source:
    """Open a file and learn its CRS, columns and size without reading its features."""
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    if path.suffix.lower() == ".csv":
        return _open_csv(path, mapping)
    ogr = _ogr_path(path)
    try:
        layers = [name for name, _ in pyogrio.list_layers(ogr)]
    except Exception as exc:
        raise SourceError(f"{path}: not a readable GIS file ({exc})") from exc
    if layer is None:
        if len(layers) > 1:
            raise SourceError(
                f"{path}: holds {len(layers)} layers ({', '.join(layers)}); choose one with "
                "--layer-name"
            )
        layer = layers[0] if layers else None
    elif layer not in layers:
        raise SourceError(f"{path}: no layer {layer!r}; it holds {', '.join(layers)}")
    info = pyogrio.read_info(ogr, layer=layer)
    crs = CRS.from_user_input(info["crs"]) if info.get("crs") else None
    return Source(path, crs, list(info["fields"]), int(info["features"]), layer)


def _open_csv(path: Path, mapping: dict[str, str]) -> Source:
    header = list(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns)
    lower = {c.lower(): c for c in header}

    def find(role: str, names: tuple[str, ...]) -> str | None:
        if role in mapping:
            if mapping[role] not in header:
                raise SourceError(f"{path}: --map {role}={mapping[role]}: no such column")
            return mapping[role]
        return next((lower[n] for n in names if n in lower), None)

    lon, lat, wkt = find("lon", LON_NAMES), find("lat", LAT_NAMES), find("wkt", WKT_NAMES)
    if lon and lat:
        geometry: tuple[str, ...] = (lon, lat)
    elif wkt:
        geometry = (wkt,)
    else:
        raise SourceError(
            f"{path}: no geometry columns: name them lon/lat (or 经度/纬度) or wkt, or say which "
            "with --map lon=COLUMN --map lat=COLUMN or --map wkt=COLUMN"
        )
    with open(path, "rb") as fh:
        total = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b"")) - 1
    columns = [c for c in header if c not in geometry]
    return Source(path, None, columns, max(total, 0), None, geometry)
