"""What the map can colour grids by: the composite, core KPIs, sizes and every catalog count,
grouped by layer; their classes and legend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from twin.app.i18n import fmt_number, t
from twin.app.palette import (
    ALERT_OUTLINE,
    CLASSES,
    NO_DATA,
    STATUS_COLOURS,
    STATUS_GLYPH,
    ramp_steps,
)
from twin.catalog import Label, Layer
from twin.catalog.terms import CASES

KINDS = ("status", "count", "rate", "value")  # value: a figure with decimals (km², per head)
POPULATION = "population"  # the group of sizes: population, households, area, density


@dataclass(frozen=True)
class Metric:
    """A per-grid figure the map colours by.

    higher: "worse" (more is alarming), "better" (more is calm) or "neutral" (a size);
    group: the layer it belongs to in the colour-by choice ("status", a layer, "population").
    """

    key: str
    label: Label
    kind: str = "count"
    higher: str = "worse"
    group: str = CASES


def _core(key: str, kind: str = "count", higher: str = "worse", group: str = CASES) -> Metric:
    return Metric(key, Label(t(key, "zh-CN"), t(key, "en")), kind, higher, group)


CORE_METRICS = (
    _core("composite", "status", group="status"),
    _core("open"),
    _core("overdue"),
    _core("open_severity_1"),
    _core("incidents_7d"),
    _core("cases_per_officer", "value"),
    _core("cases_per_1000", "value"),
    _core("camera_online_rate", "rate", "better", group="camera"),
    _core("sensor_status_alarm", group="sensor"),
    _core("population", higher="neutral", group=POPULATION),
    _core("households", higher="neutral", group=POPULATION),
    _core("area_km2", "value", "neutral", group=POPULATION),
    _core("density", "value", "neutral", group=POPULATION),
)


def catalog_metrics(layers: dict[str, Layer]) -> tuple[Metric, ...]:
    """The core metrics, then each catalog layer's count columns, labelled from its TOML."""
    core = {m.key for m in CORE_METRICS}
    out = list(CORE_METRICS)
    for layer in layers.values():
        if layer.rollup is None:
            continue
        for column in layer.stat_columns():
            if column in core:
                continue
            if column == layer.rollup.total:
                higher = "worse" if layer.name == CASES else "neutral"
                out.append(Metric(column, layer.title, higher=higher, group=layer.name))
                continue
            field_name = next(f for f in layer.rollup.by if column.startswith(f"{layer.name}_{f}_"))
            value = column.removeprefix(f"{layer.name}_{field_name}_")
            found = next(v for v in layer.field(field_name).values if v.value == value)
            # A case of any category or severity is a problem; a device or a lifecycle
            # state is one only when the catalog marks it for attention.
            problem = found.attention or found.open
            problem |= layer.name == CASES and field_name != "status"
            label = Label(
                f"{layer.title.zh}·{found.label.zh}", f"{layer.title.en} · {found.label.en}"
            )
            higher = "worse" if problem else "neutral"
            out.append(Metric(column, label, higher=higher, group=layer.name))
    return tuple(out)


def grouped(metrics: tuple[Metric, ...]) -> list[tuple[str, list[Metric]]]:
    """The metrics by group, groups in the order: status, the layers, then sizes."""
    groups: dict[str, list[Metric]] = {}
    for m in sorted(metrics, key=lambda m: m.group == POPULATION):  # stable: sizes last
        groups.setdefault(m.group, []).append(m)
    return list(groups.items())


def group_label(group: str, layers: dict[str, Layer], lang: str) -> str:
    """A group's title: the layer's, or the UI's word for the status and sizes groups."""
    if group in layers:
        return layers[group].title.get(lang)
    return t(f"group_{group}", lang) if group in ("status", POPULATION) else group


def class_breaks(values: np.ndarray) -> list[float]:
    """Upper bounds of up to CLASSES classes, each a value of the data, strictly rising.

    Few distinct values: one class each. Otherwise quantiles; where ties collapse them
    (mostly zeros, nearly all cameras online) the class holding most units is split again
    at its median, so the lowest and highest values never share a class.
    """
    finite = np.sort(values[np.isfinite(values)].astype(float))
    distinct = np.unique(finite)
    if distinct.size <= CLASSES:
        return [float(v) for v in distinct]
    levels = np.linspace(0, 1, CLASSES + 1)[1:]
    breaks = sorted({float(q) for q in np.quantile(finite, levels, method="inverted_cdf")})
    while len(breaks) < CLASSES:
        split = _widest(finite, breaks)
        if split is None:
            break
        i, inside = split
        cut = float(np.quantile(inside, 0.5, method="inverted_cdf"))
        if cut >= breaks[i]:
            cut = float(inside[inside < breaks[i]].max())
        breaks.insert(i, cut)
    return breaks


def _widest(finite: np.ndarray, breaks: list[float]) -> tuple[int, np.ndarray] | None:
    """The class with most units among those holding more than one value."""
    best: tuple[int, np.ndarray] | None = None
    low = -np.inf
    for i, upper in enumerate(breaks):
        inside = finite[(finite > low) & (finite <= upper)]
        if inside.size and inside[0] < inside[-1] and (best is None or inside.size > best[1].size):
            best = (i, inside)
        low = upper
    return best


