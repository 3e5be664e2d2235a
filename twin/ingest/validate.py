"""Check and convert one chunk of features against a catalog layer: every problem reported
with its feature number, code, field and reason; repairs only when asked and never guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from twin.catalog import Field, Layer
from twin.ingest.convert import WGS84, to_wgs84
from twin.ingest.read import Chunk
from twin.ingest.stamps import CHINA_OFFSET, parse_fixed

SLIVER_M2 = 1.0  # --fix drops polygon parts smaller than this
M2_PER_DEG2 = 111_320.0**2  # at the equator; slivers are tiny, so the scale need not be exact
HAS_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
TRUE = {"true", "t", "1", "yes", "y", "是"}
FALSE = {"false", "f", "0", "no", "n", "否"}


@dataclass(frozen=True)
class Problem:
    """Why a feature (or the whole file, feature None) cannot be loaded."""

    feature: int | None
    code: str | None
    field: str
    reason: str

    def __str__(self) -> str:
        where = "file" if self.feature is None else f"feature {self.feature}"
        if self.code:
            where += f" (code {self.code})"
        return f"{where}: {self.field}: {self.reason}"


@dataclass(frozen=True)
class Options:
    """How to read the file: its CRS, GCJ-02 offset, repairs, column names per field."""

    crs: CRS
    columns: dict[str, str]  # catalog field -> file column
    fix: bool = False
    gcj02: bool = False
    crs_assumed: bool = False  # the file declared none and WGS 84 was taken


@dataclass
class Converted:
    """One chunk ready to stage, with what was found and done on the way."""

    frame: pd.DataFrame
    problems: list[Problem]
    repairs: list[str]
    flattened: list[int]  # features whose Z (height) values were dropped


def resolve_columns(
    layer: Layer, file_columns: list[str], mapping: dict[str, str]
) -> tuple[dict[str, str], list[Problem]]:
    """Which file column feeds each catalog field (--map, same name, or its 10-letter
    shapefile form); a required field with no column is a problem of the whole file."""
    problems = []
    unknown = set(mapping) - set(layer.field_names) - {"lon", "lat", "wkt"}
    for name in sorted(unknown):
        problems.append(Problem(None, None, name, f"--map names no field of layer {layer.name}"))
    columns: dict[str, str] = {}
    for f in layer.fields:
        candidates = [mapping[f.name]] if f.name in mapping else [f.name, f.name[:10]]
        found = next((c for c in candidates if c in file_columns), None)
        if found:
            columns[f.name] = found
        elif f.name in mapping:
            problems.append(
                Problem(
                    None,
                    None,
                    f.name,
                    f"--map names column {mapping[f.name]!r}, which the file does not have",
                )
            )
        elif f.required:
            problems.append(
                Problem(
                    None,
                    None,
                    f.name,
                    "required field missing from the file "
                    f"(its columns: {', '.join(file_columns)})",
                )
            )
    return columns, problems


def allowed_bounds(crs: CRS) -> tuple[float, float, float, float]:
    """The coordinates a CRS can hold, from its area of use, with a margin."""
    if crs.is_geographic:
        return (-180.0, -90.0, 180.0, 90.0)
    if crs.area_of_use is None:
        return (-np.inf, -np.inf, np.inf, np.inf)
    to_crs = Transformer.from_crs(WGS84, crs, always_xy=True)
    x0, y0, x1, y1 = to_crs.transform_bounds(*crs.area_of_use.bounds)
    mx, my = (x1 - x0) * 0.5, (y1 - y0) * 0.5
    return (x0 - mx, y0 - my, x1 + mx, y1 + my)


def convert_chunk(layer: Layer, chunk: Chunk, opts: Options) -> Converted:
    """The chunk as rows ready to stage (fields typed, feature number, geometry in WGS 84),
    with the problems found and the repairs made; features dropped by --fix are left out."""
    n = len(chunk.attributes)
    features = np.arange(chunk.first, chunk.first + n)
    problems: list[Problem] = []
    out = pd.DataFrame({"feature": features})
    codes = _codes(chunk, opts)
    for f in layer.fields:
        column = opts.columns.get(f.name)
        raw = chunk.attributes[column] if column else pd.Series([None] * n)
        values, bad = _convert(f, raw.reset_index(drop=True))
        for i in np.flatnonzero(bad):
            problems.append(Problem(int(features[i]), codes[i], f.name, bad_reason(f, raw.iloc[i])))
        if f.required:
            for i in np.flatnonzero(pd.isna(values).to_numpy() & ~bad):
                problems.append(
                    Problem(int(features[i]), codes[i], f.name, "missing required value")
                )
        out[f.name] = values
    geometry = np.array(chunk.geometry, dtype=object)
    flattened = _flatten(geometry)
    check = _geometry
    if layer.kind == "reference":  # imported here: twin.ingest.shapes builds on this module
        from twin.ingest.shapes import reference_geometry as check
    geoms, geom_problems, repairs, dropped = check(
        layer, geometry, chunk.broken, features, codes, opts
    )
    frame = _with_geometry(out, geoms, layer)
    problems += geom_problems
    if dropped:
        gone = set(dropped)
        frame = frame[~frame["feature"].isin(gone)].reset_index(drop=True)
        problems = [p for p in problems if p.feature not in gone]
    return Converted(frame, problems, repairs, [int(features[i]) for i in flattened])


def _flatten(geoms: np.ndarray) -> np.ndarray:
    """Drop Z values in place (the store keeps 2-D geometry); the positions that had them."""
    present = ~shapely.is_missing(geoms)
    has_z = np.zeros(len(geoms), dtype=bool)
    if present.any():
        has_z[present] = shapely.has_z(geoms[present])
    if has_z.any():
        geoms[has_z] = shapely.force_2d(geoms[has_z])
    return np.flatnonzero(has_z)


def _codes(chunk: Chunk, opts: Options) -> list[str | None]:
    column = opts.columns.get("code")
    if not column:
        return [None] * len(chunk.attributes)
    raw = chunk.attributes[column]
    return _texts(raw, raw.notna().to_numpy()).tolist()


def _texts(raw: pd.Series, present: np.ndarray) -> pd.Series:
    """_text of each present value, None elsewhere; one pass in C when all are strings."""
    values = raw.reset_index(drop=True).astype(object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.where(present, None)  # str(v) of a str is v
    return pd.Series(
        [_text(v) if p else None for v, p in zip(values, present, strict=True)], dtype=object
    )


def _text(v: object) -> str:
    # Codes read from GeoJSON or shapefiles often arrive as numbers: 101.0 is "101".
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def bad_reason(f: Field, value: object) -> str:
    """Why a value does not fit its field."""
    if f.type == "enum":
        return f"unknown value {value!r} (expected one of: {', '.join(f.allowed)}, or their labels)"
    return f"{value!r} is not a valid {f.type}"


def _convert(f: Field, raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Typed values and which present values failed to convert."""
    if f.type == "timestamp":
        return timestamps(raw)
    trimmed, present = _trimmed(raw)
    if f.type in ("text", "enum"):
        values = _texts(raw, present)
        if f.type == "text":
            return values, np.zeros(len(raw), dtype=bool)
        # Department extracts write labels (环境卫生) as often as codes (sanitation): a value
        # as written, else in lower case (dictionary lookups, not a call per value).
        if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
            stripped = trimmed.reset_index(drop=True).where(present, "")
        else:  # numbers: the text of 101.0 is "101"
            stripped = values.where(present, "").astype(str).str.strip()
        known = stripped.map(f.aliases)
        missed = known.isna().to_numpy() & present
        if missed.any():
            known[missed] = stripped[missed].str.lower().map(f.aliases)
        known = known.astype(object).where(present & known.notna().to_numpy(), None)
        return known, present & known.isna().to_numpy()
    if f.type in ("int", "float"):
        numbers = pd.to_numeric(raw.where(present), errors="coerce")
        bad = present & numbers.isna().to_numpy()
        if f.type == "int":
            fractional = numbers.notna().to_numpy() & (numbers.fillna(0) % 1 != 0).to_numpy()
            bad |= fractional
            return numbers.where(~pd.Series(bad)).astype("Int64"), bad
        return numbers.astype("float64"), bad
    if f.type == "bool":
        text = trimmed.str.lower()  # stripped once, above
        flags = [True if t in TRUE else False if t in FALSE else None for t in text]
        values = pd.Series(flags, dtype="object").where(present)
        return values, present & values.isna().to_numpy()
    raise ValueError(f"unknown field type {f.type!r}")


