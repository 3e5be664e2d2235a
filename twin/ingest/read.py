"""Reading GIS files in bounded chunks: GeoPackage, GeoJSON, Shapefile (folder or .zip), CSV,
OpenStreetMap (.osm, .osm.pbf), each also gzipped or zipped."""

from __future__ import annotations

import gzip
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.raw
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from twin.ingest import csv_rows

CHUNK = 100_000  # features per chunk: bounds memory on large files
LON_NAMES = ("lon", "lng", "longitude", "x", "经度")
LAT_NAMES = ("lat", "latitude", "y", "纬度")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")
# What twin reads, also inside a .zip or (single files) gzipped.
DATA_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".csv", ".osm", ".pbf")


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
    """An opened file: its CRS (None when it declares none), columns and feature count
    (None where the format cannot tell without reading, e.g. OpenStreetMap or a --where)."""

    path: Path
    crs: CRS | None
    columns: list[str]
    total: int | None
    layer: str | None = None
    csv_geometry: tuple[str, ...] = ()  # (lon, lat) or (wkt,) column names for CSV
    where: str | None = None  # an attribute filter GDAL applies (OGR SQL WHERE)
    ogr: str = ""  # the path GDAL opens (through /vsizip/ or /vsigzip/ when compressed)
    csv_member: str | None = None  # the CSV inside a .zip
    csv_header: tuple[str, ...] = ()  # every column of the CSV, in order
    span: tuple[int, int] | None = None  # a part of a plain CSV: its bytes (csv_parts)
    first: int = 1  # the number of the span's first feature

    def chunks(self, size: int = CHUNK) -> Iterator[Chunk]:
        """The features in order, size at a time."""
        if self.csv_geometry:
            yield from self._csv_chunks(size)
            return
        start = 0
        while self.total is None or start < self.total:
            # Raw WKB, converted per feature: one malformed geometry must not stop the file.
            meta, _, wkb, values = _read_raw(self, start, size)
            if len(wkb) == 0:
                return
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
            if len(wkb) < size:  # the last chunk of a file whose count was unknown
                return
            start += size

    def _csv_chunks(self, size: int) -> Iterator[Chunk]:
        first = self.first
        # Only the part that starts the file has the header (and perhaps a byte order mark).
        later = self.span is not None and self.span[0] > 0
        names = list(self.csv_header) if later else None
        points = self.csv_geometry if len(self.csv_geometry) == 2 else ()
        for frame, lon, lat in csv_rows.frames(self._csv_opened, size, names, points):
            if points:
                geometry = shapely.points(lon, lat)
                geometry[np.isnan(lon) | np.isnan(lat)] = None
            else:
                wkt = frame[self.csv_geometry[0]].replace("", None).to_numpy()
                geometry = shapely.from_wkt(wkt, on_invalid="ignore")
            attributes = frame.drop(columns=list(self.csv_geometry))
            yield Chunk(first, attributes.reset_index(drop=True), np.asarray(geometry))
            first += len(frame)

    @contextmanager
    def _csv_opened(self) -> Iterator[csv_rows.Bytes]:
        """The CSV's bytes (of its span only, when it has one), from their start."""
        with _csv_bytes(self.path, self.csv_member) as whole, _spanned(whole, self.span) as fh:
            yield fh


class _Span(io.RawIOBase):
    """A file's bytes up to an offset, read from where it stands."""

    def __init__(self, fh: IO[bytes] | gzip.GzipFile, end: int) -> None:
        self.fh, self.left = fh, end - fh.tell()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.fh.read(min(len(buffer), max(self.left, 0)))
        buffer[: len(data)] = data
        self.left -= len(data)
        return len(data)


@contextmanager
def _spanned(
    fh: IO[bytes] | gzip.GzipFile, span: tuple[int, int] | None
) -> Iterator[IO[bytes] | gzip.GzipFile]:
    """The file, or only its bytes in span."""
    if span is None:
        yield fh
        return
    fh.seek(span[0])
    with io.BufferedReader(_Span(fh, span[1]), 1 << 20) as part:
        yield part


def _read_raw(source: Source, start: int, size: int) -> tuple[Any, Any, Any, Any]:
    try:
        return pyogrio.raw.read(
            source.ogr,
            layer=source.layer,
            skip_features=start,
            max_features=size,
            where=source.where,
            datetime_as_string=True,  # keeps a stored offset ("Z"); naive stays naive
        )
    except ValueError as exc:
        if source.where and "SQL" in str(exc):
            raise SourceError(
                f"{source.path}: --where {source.where!r}: GDAL cannot apply it ({exc}); "
                f"write an SQL condition on the file's columns ({', '.join(source.columns)}), "
                "e.g. \"man_made = 'surveillance'\""
            ) from exc
        raise


def archive_kind(path: Path) -> tuple[str, str | None]:
    """The data format a path holds and its wrapper: ('.geojson', '.gz') for x.geojson.gz,
    ('.shp', '.zip') for a zipped shapefile (a .zip's format is read from its members)."""
    suffixes = [s.lower() for s in path.suffixes]
    last = suffixes[-1] if suffixes else ""
    if last == ".gz":
        return (suffixes[-2] if len(suffixes) > 1 else ""), ".gz"
    if last == ".zip":
        return _zip_format(path), ".zip"
    return last, None


