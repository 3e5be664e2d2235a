"""Plans to and from GeoJSON (the HTTP import and export): a FeatureCollection of one level's
units in lon/lat, each feature's properties the columns `twin plan import` reads. Parsing
collects every problem, by feature number (1-based, as `twin load` counts) and field."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely
import shapely.geometry

from twin.plans.geometry import polygonal
from twin.plans.model import UnitState

TEXT = ("name", "parent_code", "officer")
COUNTS = ("population", "households")


@dataclass(frozen=True)
class FeatureProblem:
    """What is wrong with one feature of an imported collection."""

    feature: int | None  # None: the collection itself
    field: str
    message: str

    def to_json(self) -> dict[str, Any]:
        """As JSON."""
        return {"feature": self.feature, "field": self.field, "message": self.message}


def rows_from_geojson(body: Any) -> tuple[list[dict[str, Any]], list[FeatureProblem]]:
    """The collection's features as import rows (fields, geom, feature), and every problem."""
    if not isinstance(body, dict) or body.get("type") != "FeatureCollection":
        return [], [FeatureProblem(None, "type", "the body must be a GeoJSON FeatureCollection")]
    features = body.get("features")
    if not isinstance(features, list) or not features:
        return [], [FeatureProblem(None, "features", "features must be a non-empty list")]
    rows, problems = [], []
    seen: dict[str, int] = {}
    for n, feature in enumerate(features, start=1):
        row, found = _row(n, feature)
        code = row.get("code")
        if isinstance(code, str) and code in seen:
            found.append(FeatureProblem(n, "code", f"code {code} is also feature {seen[code]}'s"))
        elif isinstance(code, str):
            seen[code] = n
        problems += found
        rows.append(row)
    return rows, problems


def _row(n: int, feature: Any) -> tuple[dict[str, Any], list[FeatureProblem]]:
    """One feature as an import row, and its problems."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return {}, [FeatureProblem(n, "type", "not a GeoJSON Feature")]
    props = feature.get("properties")
    if props is None:
        props = {}
    if not isinstance(props, dict):
        return {}, [FeatureProblem(n, "properties", "properties must be an object")]
    problems: list[FeatureProblem] = []
    row: dict[str, Any] = {"feature": n}
    code = props.get("code")
    if not isinstance(code, str) or not code.strip():
        problems.append(FeatureProblem(n, "code", "code is required (text)"))
    else:
        row["code"] = code.strip()
    for field in TEXT:
        if field in props:
            value = props[field]
            if value is not None and not isinstance(value, str):
                problems.append(FeatureProblem(n, field, f"{field} must be text"))
            row[field] = value or None
    for field in COUNTS:
        if field in props:
            value = props[field]
            ok = value is None or (type(value) is int and 0 <= value < 2**31)
            if not ok:
                problems.append(FeatureProblem(n, field, f"{field} must be a whole number ≥ 0"))
            row[field] = value
    geom, why = _geometry(feature.get("geometry"))
    if why:
        problems.append(FeatureProblem(n, "geometry", why))
    row["geom"] = geom
    return row, problems


def _geometry(value: Any) -> tuple[Any, str]:
    """A polygon in lon/lat from GeoJSON, or why not."""
    if not isinstance(value, dict):
        return None, "geometry is required: a GeoJSON Polygon or MultiPolygon"
    if value.get("type") not in ("Polygon", "MultiPolygon"):
        return None, f"geometry type {value.get('type')!r}: a Polygon or MultiPolygon"
    try:
        geom = shapely.geometry.shape(value)
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        IndexError,
        shapely.errors.ShapelyError,
    ):
        return None, "geometry is not valid GeoJSON (coordinates)"
    if geom.is_empty:
        return None, "geometry is empty"
    lon0, lat0, lon1, lat1 = geom.bounds
    if not all(math.isfinite(v) for v in geom.bounds):
        return None, "coordinates must be finite numbers"
    if lon0 < -180 or lon1 > 180 or lat0 < -90 or lat1 > 90:
        return None, "coordinates out of range for lon/lat (EPSG:4326)"
    if not geom.is_valid:
        return None, f"geometry is not valid: {shapely.is_valid_reason(geom)}"
    return polygonal(geom), ""


def unit_feature(u: UnitState, parent_key: str = "parent_code", **extra: Any) -> dict[str, Any]:
    """One unit as a GeoJSON Feature (its code as the id); extra properties appended."""
    return {
        "type": "Feature",
        "id": u.code,
        "geometry": shapely.geometry.mapping(u.geom),
        "properties": unit_properties(u, parent_key, **extra),
    }


def unit_properties(u: UnitState, parent_key: str = "parent_code", **extra: Any) -> dict[str, Any]:
    """A unit's properties as its Feature carries them."""
    return {
        "code": u.code,
        "name": u.name,
        "level": u.level,
        parent_key: u.parent,
        "officer": u.officer,
        "population": u.population,
        "households": u.households,
        **extra,
    }


def units_to_geojson(units: Sequence[UnitState]) -> dict[str, Any]:
    """Units as a FeatureCollection whose properties `twin plan import` reads back."""
    return {"type": "FeatureCollection", "features": [unit_feature(u) for u in units]}
