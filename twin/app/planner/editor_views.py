"""The plan editor's pure parts: what the engine answered, turned into what the page shows
(problem list, impact table, moved points, balance chart, messages) and what a drawing is
about (the unit a line splits, the parent of a new unit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import shapely
import shapely.geometry

from twin.app.i18n import fmt_number, t
from twin.plans.model import UnitState
from twin.plans.rules import MEASURES

Json = dict[str, Any]
PAD_DEG = 0.0015  # around a problem the map zooms to, so its neighbours show


def merge_answer(old: Json, new: Json) -> Json:
    """The page's state after an answer: a refusal keeps the state it had, with the message."""
    if "view" in new:
        return new
    return {**old, "message": new.get("message"), "server_ms": new.get("server_ms")}


def units_bounds(units: Sequence[UnitState], fallback: list[list[float]]) -> list[list[float]]:
    """[[south, west], [north, east]] of the units shown (the city's when there are none)."""
    shapes = [u.geom for u in units if u.geom is not None and not u.geom.is_empty]
    if not shapes:
        return fallback
    w, s, e, n = shapely.total_bounds(shapes)
    return [[float(s), float(w)], [float(n), float(e)]]


def shape_of(geometry: Any) -> Any | None:
    """A GeoJSON geometry as shapely (None when it is not one)."""
    try:
        shape = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.ShapelyError):
        return None
    return None if shape.is_empty else shape


def finest(units: Json, levels: Sequence[str]) -> str | None:
    """The finest level present among the units."""
    present = {f["properties"]["level"] for f in units.get("features", [])}
    return next((lv for lv in reversed(levels) if lv in present), None)


def of_level(units: Json, level: str | None) -> Json:
    """The features of one level."""
    feats = [f for f in units.get("features", []) if f["properties"]["level"] == level]
    return {"type": "FeatureCollection", "features": feats}


def above(units: Json, level: str | None) -> Json:
    """The features of every other level (drawn as outlines)."""
    feats = [f for f in units.get("features", []) if f["properties"]["level"] != level]
    return {"type": "FeatureCollection", "features": feats}


def toggle(codes: Sequence[str], code: str) -> list[str]:
    """The selection with code added (or taken out when it was in)."""
    return [c for c in codes if c != code] if code in codes else [*codes, code]


def _of_level(units: Sequence[UnitState], level: str | None) -> list[UnitState]:
    """The units of one level with a polygonal outline."""
    return [u for u in units if u.level == level and u.geom is not None and not u.geom.is_empty]


def split_target(units: Sequence[UnitState], line: Any, level: str | None) -> str | None:
    """The unit of the level the drawn line runs through furthest (None: it crosses none)."""
    path = shape_of(line)
    kept = _of_level(units, level)
    if path is None or not kept:
        return None
    inside = shapely.length(shapely.intersection(path, [u.geom for u in kept]))
    best = max(zip(inside.tolist(), [u.code for u in kept], strict=True))
    return best[1] if best[0] > 0 else None


def parent_for(
    units: Sequence[UnitState], drawn: Any, level: str | None, levels: Sequence[str]
) -> str | None:
    """The unit of the level above that covers most of a drawn outline."""
    shape = shape_of(drawn)
    if shape is None or level not in levels or levels.index(level) == 0:
        return None
    up = levels[levels.index(level) - 1]
    kept = [u for u in _of_level(units, up) if u.geom.intersects(shape)]
    if not kept:
        return None
    areas = shapely.area(shapely.intersection(shape, [u.geom for u in kept]))
    return max(zip(areas.tolist(), [u.code for u in kept], strict=True))[1]


def problem_items(problems: Sequence[Json], lang: str) -> list[Json]:
    """Each problem as the list shows it: kind, units, area, and the bounds to zoom to."""
    out = []
    for i, p in enumerate(problems):
        props = p["properties"]
        shape = shape_of(p["geometry"]) or shapely.Point(props["lon"], props["lat"])
        w, s, e, n = shape.bounds
        out.append(
            {
                "index": i,
                "kind": t(f"pk_{props['kind']}", lang),
                "codes": ", ".join(props["codes"]),
                "area": t("ed_area_m2", lang, n=fmt_number(round(props["area_m2"], 1), lang)),
                "building": (
                    t("ed_building", lang, code=props.get("detail", ""))
                    if props["kind"] == "crosses_building"
                    else ""
                ),
                "bounds": [[s - PAD_DEG, w - PAD_DEG], [n + PAD_DEG, e + PAD_DEG]],
            }
        )
    return out


