"""`twin export`: a catalog layer to GeoPackage, GeoJSON, Shapefile or CSV, each also gzipped
or zipped."""

from __future__ import annotations

import gzip
import re
import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import psycopg
import pyogrio
import shapely
from psycopg import sql
from psycopg.rows import dict_row

from twin.catalog import Layer
from twin.db.queries import query
from twin.ingest.read import csv_stem
from twin.plans.asof import fetch_statuses_as_of
from twin.plans.versions import version_at
from twin.store import fetch_grid_statuses

FORMATS = {
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "ESRI Shapefile",
    ".csv": "CSV",
}
# Shapefile names stop at 10 letters: only these status columns, all short, go there (with
# each point layer's total, e.g. cameras: see shapefile_status).
SHAPEFILE_STATUS = ("open", "overdue", "composite")
OPERATORS = {"=": "=", "!=": "<>", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
# A --where is read as tokens, so a quoted value may hold "and", commas or parentheses.
# Quotes inside a quoted value are doubled, as in SQL: 'O''Brien'.
TOKEN = re.compile(
    r"""\s*(?:(?P<quoted>'(?:[^']|'')*'|"(?:[^"]|"")*")
         |(?P<op><=|>=|!=|<>|=|<|>)
         |(?P<punct>[(),])
         |(?P<word>[^\s'"(),=<>!]+))""",
    re.VERBOSE,
)
FIELD = re.compile(r"[a-z][a-z0-9_]*", re.IGNORECASE)
USAGE = "use field = value, <, <=, >, >=, !=, or field IN (a, b), joined by AND"


class ExportError(ValueError):
    """The export cannot be done as asked."""


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) of each token: quoted (quotes removed), op, punct or word."""
    out, pos, text = [], 0, text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExportError(f"--where: cannot read {text[pos:].strip()!r}: {USAGE}")
        kind = m.lastgroup or "word"
        value = m[kind]
        if kind == "quoted":
            value = value[1:-1].replace(value[0] * 2, value[0])
        out.append((kind, value))
        pos = m.end()
    return out


def _conditions(text: str) -> list[tuple[str, str, list[str]]]:
    """The (field, operator or 'in', values) of each condition joined by AND."""
    tokens, out, i = _tokens(text), [], 0
    while i < len(tokens):
        start = i
        kind, name = tokens[i]
        if kind != "word" or not FIELD.fullmatch(name):
            raise ExportError(f"--where: cannot read {name!r}: {USAGE}")
        op = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if op[0] == "op" and i + 2 < len(tokens) and tokens[i + 2][0] in ("quoted", "word"):
            out.append((name.lower(), op[1], [tokens[i + 2][1]]))
            i += 3
        elif op[0] == "word" and op[1].lower() == "in":
            values, i = _in_list(tokens, i + 2, text)
            out.append((name.lower(), "in", values))
        else:
            raise ExportError(f"--where: cannot read {_rest(tokens, start)!r}: {USAGE}")
        if i < len(tokens):
            if tokens[i][0] != "word" or tokens[i][1].lower() != "and" or i + 1 == len(tokens):
                raise ExportError(f"--where: cannot read {_rest(tokens, i)!r}: {USAGE}")
            i += 1
    return out


def _in_list(tokens: list[tuple[str, str]], i: int, text: str) -> tuple[list[str], int]:
    """The values of an IN (a, b, …) list starting at token i, and the token after it."""
    if i >= len(tokens) or tokens[i] != ("punct", "("):
        raise ExportError(f"--where: cannot read {text!r}: IN wants a list in parentheses")
    values, i = [], i + 1
    while i < len(tokens) and tokens[i][0] in ("quoted", "word"):
        values.append(tokens[i][1])
        i += 1
        if i < len(tokens) and tokens[i] == ("punct", ","):
            i += 1
    if i >= len(tokens) or tokens[i] != ("punct", ")") or not values:
        raise ExportError(f"--where: cannot read {text!r}: IN wants (a, b, …)")
    return values, i + 1


def _rest(tokens: list[tuple[str, str]], i: int) -> str:
    return " ".join(t for _, t in tokens[i:])


def build_where(layer: Layer, text: str | None) -> tuple[sql.Composable, dict[str, Any]]:
    """A --where filter (conditions on catalog fields joined by AND) as SQL with parameters:
    field = value, != < <= > >=, or field IN (a, b). Anything else is refused."""
    if not text or not text.strip():
        return sql.SQL("true"), {}
    parts: list[sql.Composable] = []
    params: dict[str, Any] = {}
    for i, (name, op, values) in enumerate(_conditions(text)):
        if name not in layer.field_names:
            raise ExportError(
                f"--where: {name!r} is not a field of layer {layer.name} "
                f"(fields: {', '.join(layer.field_names)})"
            )
        column = _column_sql(layer, name)
        key = f"w{i}"
        if op == "in":
            params[key] = values
            parts.append(sql.SQL("{}::text = ANY(%({})s)").format(column, sql.SQL(key)))
        else:
            params[key] = values[0]
            cast = sql.SQL("::text") if layer.field(name).type in ("text", "enum") else sql.SQL("")
            parts.append(
                sql.SQL("{}{} {} %({})s").format(column, cast, sql.SQL(OPERATORS[op]), sql.SQL(key))
            )
    return sql.SQL(" AND ").join(parts), params


def _column_sql(layer: Layer, name: str) -> sql.Composable:
    if layer.kind == "grid":
        return sql.Identifier("p", "code") if name == "parent_code" else sql.Identifier("g", name)
    return sql.Identifier("t", name)


def fetch_features(
    conn: psycopg.Connection,
    layer: Layer,
    where: str | None = None,
    as_of: datetime | None = None,
) -> gpd.GeoDataFrame:
    """The layer's catalog fields and geometry (only those leave the database), filtered;
    grid layers also carry their status columns. as_of: a grid layer as the version in
    force then had it, its counts recounted against that version's units."""
    condition, params = build_where(layer, where)
    version = None
    if as_of is not None:
        if layer.kind != "grid":
            raise ExportError(
                f"--as-of applies to grid layers; {layer.name} is a {layer.kind} layer"
            )
        version = version_at(conn, as_of)
    fields = sql.SQL(", ").join(
        sql.SQL("{} AS {}").format(_column_sql(layer, f), sql.Identifier(f))
        for f in layer.field_names
    )
    if version is not None:
        # A past version's units read as the grid table's: g the unit, p its parent's code.
        stmt = sql.SQL(
            "SELECT {fields}, ST_AsBinary(g.geom) AS geom FROM grid_history g "
            "CROSS JOIN LATERAL (SELECT g.parent_code AS code) p "
            "WHERE g.level = %(level)s AND g.version_from <= %(version)s "
            "AND (g.version_to IS NULL OR g.version_to > %(version)s) AND {cond} ORDER BY g.code"
        ).format(fields=fields, cond=condition)
        params |= {"level": layer.level, "version": version}
    elif layer.kind == "grid":
        stmt = sql.SQL(
            "SELECT {fields}, ST_AsBinary(g.geom) AS geom FROM grid g "
            "LEFT JOIN grid p ON p.id = g.parent_id "
            "WHERE g.level = %(level)s AND {cond} ORDER BY g.code"
        ).format(fields=fields, cond=condition)
        params["level"] = layer.level
    elif layer.kind == "reference":
        # Every reference layer shares one table: its rows are the layer's by name.
        stmt = sql.SQL(
            "SELECT {fields}, ST_AsBinary(t.geom) AS geom FROM {table} t "
            "WHERE t.layer = %(layer)s AND {cond} ORDER BY t.code"
        ).format(fields=fields, table=sql.Identifier(layer.table), cond=condition)
        params["layer"] = layer.name
    else:
        stmt = sql.SQL(
            "SELECT {fields}, ST_AsBinary(t.geom) AS geom FROM {table} t "
            "WHERE {cond} ORDER BY t.code"
        ).format(fields=fields, table=sql.Identifier(layer.table), cond=condition)
    try:
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(stmt, params).fetchall()
    except psycopg.errors.DataError as exc:  # a value of the wrong type for its field
        raise ExportError(f"--where {where!r}: {exc.diag.message_primary}") from None
    frame = pd.DataFrame(rows, columns=[*layer.field_names, "geom"])
    geometry = shapely.from_wkb([bytes(g) for g in frame.pop("geom")])
    features = gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
    if layer.kind == "grid" and len(features):
        if version is None:
            status = fetch_grid_statuses(conn, layer.level or "grid")
        else:
            status = fetch_statuses_as_of(conn, version, layer.level or "grid")
        status = status.drop(
            columns=[c for c in status.columns if c in layer.field_names and c != "code"]
            + ["id", "level", "parent_id", "parent_code", "area_m2"],
            errors="ignore",
        )
        status["reasons"] = status["reasons"].map(",".join)
        features = features.merge(status, on="code", how="left")
    return features