def _trimmed(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The values as stripped text (missing ones empty), and which are present (not missing,
    not blank)."""
    # Once per field, and by a plain loop: pandas' .str.strip costs twice as much.
    values = raw.astype(str).to_numpy(dtype=object, na_value="")
    trimmed = np.array([v.strip() for v in values], dtype=object)
    return pd.Series(trimmed, index=raw.index, dtype=object), trimmed != ""


def timestamps(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """UTC timestamps of a column and which present values are not times: the usual fixed
    ISO forms read from their bytes at once, any other column by pandas' parser."""
    fixed = parse_fixed(raw)
    if fixed is not None:
        return fixed, np.zeros(len(raw), dtype=bool)
    return parsed_timestamps(raw)


def parsed_timestamps(raw: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """UTC timestamps of a column by pandas' ISO 8601 parser (local texts China's time)."""
    trimmed, present = _trimmed(raw)
    text = trimmed.reset_index(drop=True).where(present)
    local = text.notna().to_numpy() & ~has_offset(text.fillna(""))
    if local.any():  # the concatenation is a pass over every text
        text = text.where(~local, text + CHINA_OFFSET)
    stamps = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    return stamps, present & stamps.isna().to_numpy()


def has_offset(text: pd.Series) -> np.ndarray:
    """Which texts end in a UTC offset (HAS_OFFSET: Z, +08:00, -0500), read from the last
    six characters of all of them at once (an offset is at most six)."""
    if len(text) == 0:
        return np.zeros(0, dtype=bool)
    # All texts as one array of code points (one join, one encode; a lone surrogate is one
    # code point too), each text's last six picked by position: no call per text.
    values = text.tolist()
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    codes = np.frombuffer("".join(values).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if codes.size == 0:  # every text empty
        return np.zeros(len(values), dtype=bool)
    from_end = np.arange(6, 0, -1)[:, None]  # a row per position from the end: rows contiguous
    inside = from_end <= lengths  # the text has a k-th character from its end
    tail = np.where(inside, codes[np.maximum(np.cumsum(lengths) - from_end, 0)], 0)

    def back(k: int) -> np.ndarray:  # the k-th character from the end (0 before the start)
        return tail[6 - k]

    def digits(*ks: int) -> np.ndarray:
        return np.logical_and.reduce([(back(k) >= ord("0")) & (back(k) <= ord("9")) for k in ks])

    def sign(k: int) -> np.ndarray:
        return (back(k) == ord("+")) | (back(k) == ord("-"))

    colon = sign(6) & digits(5, 4) & (back(3) == ord(":")) & digits(2, 1)
    plain = sign(5) & digits(4, 3, 2, 1)
    found = (back(1) == ord("Z")) | colon | plain
    # The expression reads these itself: \d takes any script's digits, $ matches before a
    # final newline, and NUL or control characters are left to it.
    control = (inside & (tail < 32)).any(axis=0)
    other = (tail.max(axis=0) > 127) | control
    if other.any():
        found[other] = text[other].str.contains(HAS_OFFSET).to_numpy(dtype=bool)
    return found


def _geometry(
    layer: Layer,
    geoms: np.ndarray,
    broken: np.ndarray | None,
    features: np.ndarray,
    codes: list[str | None],
    opts: Options,
) -> tuple[np.ndarray, list[Problem], list[str], list[int]]:
    problems: list[Problem] = []
    repairs: list[str] = []
    dropped: list[int] = []
    out = np.array(geoms, dtype=object)

    def problem(i: int, reason: str) -> None:
        problems.append(Problem(int(features[i]), codes[i], "geometry", reason))
        out[i] = None

    want = "Point" if layer.kind == "point" else "MultiPolygon"
    x0, y0, x1, y1 = allowed_bounds(opts.crs)
    broken = broken if broken is not None else np.full(len(out), None)
    for i in _to_check(out, broken, want, (x0, y0, x1, y1)):
        g = out[i]
        if broken[i] is not None:
            if not opts.fix:
                problem(i, "malformed geometry, e.g. a ring that does not close (--fix closes it)")
                continue
            out[i] = g = shapely.from_wkb(broken[i], on_invalid="fix")
            repairs.append(f"feature {features[i]}: closed an unclosed ring")
        if g is None or shapely.is_empty(g):
            if opts.fix and layer.kind == "grid":
                where = f"feature {features[i]}" + (f" (code {codes[i]})" if codes[i] else "")
                repairs.append(f"{where}: empty geometry, dropped (not loaded)")
                dropped.append(int(features[i]))
                out[i] = None
                continue
            problem(i, "empty geometry" + (" (--fix drops it)" if layer.kind == "grid" else ""))
            continue
        kind = g.geom_type
        if want == "Point" and kind == "MultiPoint" and shapely.get_num_geometries(g) == 1:
            if not opts.fix:
                problem(i, "a MultiPoint of one point (--fix takes the point)")
                continue
            out[i] = g = shapely.get_geometry(g, 0)
            repairs.append(f"feature {features[i]}: MultiPoint of one point taken as Point")
        elif want == "MultiPolygon" and kind == "Polygon":
            out[i] = g = shapely.multipolygons([g])
        elif g.geom_type != want:
            problem(i, f"wrong geometry type {kind}, expected {want}")
            continue
        bx0, by0, bx1, by1 = g.bounds
        if (
            not (x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1)
            or not np.isfinite(g.bounds).all()
        ):
            problem(
                i,
                f"coordinates out of range for {opts.crs.to_string()}: "
                f"({bx0:.6g}, {by0:.6g}) – ({bx1:.6g}, {by1:.6g})"
                + (
                    " (the file declares no CRS and was read as WGS 84: say which with --crs)"
                    if opts.crs_assumed
                    else ""
                ),
            )
            continue
        if not shapely.is_valid(g):
            reason = shapely.is_valid_reason(g)
            if not opts.fix:
                problem(i, f"invalid geometry: {reason} (--fix can repair it)")
                continue
            fixed = _polygonal(shapely.make_valid(g))
            if fixed is None:
                problem(i, f"invalid geometry: {reason}; nothing valid is left after repair")
                continue
            out[i] = fixed
            repairs.append(f"feature {features[i]}: made valid ({reason})")
    out = to_wgs84(out, opts.crs, opts.gcj02, polygonal=want == "MultiPolygon")
    if want == "MultiPolygon":
        for i, g in enumerate(out):
            if g is None:
                continue
            parts = shapely.get_parts(g)
            areas = shapely.area(parts) * M2_PER_DEG2
            if (areas < SLIVER_M2).any():
                if not opts.fix:
                    problem(
                        i,
                        f"{int((areas < SLIVER_M2).sum())} zero-area part(s) (slivers; "
                        "--fix drops them)",
                    )
                    continue
                kept = parts[areas >= SLIVER_M2]
                if len(kept) == 0:
                    problem(i, "nothing but zero-area slivers")
                    continue
                out[i] = shapely.multipolygons(list(kept))
                repairs.append(
                    f"feature {features[i]}: dropped "
                    f"{int((areas < SLIVER_M2).sum())} zero-area part(s)"
                )
    return out, problems, repairs, dropped


def _to_check(
    geoms: np.ndarray, broken: np.ndarray, want: str, bounds: tuple[float, ...]
) -> np.ndarray:
    """The positions the per-feature checks must visit: all of them for polygons; for
    points, only those not plainly fine (a valid Point inside the bounds, which the checks
    would pass untouched), found in one vectorised pass."""
    if want != "Point":
        return np.arange(len(geoms))
    x0, y0, x1, y1 = bounds
    fine = ~shapely.is_missing(geoms) & np.array([b is None for b in broken], dtype=bool)
    fine &= shapely.get_type_id(geoms) == shapely.GeometryType.POINT
    fine &= ~shapely.is_empty(geoms)
    box = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        fine &= np.isfinite(box).all(axis=1)
        fine &= (x0 <= box[:, 0]) & (box[:, 2] <= x1) & (y0 <= box[:, 1]) & (box[:, 3] <= y1)
    fine &= shapely.is_valid(geoms)
    return np.flatnonzero(~fine)


def _polygonal(g: shapely.Geometry) -> shapely.Geometry | None:
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.multipolygons(polys) if polys else None


def _with_geometry(frame: pd.DataFrame, geoms: np.ndarray, layer: Layer) -> pd.DataFrame:
    ok = np.array([g is not None for g in geoms])
    if layer.kind == "reference":  # handed to the reference store as shapes
        frame["geometry"] = geoms
    elif layer.kind == "point":
        lon, lat = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)
        lon[ok], lat[ok] = shapely.get_x(geoms[ok]), shapely.get_y(geoms[ok])
        frame["lon"], frame["lat"] = lon, lat
    else:
        frame["wkb"] = [shapely.to_wkb(g, hex=True) if g is not None else None for g in geoms]
    return frame