def impact_rows(impact: Json, changed: Sequence[str]) -> list[Json]:
    """One row per touched unit: code, what changed, and before → after per measure; the
    units the last edit touched first."""
    rows = sorted(impact.get("rows", []), key=lambda r: (r["code"] not in changed, r["code"]))
    out = []
    for r in rows:
        row: Json = {"code": r["code"], "change": r["change"], "latest": r["code"] in changed}
        for m in MEASURES:
            row[m] = (r.get(f"{m}_before"), r.get(f"{m}_after"))
        out.append(row)
    return out


def before_after(pair: tuple[Any, Any], lang: str) -> str:
    """ "412 → 388" (a missing side as a dash)."""
    a, b = pair
    return f"{fmt_number(a, lang)} → {fmt_number(b, lang)}"


def moved_points(impact: Json) -> Json:
    """The points that change unit as GeoJSON (layer, code, from, to)."""
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [m["lon"], m["lat"]]},
            "properties": {
                "layer": m["layer"],
                "code": m["code"],
                "from": m["from_code"],
                "to": m["to_code"],
            },
        }
        for m in impact.get("moved", [])
        if m.get("lon") is not None and m.get("lat") is not None
    ]
    return {"type": "FeatureCollection", "features": feats}


def inheritors(impact: Json) -> list[Json]:
    """Who inherits the moved open cases: (from officer, to officer) with the cases, most first."""
    groups: dict[tuple[str, str], list[str]] = {}
    for c in impact.get("inherited", []):
        key = (c["from_officer"] or "–", c["to_officer"] or "–")
        groups.setdefault(key, []).append(c["code"])
    return [
        {"from": k[0], "to": k[1], "cases": sorted(v)}
        for k, v in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]


def balance_text(impact: Json, lang: str) -> str:
    """The balance figures before → after: max/min ratio and coefficient of variation."""
    b = impact.get("balance", {})
    before, after = b.get("before", {}), b.get("after", {})

    def num(v: Any) -> str:
        return "–" if v is None else f"{v:.2f}"

    return t(
        "ed_balance_figures",
        lang,
        r0=num(before.get("max_min_ratio")),
        r1=num(after.get("max_min_ratio")),
        c0=num(before.get("cv")),
        c1=num(after.get("cv")),
    )


def chart_officers(impact: Json, officers: dict[str, Any]) -> tuple[list[str], bool]:
    """The officers the balance chart shows, and whether their workload changes: those whose
    workload changes; when none does, the officers of the touched units (before = after); when
    no unit is touched, every officer of the area. `officers`: the officer of each unit code
    (the answer's, of the units the impact names)."""
    b = impact.get("balance", {})
    before = b.get("before", {}).get("per_officer", {})
    after = b.get("after", {}).get("per_officer", {})
    known = before.keys() | after.keys()
    moving = sorted(o for o in known if before.get(o) != after.get(o))
    if moving:
        return moving, True
    touched = {r["code"] for r in impact.get("rows", [])}
    of_touched = {o for code, o in officers.items() if code in touched}
    return sorted((of_touched & known) or known), False


def balance_figure(impact: Json, lang: str, officers: dict[str, Any] | None = None) -> go.Figure:
    """Workload per officer, before and after, as grouped bars (the officers of
    chart_officers, so a district's chart stays readable)."""
    b = impact.get("balance", {})
    before = b.get("before", {}).get("per_officer", {})
    after = b.get("after", {}).get("per_officer", {})
    names, moving = chart_officers(impact, officers or {})
    fig = go.Figure(
        [
            go.Bar(name=t("ed_before", lang), x=names, y=[before.get(o, 0) for o in names]),
            go.Bar(name=t("ed_after", lang), x=names, y=[after.get(o, 0) for o in names]),
        ]
    )
    title = t("ed_workload" if moving else "ed_workload_same", lang)
    fig.update_layout(
        barmode="group",
        height=220,
        margin={"l": 40, "r": 10, "t": 24, "b": 40},
        title={"text": title, "font": {"size": 13}},
        legend={"orientation": "h", "y": -0.3},
        template="none",
    )
    return fig


def message_text(message: Json | None, lang: str) -> str:
    """What the page says about the last edit."""
    if not message:
        return ""
    kind = message.get("kind")
    if kind == "done":
        codes = ", ".join(message.get("codes", [])) or "–"
        return t("ed_done", lang, op=t(f"tool_{message['op']}", lang), codes=codes)
    if kind == "fixed":
        return t("ed_fixed", lang, n=message.get("n", 0))
    if kind == "conflict":
        who = "; ".join(
            f"{', '.join(c['codes'])} ({c['actor']}, {c['action']})"
            for c in message.get("changes", [])
        )
        return t("ed_conflict", lang, who=who or "–")
    if message.get("key"):
        return t(str(message["key"]), lang)
    return t("ed_refused", lang, why=message.get("text", ""))