def class_of(value: float, breaks: list[float]) -> int:
    """The class a value falls in (as the map's style function picks it)."""
    for i, upper in enumerate(breaks):
        if value <= upper:
            return i
    return len(breaks) - 1


def round_value(value: float) -> float:
    """A figure with decimals, to the precision shown (2 under 10, 1 under 100, else 0)."""
    return round(value, _decimals(value))


def _decimals(value: float) -> int:
    return 2 if abs(value) < 10 else 1 if abs(value) < 100 else 0


def format_value(value: float, kind: str, lang: str) -> str:
    """A metric's value as the legend shows it."""
    if kind == "rate":
        return fmt_number(value, lang, rate=True)
    if kind == "value":
        return f"{value:,.{_decimals(value)}f}"
    return fmt_number(value, lang)


def metric_values(statuses: pd.DataFrame, metric: Metric) -> dict[str, Any]:
    """Each grid's value of the metric by code (a status name, a number, None for none)."""
    column = statuses[metric.key]
    if metric.kind == "status":
        return dict(zip(statuses["code"], column, strict=True))
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    out: list[Any] = []
    for v in values:
        if np.isnan(v):
            out.append(None)
        elif metric.kind == "rate":
            out.append(round(float(v), 4))
        elif metric.kind == "value":
            out.append(round_value(float(v)))
        else:
            out.append(int(v))
    return dict(zip(statuses["code"], out, strict=True))


def _numbers(values: dict[str, Any]) -> np.ndarray:
    return np.array(
        [np.nan if v is None or isinstance(v, str) else v for v in values.values()], dtype=float
    )


def build_legend(metric: Metric, values: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The legend entries in the order shown: each class's colour and label (with the range
    it covers: low exclusive, upper inclusive), then "no data" when some unit has none."""
    if metric.kind == "status":
        return [
            {"colour": c, "label": f"{STATUS_GLYPH[s]} {t(s, lang)}", "status": s}
            for s, c in STATUS_COLOURS.items()
        ]
    numbers = _numbers(values)
    breaks = class_breaks(numbers)
    colours = ramp_steps(len(breaks), metric.higher)
    out: list[dict[str, Any]] = []
    low: float | None = None
    for upper, colour in zip(breaks, colours, strict=True):
        inside = numbers[(numbers <= upper) & (numbers > (-np.inf if low is None else low))]
        label = class_label(low, upper, float(inside.min()), metric.kind, lang)
        out.append({"colour": colour, "label": label, "low": low, "upper": upper})
        low = upper
    if np.isnan(numbers).any():
        out.append({"colour": NO_DATA, "label": t("no_data", lang)})
    return out


def class_label(low: float | None, upper: float, least: float, kind: str, lang: str) -> str:
    """A class (low, upper] as shown, the first from its least value: counts as whole ranges
    with no gaps ("3 – 5", never "2.5"), rates and figures as the one value a class holds
    ("100.0%") or the range from low."""
    hi = format_value(upper, kind, lang)
    start = least if low is None else low + 1 if kind == "count" else low
    single = start == upper if kind == "count" else least == upper
    return hi if single else f"{format_value(start, kind, lang)} – {hi}"


def build_hideout(statuses: pd.DataFrame, metric: Metric, lang: str) -> dict[str, Any]:
    """Everything the map's style and tooltip functions read; geometry is never in it.

    values: code -> metric value; status: code -> composite; names: code -> name; breaks
    and ramp: each class's upper bound and colour.
    """
    values = metric_values(statuses, metric)
    breaks = [] if metric.kind == "status" else class_breaks(_numbers(values))
    return {
        "metric": metric.key,
        "kind": metric.kind,
        "values": values,
        "status": dict(zip(statuses["code"], statuses["composite"], strict=True)),
        "names": dict(zip(statuses["code"], statuses["name"], strict=True)),
        "breaks": breaks,
        "ramp": ramp_steps(len(breaks), metric.higher),
        "colours": STATUS_COLOURS,
        "outline": ALERT_OUTLINE,
        "noData": NO_DATA,
        "labels": {
            "metric": metric.label.get(lang),
            "status": {s: t(s, lang) for s in STATUS_COLOURS},
            "percent": metric.kind == "rate",
            "noData": t("no_data", lang),
        },
    }


def unit_colour(hideout: dict[str, Any], code: str) -> str:
    """The fill a unit gets (what assets/twin_map.js unitColour computes)."""
    v = hideout["values"].get(code)
    if hideout["kind"] == "status":
        return str(hideout["colours"].get(v, hideout["noData"]))
    if v is None:
        return str(hideout["noData"])
    return str(hideout["ramp"][class_of(v, hideout["breaks"])])


def hideout_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per key of the per-grid maps, only the grids whose entry changed (what a refresh sends)."""
    out: dict[str, dict[str, Any]] = {}
    for key in ("values", "status", "names"):
        before, after = old.get(key, {}), new[key]
        changed = {c: v for c, v in after.items() if before.get(c, object()) != v}
        if changed:
            out[key] = changed
    return out