def _zip_format(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if not n.endswith("/")]
    except (OSError, zipfile.BadZipFile) as exc:
        raise SourceError(f"{path}: not a readable zip file ({exc})") from exc
    found = {Path(n).suffix.lower() for n in names} & set(DATA_SUFFIXES)
    if not found:
        raise SourceError(
            f"{path}: the zip holds no GIS file twin reads ({', '.join(DATA_SUFFIXES)}); "
            f"it holds: {', '.join(names) or 'nothing'}"
        )
    if len(found) > 1:
        raise SourceError(
            f"{path}: the zip holds several formats ({', '.join(sorted(found))}); zip one"
        )
    return found.pop()


def _members(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist() if not n.endswith("/")]


def _check_shapefile_parts(path: Path, names: list[str]) -> None:
    """A shapefile is .shp + .shx + .dbf: say which part is missing rather than load a
    file without attributes."""
    have = {n.lower() for n in names}
    for shp in (n for n in names if n.lower().endswith(".shp")):
        stem = shp[:-4]
        for part, holds in ((".dbf", "its attributes"), (".shx", "its index")):
            if (stem + part).lower() not in have:
                raise SourceError(
                    f"{path}: {Path(shp).name} has no {Path(stem).name}{part} beside it "
                    f"(the {part} holds {holds}; a shapefile needs .shp, .shx and .dbf)"
                )


@contextmanager
def _csv_bytes(path: Path, member: str | None) -> Iterator[IO[bytes] | gzip.GzipFile]:
    if member is not None:
        with zipfile.ZipFile(path) as z, z.open(member) as fh:
            yield fh
    elif path.suffix.lower() == ".gz":
        with gzip.open(path, "rb") as fh:
            yield fh
    else:
        with open(path, "rb") as fh:
            yield fh


def open_source(
    path: Path, layer: str | None, mapping: dict[str, str], where: str | None = None
) -> Source:
    """Open a file and learn its CRS, columns and size without reading its features."""
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    fmt, wrapper = archive_kind(path)
    names = _members(path) if wrapper == ".zip" else []
    if fmt == ".csv":
        if where:
            raise SourceError(
                f"{path}: --where filters through GDAL and does not apply to CSV; "
                "filter the rows before loading"
            )
        member = next((n for n in names if n.lower().endswith(".csv")), None)
        return _open_csv(path, mapping, member, names)
    if path.is_dir():
        names = [p.name for p in path.iterdir()]
    elif fmt == ".shp" and wrapper is None:
        names = [p.name for p in path.parent.glob(f"{path.stem}.*")]
    if fmt == ".shp" or path.is_dir():
        _check_shapefile_parts(path, names)
    ogr = {".zip": f"/vsizip/{path}", ".gz": f"/vsigzip/{path}"}.get(wrapper or "", str(path))
    try:
        layers = [name for name, _ in pyogrio.list_layers(ogr)]
    except Exception as exc:
        raise SourceError(f"{path}: not a readable GIS file ({exc})") from exc
    if not layers:
        raise SourceError(f"{path}: holds no layers")
    if layer is None:
        if len(layers) > 1:
            raise SourceError(
                f"{path}: holds {len(layers)} layers ({', '.join(layers)}); choose one with "
                "--layer-name"
            )
        layer = layers[0]
    elif layer not in layers:
        raise SourceError(f"{path}: no layer {layer!r}; it holds {', '.join(layers)}")
    info = pyogrio.read_info(ogr, layer=layer)
    crs = CRS.from_user_input(info["crs"]) if info.get("crs") else None
    # Drivers that cannot count cheaply (OpenStreetMap) say -1; a filter changes the count.
    total = int(info["features"]) if info["features"] >= 0 and not where else None
    if total == 0:
        raise SourceError(f"{path}: layer {layer!r} holds no features")
    return Source(path, crs, list(info["fields"]), total, layer, (), where, ogr)


def _open_csv(path: Path, mapping: dict[str, str], member: str | None, names: list[str]) -> Source:
    try:
        with _csv_bytes(path, member) as fh:
            header = list(pd.read_csv(fh, nrows=0, encoding="utf-8-sig").columns)
    except pd.errors.EmptyDataError as exc:
        raise SourceError(f"{path}: the CSV is empty (no header, no rows)") from exc
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
    with _csv_bytes(path, member) as fh:
        total = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b"")) - 1
    if total <= 0:
        raise SourceError(f"{path}: the CSV has a header and no rows")
    columns = [c for c in header if c not in geometry]
    crs = _csv_crs(path, member, names)
    return Source(
        path, crs, columns, total, None, geometry, csv_member=member, csv_header=tuple(header)
    )


def csv_stem(name: str) -> str:
    """A CSV's name without .csv (and .gz): where its .prj sidecar takes its name from."""
    for suffix in (".gz", ".csv"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def _csv_crs(path: Path, member: str | None, names: list[str]) -> CRS | None:
    """The CRS a .prj beside the CSV (or beside it in the zip) declares, as twin's export
    writes one; None when there is none."""
    try:
        if member is not None:
            prj = next((n for n in names if n.lower() == member[:-4].lower() + ".prj"), None)
            if prj is None:
                return None
            with zipfile.ZipFile(path) as z:
                text = z.read(prj).decode("utf-8")
        else:
            sidecar = path.with_name(csv_stem(path.name) + ".prj")
            if not sidecar.exists():
                return None
            text = sidecar.read_text("utf-8")
        return CRS.from_user_input(text)
    except (OSError, UnicodeDecodeError, CRSError) as exc:
        raise SourceError(f"{path}: its .prj does not name a CRS twin can read ({exc})") from exc
