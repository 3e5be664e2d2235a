"""The hotspot page's logic: its URL state, the legend of classes, the ranked list, the
map's values — pure functions of filters, result tables and a language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

import numpy as np
import pandas as pd

from twin.app.i18n import LANGS, fmt_number, t
from twin.app.inputs import number, text_value
from twin.app.palette import NO_DATA, ramp_steps
from twin.app.views import CatalogText
from twin.catalog import Layer
from twin.hotspots.classes import CLASSES
from twin.hotspots.emerging import EMERGING
from twin.hotspots.filters import (
    FILTER_KEYS,
    FilterError,
    Filters,
    Window,
    check_filters,
    from_query,
    to_query,
)

# ColorBrewer RdBu (7 classes): diverging, hot red to cold blue, the middle near white; the
# three steps on each side differ in lightness, so they read in greyscale and by colour-blind
# eyes. Islands (no neighbour, no class) are the map's no-data grey.
CLASS_COLOURS = dict(
    zip(
        CLASSES,
        ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac"),
        strict=True,
    )
)
ISLAND = ""  # the class an island gets
# Emerging categories: warm for hot patterns (darker the stronger and longer), cool for cold.
EMERGING_COLOURS = dict(
    zip(
        EMERGING,
        (
            "#fcae91",  # new
            "#fb6a4a",  # consecutive
            "#cb181d",  # intensifying
            "#67000d",  # persistent
            "#fdd0a2",  # diminishing
            "#fd8d3c",  # sporadic
            "#d94801",  # oscillating
            "#bcaa8c",  # historical
            "#c6dbef",
            "#9ecae1",
            "#2171b5",
            "#08306b",
            "#deebf7",
            "#6baed6",
            "#4292c6",
            "#a3b1c2",
            "#f7f7f7",  # none
        ),
        strict=True,
    )
)
COVERAGE_BREAKS = (0.2, 0.4, 0.6, 0.8, 1.0)
VIEWS = ("classes", "density", "emerging", "coverage")
WINDOWS = ("24h", "7d", "30d", "90d", "all")
HEX_DEFAULT_M = 500
MIX_TOP = 3  # categories named in a hotspot's mix
LIST_MAX = 15  # hotspots the ranked list shows


@dataclass(frozen=True)
class HotspotPage:
    """What a /hotspots URL asks for: filters, the view, the picked unit, the language, and
    what was wrong with it (the filters are then the defaults)."""

    filters: Filters = field(default_factory=Filters)
    view: str = "classes"
    lang: str = "zh-CN"
    pick: str | None = None
    error: str | None = None


def read_page(
    search: Any, default_lang: str, layers: Mapping[str, Layer], unit: str = "grid"
) -> HotspotPage:
    """A /hotspots search as a page; bad filters read as the defaults with an error to show.
    unit: the unit of analysis when the search names none (the city's finest level)."""
    query = {k: v[-1] for k, v in parse_qs((text_value(search, 4000) or "").lstrip("?")).items()}
    query.setdefault("unit", unit)
    lang = query.get("lang", default_lang)
    lang = lang if lang in LANGS else default_lang
    view = query.get("view", "classes")
    view = view if view in VIEWS else "classes"
    pick = text_value(query.get("pick"))
    try:
        filters = from_query({k: v for k, v in query.items() if k in FILTER_KEYS})
        check_filters(filters, layers)
    except FilterError as exc:
        return HotspotPage(Filters(unit=unit), view, lang, None, str(exc))
    return HotspotPage(filters, view, lang, pick or None)


def page_search(page: HotspotPage) -> str:
    """The URL search of a page: language first, then the filters that are not defaults."""
    query = {"lang": page.lang} | to_query(page.filters)
    if page.view != "classes":
        query["view"] = page.view
    if page.pick:
        query["pick"] = page.pick
    return "?" + urlencode(query, quote_via=quote, safe="/,:")


def hotspots_href(search: Any, lang: str, layers: Mapping[str, Layer], unit: str = "grid") -> str:
    """The hotspot page with the same filters and view in lang (the language switch)."""
    page = read_page(search, lang, layers, unit)
    return "/hotspots" + page_search(
        HotspotPage(page.filters, page.view, lang, page.pick)
        if not page.error
        else HotspotPage(Filters(unit=unit), lang=lang)
    )


@dataclass(frozen=True)
class Controls:
    """The filter controls' values, as the browser sends them (anything, checked here)."""

    layer: Any = "incident"
    categories: Any = None
    sources: Any = None
    severities: Any = None
    status: Any = "all"
    window: Any = "30d"
    start: Any = None
    end: Any = None
    unit: Any = "grid"
    hex_m: Any = HEX_DEFAULT_M
    view: Any = "classes"


def filters_of(c: Controls, layers: Mapping[str, Layer], tz: str) -> Filters:
    """The filters the controls ask for (FilterError naming the control that is wrong)."""

    def names(value: Any, what: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise FilterError(what, "expected a list of names")
        return tuple(value)

    if not isinstance(c.window, str):
        raise FilterError("window", "expected a choice")
    if c.window == "custom":
        if not (isinstance(c.start, str) and isinstance(c.end, str)):
            raise FilterError("window", "a custom window needs both its dates")
        window = Window.parse(f"{c.start[:10]}/{c.end[:10]}", tz)
    else:
        window = Window.parse(c.window, tz)
    unit = c.unit
    if unit == "hex":
        size = number(c.hex_m)
        if size is None:
            raise FilterError("unit", "the hexagon size is a number of metres")
        unit = f"hex:{int(size)}"
    for what, value in (("unit", unit), ("layer", c.layer), ("status", c.status)):
        if not isinstance(value, str):
            raise FilterError(what, "expected a choice")
    levels = names(c.severities, "severity")
    if not all(s.isdigit() for s in levels):
        raise FilterError("severity", "expected whole numbers")
    severities = tuple(int(s) for s in levels)
    filters = Filters(
        layer=c.layer,
        categories=names(c.categories, "category"),
        sources=names(c.sources, "source"),
        severities=severities,
        status=c.status,
        window=window,
        unit=unit,
    )
    check_filters(filters, layers)
    return filters


def controls_of(f: Filters) -> Controls:
    """The controls' values showing filters (a custom window as its two local dates)."""
    window, start, end = f.window.preset or "custom", None, None
    if f.window.preset is None and f.window.start and f.window.end:
        start = f.window.start.date().isoformat()
        # The end is exclusive: a range of whole days ends at the midnight after its last day.
        last = f.window.end - pd.Timedelta(days=1) if _midnight(f.window.end) else f.window.end
        end = last.date().isoformat()
    unit, hex_m = f.unit, HEX_DEFAULT_M
    if unit.startswith("hex:"):
        unit, hex_m = "hex", int(unit.removeprefix("hex:"))
    return Controls(
        f.layer,
        list(f.categories),
        list(f.sources),
        [str(s) for s in f.severities],
        f.status,
        window,
        start,
        end,
        unit,
        hex_m,
    )


def _midnight(moment: Any) -> bool:
    return bool(moment.hour == moment.minute == moment.second == 0)


def window_options(lang: str) -> list[dict[str, str]]:
    """The analysis window's choices."""
    return [{"label": t(f"window_{w}", lang), "value": w} for w in WINDOWS] + [
        {"label": t("window_custom", lang), "value": "custom"}
    ]


def unit_options(levels: Sequence[str], text: CatalogText, lang: str) -> list[dict[str, str]]:
    """The units of analysis: each loaded level, and a hexagon mesh."""
    return [{"label": text.level(lv, lang), "value": lv} for lv in levels] + [
        {"label": t("hex_mesh", lang), "value": "hex"}
    ]


def field_options(
    layers: Mapping[str, Layer], text: CatalogText, layer: str, name: str, lang: str
) -> list[dict[str, str]]:
    """A filter's options from the layer's enum field (none when the layer has no such field)."""
    found = layers.get(layer)
    if found is None or name not in found.field_names:
        return []
    return text.options(layer, name, lang)


def class_legend(lang: str, islands: int = 0) -> list[dict[str, str]]:
    """The legend: the seven classes, hot to cold, and islands when there are any."""
    out = [{"colour": CLASS_COLOURS[c], "label": t(f"class_{c}", lang)} for c in CLASSES]
    if islands:
        out.append({"colour": NO_DATA, "label": t("class_island", lang, n=islands)})
    return out


def class_hideout(table: pd.DataFrame, lang: str) -> dict[str, Any]:
    """What the map's style and tooltip read (assets/twin_hotspots.js): each unit's class,
    z and count by code, the classes' colours and words."""
    labels = {c: t(f"class_{c}", lang) for c in CLASSES} | {ISLAND: t("island", lang)}
    return _hideout(table, "class", "category", lang) | {
        "colours": CLASS_COLOURS,
        "labels": labels,
        "strong": ["hot_99", "cold_99"],  # outlined as well as coloured: a second channel
    }


def emerging_hideout(table: pd.DataFrame, lang: str) -> dict[str, Any]:
    """The map's values for the emerging view: each unit's category."""
    return _hideout(table, "category", "category", lang) | {
        "colours": EMERGING_COLOURS,
        "labels": {c: t(f"emg_{c}", lang) for c in EMERGING} | {ISLAND: t("island", lang)},
        "strong": ["intensifying", "persistent", "new"],
    }


def coverage_hideout(coverage: pd.DataFrame, table: pd.DataFrame, lang: str) -> dict[str, Any]:
    """The map's values for the coverage view: each unit's share covered by online cameras."""
    frame = table.merge(coverage[["code", "covered_share"]], on="code", how="left")
    out = _hideout(frame, "covered_share", "share", lang)
    out["values"] = {c: _round(v) for c, v in out["values"].items()}
    return out | {"breaks": list(COVERAGE_BREAKS), "ramp": coverage_ramp()}


def coverage_ramp() -> list[str]:
    """Coverage classes' colours, lowest share first: more seen is calmer."""
    return ramp_steps(len(COVERAGE_BREAKS), "better")


def _hideout(table: pd.DataFrame, column: str, kind: str, lang: str) -> dict[str, Any]:
    codes = table["code"]
    return {
        "kind": kind,
        "values": dict(zip(codes, table[column], strict=True)),
        "z": {c: _round(z) for c, z in zip(codes, table["gi_z"], strict=True)},
        "counts": dict(zip(codes, table["count"].astype(int).tolist(), strict=True)),
        "names": dict(zip(codes, table["name"], strict=True)),
        "noData": NO_DATA,
        "words": {"count": t("count", lang), "share": t("covered_share", lang)},
    }


def emerging_legend(table: pd.DataFrame, lang: str) -> list[dict[str, str]]:
    """The emerging view's legend: the categories the units have, in the catalogue's order."""
    present = set(table["category"].astype(str))
    return [
        {"colour": EMERGING_COLOURS[c], "label": t(f"emg_{c}", lang)}
        for c in EMERGING
        if c in present
    ]


def coverage_legend(lang: str) -> list[dict[str, str]]:
    """The coverage view's legend: share of the unit seen by an online camera."""
    out, low = [], 0.0
    for colour, upper in zip(coverage_ramp(), COVERAGE_BREAKS, strict=True):
        out.append({"colour": colour, "label": f"{low:.0%} – {upper:.0%}"})
        low = upper
    return [*out, {"colour": NO_DATA, "label": t("no_data", lang)}]


def category_mix(points: pd.DataFrame, code: str, text: CatalogText, layer: str, lang: str) -> str:
    """The categories of a unit's points, commonest first, with their shares."""
    mine = points.loc[points["unit"] == code, "category"].dropna()
    if mine.empty:
        return "–"
    shares = mine.value_counts(normalize=True).head(MIX_TOP)
    sep = ", " if lang == "en" else "、"
    return sep.join(
        f"{text.value(layer, 'category', c, lang)} {share:.0%}" for c, share in shares.items()
    )


def ranked_rows(
    table: pd.DataFrame,
    points: pd.DataFrame,
    text: CatalogText,
    layer: str,
    lang: str,
    trends: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The current hotspots, strongest first (z, then count): class, z, count, category
    mix (from points, those of at least these units) and trend (the emerging category)."""
    hot = _strongest(table)
    with_category = "category" in text.layers[layer].field_names
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "class": r["class"],
            "class_label": t(f"class_{r['class']}", lang),
            "z": f"{r['gi_z']:.2f}",
            "count": fmt_number(int(r["count"]), lang),
            "mix": category_mix(points, r["code"], text, layer, lang) if with_category else "–",
            "trend": (trends or {}).get(r["code"]) or "–",
        }
        for r in hot.to_dict("records")
    ]


def hot_codes(table: pd.DataFrame) -> tuple[str, ...]:
    """The units of the ranked list, in its order (whose points its mixes need)."""
    return tuple(_strongest(table)["code"])


def _strongest(table: pd.DataFrame) -> pd.DataFrame:
    hot = table[table["class"].astype(str).str.startswith("hot_")]
    return hot.sort_values(["gi_z", "count", "code"], ascending=[False, False, True]).head(LIST_MAX)


def summary(table: pd.DataFrame, islands: Sequence[str], unassigned: int, lang: str) -> str:
    """One line on the result: units, points, hotspots, coldspots, islands, points outside."""
    classes = table["class"].astype(str)
    return t(
        "hot_summary",
        lang,
        units=fmt_number(len(table), lang),
        points=fmt_number(int(table["count"].sum()), lang),
        hot=int(classes.str.startswith("hot_").sum()),
        cold=int(classes.str.startswith("cold_").sum()),
        islands=len(islands),
        outside=fmt_number(unassigned, lang),
    )


def _round(z: float) -> float | None:
    return None if z is None or not np.isfinite(z) else round(float(z), 3)