def output_format(path: Path) -> tuple[str, str | None]:
    """The data format's suffix and the wrapper (.gz, .zip or None) a path asks for; a bare
    .zip is a zipped shapefile, as public data comes."""
    suffixes = [s.lower() for s in path.suffixes]
    wrapper = suffixes[-1] if suffixes and suffixes[-1] in (".gz", ".zip") else None
    inner = suffixes[-2] if wrapper and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    if wrapper == ".zip" and inner not in FORMATS:
        inner = ".shp"
    if inner not in FORMATS or (wrapper == ".gz" and inner == ".shp"):
        raise ExportError(
            f"{path}: unknown format; use one of {', '.join(FORMATS)}, each also as .zip "
            "(a bare .zip is a zipped shapefile) or, but for .shp, as .gz"
        )
    return inner, wrapper


def export_layer(
    conn: psycopg.Connection,
    layer: Layer,
    path: Path,
    crs: str | None = None,
    where: str | None = None,
    as_of: datetime | None = None,
) -> int:
    """Write the layer to path (format from the extension); return the feature count.
    as_of: a grid layer as the version in force at that moment had it."""
    inner, wrapper = output_format(path)
    if wrapper is None:
        return _export(conn, layer, path, crs, where, as_of)
    stem = path.name[: -len(wrapper)]
    if not stem.lower().endswith(inner):
        stem += inner
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        n = _export(conn, layer, Path(tmp) / stem, crs, where, as_of)
        written = sorted(Path(tmp).iterdir())
        if wrapper == ".gz":
            with open(Path(tmp) / stem, "rb") as src, gzip.open(path, "wb") as out:
                shutil.copyfileobj(src, out)
            for extra in (w for w in written if w.name != stem):  # a CSV's .prj
                shutil.copy(extra, path.with_name(extra.name))
        else:
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                for part in written:
                    z.write(part, part.name)
    return n


