"""The compare page without Dash: two maps (versions or plans) through twin.plans' diff, the
units that differ drawn from each, the areas that changed hands coloured, the tables' rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
import shapely

from twin.app.i18n import fmt_number, t
from twin.plans import store
from twin.plans.checks import map_of
from twin.plans.diff import Diff, diff
from twin.plans.model import UnitState
from twin.plans.versions import list_versions

# Areas that changed hands, coloured by the unit that took them (colour-blind-safe set).
PALETTE = ("#e69f00", "#56b4e9", "#009e73", "#d55e00", "#cc79a7", "#0072b2", "#f0e442")
VIEWS = ("side", "overlay")


@dataclass(frozen=True)
class Comparison:
    """Two maps' differing units (each as its map has it) and their diff."""

    a: str
    b: str
    units_a: tuple[UnitState, ...]
    units_b: tuple[UnitState, ...]
    diff: Diff


def compare(conn: psycopg.Connection, a: str, b: str) -> Comparison:
    """Compare the maps a and b (version numbers or plan names); refusals raise."""
    map_a, map_b = map_of(conn, a), map_of(conn, b)
    found = diff(map_a, map_b)
    changed = {r.code for r in found.rows}
    return Comparison(
        a,
        b,
        tuple(u for u in map_a if u.code in changed),
        tuple(u for u in map_b if u.code in changed),
        found,
    )


def ref_options(conn: psycopg.Connection, lang: str) -> list[dict[str, str]]:
    """What can be compared: every version (newest first), then every plan."""
    versions = [
        {"label": t("cmp_version", lang, n=v["version"]), "value": str(v["version"])}
        for v in list_versions(conn)
    ]
    plans = [
        {"label": t("cmp_plan", lang, name=p["name"]), "value": p["name"]}
        for p in store.list_plans(conn)
    ]
    return versions + plans


def unit_features(units: Sequence[UnitState]) -> dict[str, Any]:
    """Units as GeoJSON with their code, name and level (shown as text by the tooltip)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(u.geom),
                "properties": {"code": u.code, "label": f"{u.code} {u.name}", "level": u.level},
            }
            for u in units
        ],
    }


def colours(found: Diff) -> dict[str | None, str]:
    """A colour for each unit that took an area (the same unit, the same colour)."""
    takers = sorted({e.to_code for e in found.exchanges}, key=lambda c: (c is None, c or ""))
    return {code: PALETTE[i % len(PALETTE)] for i, code in enumerate(takers)}


def exchange_features(found: Diff, lang: str) -> dict[str, Any]:
    """The areas that changed hands, each with its colour and a label 'from → to, area'."""
    colour = colours(found)
    nobody = t("cmp_nobody", lang)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(e.geom),
                "properties": {
                    "colour": colour[e.to_code],
                    "label": f"{e.from_code or nobody} → {e.to_code or nobody} · "
                    f"{fmt_number(round(e.area_m2), lang)} m²",
                },
            }
            for e in found.exchanges
        ],
    }


def diff_rows(found: Diff, lang: str) -> list[dict[str, str]]:
    """The diff table: code, level, what changed, area before and after."""
    return [
        {
            "code": r.code,
            "level": r.level,
            "changes": "、".join(t(f"change_{c}", lang) for c in r.changes)
            if lang != "en"
            else ", ".join(t(f"change_{c}", lang) for c in r.changes),
            "before": fmt_number(round(r.area_before_m2), lang),
            "after": fmt_number(round(r.area_after_m2), lang),
        }
        for r in found.rows
    ]


def exchange_rows(found: Diff, lang: str) -> list[dict[str, str]]:
    """The areas that changed hands: from, to, area, colour."""
    colour, nobody = colours(found), t("cmp_nobody", lang)
    return [
        {
            "from": e.from_code or nobody,
            "to": e.to_code or nobody,
            "area": fmt_number(round(e.area_m2), lang),
            "colour": colour[e.to_code],
        }
        for e in found.exchanges
    ]


def summary(found: Diff, lang: str) -> str:
    """'3 units differ; 4 areas changed hands, 12,345 m² in all'."""
    area = sum(e.area_m2 for e in found.exchanges if e.from_code and e.to_code)
    return t(
        "cmp_summary",
        lang,
        rows=fmt_number(len(found.rows), lang),
        exchanges=fmt_number(len(found.exchanges), lang),
        area=fmt_number(round(area), lang),
    )


def bounds_of(units: Sequence[UnitState], fallback: list[list[float]]) -> list[list[float]]:
    """Leaflet bounds around the units (padded), or the fallback when there are none."""
    if not units:
        return fallback
    w, s, e, n = shapely.total_bounds([u.geom for u in units])
    pad_x, pad_y = max((e - w) * 0.15, 0.002), max((n - s) * 0.15, 0.002)
    return [[s - pad_y, w - pad_x], [n + pad_y, e + pad_x]]
