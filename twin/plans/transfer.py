"""Plans to and from GIS files: a file holding a level's units as they should be becomes the
plan's changes; a plan goes out as a GeoPackage with one layer per level and its problems.

Import rules: the file is read as `twin load` reads it (any of its formats, --map, the CRS
it declares; a CSV without one is WGS 84). Each feature is a unit of the level by its code:
a code the scope has at that level is changed where it differs, a new code is added, and a
code of that level in the scope but not in the file is removed. A column the file lacks
(officer, population, households, parent_code) keeps the value in force; a new unit without
parent_code gets the unit of the level above that holds its inside point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyogrio
import shapely

from twin.activity import Clock
from twin.catalog import Layer
from twin.db.queries import query
from twin.ingest.convert import to_wgs84
from twin.ingest.load import source_crs
from twin.ingest.read import open_source
from twin.ingest.validate import resolve_columns
from twin.plans import store
from twin.plans.checks import changes_to, context_units, levels_of, validate_plan
from twin.plans.geometry import polygonal
from twin.plans.model import UnitState
from twin.plans.rules import Rules

OPTIONAL = ("officer", "population", "households", "parent_code")


@dataclass(frozen=True)
class Imported:
    """What an import changed in the plan."""

    level: str
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    revision: int


def finest_loaded(conn: psycopg.Connection) -> str:
    """The finest level that holds units (--level's default)."""
    row = conn.execute(query("grid_levels_loaded")).fetchone()
    if row is None:
        raise store.PlanError("no units are loaded: load a grid layer before importing a plan")
    return str(row[0])


def layer_of(layers: Mapping[str, Layer], level: str) -> Layer:
    """The catalog's layer of a level."""
    for layer in layers.values():
        if layer.kind == "grid" and layer.level == level:
            return layer
    known = ", ".join(sorted(x.level or "" for x in layers.values() if x.kind == "grid"))
    raise store.PlanError(f"--level {level!r}: no grid layer has that level ({known})")


def read_units(
    path: Path, layer: Layer, layer_name: str | None, mapping: dict[str, str]
) -> list[dict[str, Any]]:
    """The file's features as dicts of the layer's fields plus geom (lon/lat)."""
    source = open_source(path, layer_name, mapping)
    columns, problems = resolve_columns(layer, source.columns, mapping)
    if problems:
        raise store.PlanError(f"{path}: " + "; ".join(f"{p.field}: {p.reason}" for p in problems))
    crs = source_crs(source.crs, None, path, assume_wgs84=bool(source.csv_geometry))
    out = []
    for chunk in source.chunks():
        geoms = to_wgs84(np.asarray(chunk.geometry, dtype=object), crs, False, True)
        for k, geom in enumerate(geoms):
            row = {f: chunk.attributes[c].iloc[k] for f, c in columns.items()}
            feature = chunk.first + k
            if geom is None or geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise store.PlanError(f"{path}: feature {feature} has no polygon geometry")
            row |= {"geom": polygonal(geom), "feature": feature}
            out.append({k2: (None if _missing(v) else v) for k2, v in row.items()})
    return out


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA


def wanted_units(
    rows: Sequence[dict[str, Any]],
    level: str,
    current: dict[str, UnitState],
    parents: list[UnitState],
) -> list[UnitState]:
    """The units the file asks for (see the module for missing columns)."""
    seen: dict[str, int] = {}
    out = []
    tree = shapely.STRtree([p.geom for p in parents]) if parents else None
    for row in rows:
        code = str(row.get("code") or "").strip()
        if not code:
            raise store.PlanError(f"feature {row['feature']}: no code")
        if code in seen:
            raise store.PlanError(f"features {seen[code]} and {row['feature']}: both code {code}")
        seen[code] = row["feature"]
        old = current.get(code)
        keep = {
            f: getattr(old, "parent" if f == "parent_code" else f) if old else None
            for f in OPTIONAL
        }
        given = {f: row[f] for f in OPTIONAL if f in row}
        values = keep | given
        parent = values["parent_code"]
        if parent is None and old is None and tree is not None:
            inside = shapely.point_on_surface(row["geom"])
            hits = tree.query(inside, predicate="intersects")
            parent = min((parents[int(i)].code for i in hits), default=None)
        out.append(
            UnitState(
                code=code,
                name=str(row.get("name") or (old.name if old else code)),
                level=level,
                parent=str(parent) if parent is not None else None,
                geom=row["geom"],
                officer=None if values["officer"] is None else str(values["officer"]),
                population=None if values["population"] is None else int(values["population"]),
                households=None if values["households"] is None else int(values["households"]),
            )
        )
    return out


def import_plan(
    conn: psycopg.Connection,
    name: str,
    path: Path,
    level: str | None,
    layer_name: str | None,
    mapping: dict[str, str],
    actor: str,
    clock: Clock,
    layers: Mapping[str, Layer],
) -> Imported:
    """Make the plan's units of a level those of the file (the plan is created when new)."""
    level = level or finest_loaded(conn)
    rows = read_units(path, layer_of(layers, level), layer_name, mapping)
    return import_rows(conn, name, rows, level, actor, clock)


def import_rows(
    conn: psycopg.Connection,
    name: str,
    rows: Sequence[dict[str, Any]],
    level: str,
    actor: str,
    clock: Clock,
) -> Imported:
    """Make the plan's units of a level these rows (fields, geom, feature number)."""
    try:
        plan = store.get_plan(conn, name)
    except store.PlanError:
        plan = store.new_plan(conn, name, None, actor, clock)
    proposed = context_units(conn, plan) + store.proposed_units(conn, plan)
    current = {u.code: u for u in proposed if u.level == level}
    levels = levels_of(conn)
    above = levels[levels.index(level) - 1] if levels.index(level) > 0 else None
    parents = [u for u in proposed if u.level == above]
    wanted = wanted_units(rows, level, current, parents)
    upserts = changes_to(list(current.values()), wanted)
    removals = sorted(set(current) - {u.code for u in wanted})
    revision = plan.revision
    if upserts or removals:
        revision = store.write_changes(
            conn, plan, upserts, removals, actor, plan.revision, action="import", clock=clock
        )
    added = tuple(sorted(u.code for u in upserts if u.code not in current))
    changed = tuple(sorted(u.code for u in upserts if u.code in current))
    return Imported(level, added, changed, tuple(removals), revision)


def export_plan(conn: psycopg.Connection, name: str, path: Path, rules: Rules) -> dict[str, int]:
    """Write the plan's map to a GeoPackage: a layer per level, and a layer 'problems'."""
    if path.suffix.lower() != ".gpkg":
        raise store.PlanError(f"{path}: a plan exports to a GeoPackage (.gpkg): it has two layers")
    plan = store.get_plan(conn, name)
    units = store.proposed_units(conn, plan)
    problems = validate_plan(conn, plan, rules)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    written: dict[str, int] = {}
    for level in levels_of(conn):
        mine = [u for u in units if u.level == level]
        if not mine:
            continue
        frame = gpd.GeoDataFrame(
            {
                "code": [u.code for u in mine],
                "name": [u.name for u in mine],
                "parent_code": [u.parent for u in mine],
                "officer": [u.officer for u in mine],
                "population": pd.array([u.population for u in mine], dtype="Int64"),
                "households": pd.array([u.households for u in mine], dtype="Int64"),
            },
            geometry=[store.to_multi(u.geom) for u in mine],
            crs="EPSG:4326",
        )
        pyogrio.write_dataframe(frame, path, layer=level, driver="GPKG", append=bool(written))
        written[level] = len(mine)
    found = gpd.GeoDataFrame(
        {
            "kind": [p.kind for p in problems],
            "codes": [",".join(p.codes) for p in problems],
            "area_m2": [p.area_m2 for p in problems],
            "detail": [p.detail for p in problems],
        },
        geometry=[_shape(p.geom, p.lon, p.lat) for p in problems],
        crs="EPSG:4326",
    )
    pyogrio.write_dataframe(
        found, path, layer="problems", driver="GPKG", append=bool(written), geometry_type="Unknown"
    )
    written["problems"] = len(problems)
    return written


def _shape(geom: Any, lon: float, lat: float) -> Any:
    return geom if geom is not None and not geom.is_empty else shapely.Point(lon, lat)