def _export(
    conn: psycopg.Connection,
    layer: Layer,
    path: Path,
    crs: str | None,
    where: str | None,
    as_of: datetime | None = None,
) -> int:
    driver = FORMATS[path.suffix.lower()]
    features = fetch_features(conn, layer, where, as_of)
    if crs:
        features = features.to_crs(f"EPSG:{crs}" if crs.isdigit() else crs)
    if driver == "ESRI Shapefile" and layer.kind == "grid":
        extra = [c for c in features.columns if c not in (*layer.field_names, "geometry")]
        keep = shapefile_status(conn)
        features = features.drop(columns=[c for c in extra if c not in keep])
    if driver in ("ESRI Shapefile", "CSV", "GeoJSON"):
        features = _timestamps_as_text(features)
    if driver == "ESRI Shapefile":  # names stop at 10 letters; the loader reads them back so
        features = features.rename(columns=lambda c: c if c == "geometry" else c[:10])
    path.parent.mkdir(parents=True, exist_ok=True)
    if driver == "CSV":
        _write_csv(features, layer, path, crs is not None)
    else:
        options = {"SIGNIFICANT_FIGURES": 17, "RFC7946": "NO"} if driver == "GeoJSON" else {}
        pyogrio.write_dataframe(
            features,
            path,
            driver=driver,
            layer=layer.name,
            encoding="UTF-8" if driver == "ESRI Shapefile" else None,
            layer_options=options or None,
        )
    return len(features)


def shapefile_status(conn: psycopg.Connection) -> tuple[str, ...]:
    """The status columns a grid Shapefile carries: the core ones and every point layer's
    total (a layer only its TOML defines included), those whose names fit in 10 letters."""
    totals = [r[0] for r in conn.execute(query("stat_totals"))]
    return tuple(c for c in (*SHAPEFILE_STATUS, *totals) if len(c) <= 10)


def _timestamps_as_text(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Timestamps as ISO 8601 text with their offset: exact where a format has no datetime."""
    out = frame.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = [None if pd.isna(v) else v.isoformat() for v in out[c]]
    return out


def _write_csv(features: gpd.GeoDataFrame, layer: Layer, path: Path, declare: bool) -> None:
    """lon/lat (or wkt) in WGS 84, which the loader assumes of a CSV; in a CRS asked for, a
    .prj beside the file names it (the loader reads it), and projected axes are x/y."""
    table = pd.DataFrame(features.drop(columns="geometry"))
    if layer.kind == "point":
        projected = not features.crs.is_geographic
        table.insert(0, "y" if projected else "lat", features.geometry.y)
        table.insert(0, "x" if projected else "lon", features.geometry.x)
    else:
        table["wkt"] = shapely.to_wkt(features.geometry.to_numpy(), rounding_precision=-1)
    table.to_csv(path, index=False, encoding="utf-8")
    if declare:
        path.with_name(csv_stem(path.name) + ".prj").write_text(features.crs.to_wkt(), "utf-8")
