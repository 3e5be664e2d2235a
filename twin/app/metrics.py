"""What the map can colour grids by: the composite, core KPIs and every catalog count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from twin.app.i18n import fmt_number, t
from twin.catalog import Label, Layer

STATUS_COLOURS = {"green": "#2e9e5b", "yellow": "#e0a800", "red": "#d64541"}
NO_DATA = "#9aa5b1"
# Sequential ramps, light to dark: warm where more is worse, blue where more is better.
WORSE_RAMP = ("#fde9c9", "#f9c57a", "#f28e2b", "#d64541", "#8e1b2f")
BETTER_RAMP = ("#8e1b2f", "#d64541", "#f28e2b", "#9ccb86", "#2e7d4f")
CLASSES = len(WORSE_RAMP)


@dataclass(frozen=True)
class Metric:
    """A per-grid figure the map colours by."""

    key: str
    label: Label
    kind: str = "count"  # status | count | rate
    worse_when_higher: bool = True


def _core(key: str, kind: str = "count", worse: bool = True) -> Metric:
    return Metric(key, Label(t(key, "zh-CN"), t(key, "en")), kind, worse)


CORE_METRICS = (
    _core("composite", "status"),
    _core("open"),
    _core("overdue"),
    _core("open_severity_1"),
    _core("incidents_window"),
    _core("camera_online_rate", "rate", worse=False),
    _core("sensor_status_alarm"),
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
                out.append(Metric(column, layer.title))
                continue
            field_name = next(f for f in layer.rollup.by if column.startswith(f"{layer.name}_{f}_"))
            value = column.removeprefix(f"{layer.name}_{field_name}_")
            label = next(v.label for v in layer.field(field_name).values if v.value == value)
            out.append(
                Metric(
                    column,
                    Label(f"{layer.title.zh}·{label.zh}", f"{layer.title.en} · {label.en}"),
                )
            )
    return tuple(out)


def class_breaks(values: np.ndarray, whole: bool = False) -> list[float]:
    """Upper bounds of up to CLASSES classes: quantiles of the values, strictly rising
    (whole numbers for counts, so a legend never says "0 – 0.2 cases")."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return []
    qs = np.quantile(finite, np.linspace(0, 1, CLASSES + 1)[1:])
    breaks: list[float] = []
    for q in qs:
        q = float(np.ceil(q)) if whole else float(round(q, 4))
        if not breaks or q > breaks[-1]:
            breaks.append(q)
    return breaks


def metric_values(statuses: pd.DataFrame, metric: Metric) -> dict[str, Any]:
    """Each grid's value of the metric by code (a status name, a count or a rate)."""
    column = statuses[metric.key]
    if metric.kind == "status":
        return dict(zip(statuses["code"], column, strict=True))
    values = column.to_numpy(dtype=float)
    if metric.kind == "rate":
        rounded: list[Any] = [None if np.isnan(v) else round(float(v), 4) for v in values]
    else:
        rounded = [int(v) for v in values]
    return dict(zip(statuses["code"], rounded, strict=True))


def build_legend(metric: Metric, values: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """The legend entries: a colour and its label, in the order shown."""
    if metric.kind == "status":
        return [{"colour": c, "label": t(s, lang)} for s, c in STATUS_COLOURS.items()]
    numbers = np.array([np.nan if v is None else v for v in values.values()], dtype=float)
    breaks = class_breaks(numbers, whole=metric.kind == "count")
    ramp = WORSE_RAMP if metric.worse_when_higher else BETTER_RAMP
    out, low = [], None
    rate = metric.kind == "rate"
    for i, upper in enumerate(breaks):
        out.append({"colour": ramp[i], "label": class_label(low, upper, rate, lang)})
        low = upper
    if np.isnan(numbers).any():
        out.append({"colour": NO_DATA, "label": t("no_data", lang)})
    return out


def class_label(low: float | None, upper: float, rate: bool, lang: str) -> str:
    """A legend class (low, upper]: counts as whole ranges (3 – 5), rates as 80.0% – 90.0%."""
    hi = fmt_number(upper, lang, rate=rate)
    if low is None:
        return hi if not rate and upper == 0 else f"≤ {hi}"
    if rate:
        return f"{fmt_number(low, lang, rate=True)} – {hi}"
    first = low + 1
    return hi if first == upper else f"{fmt_number(first, lang)} – {hi}"


def build_hideout(statuses: pd.DataFrame, metric: Metric, lang: str) -> dict[str, Any]:
    """Everything the map's style and tooltip functions read; geometry is never in it.

    values: code -> metric value; status: code -> composite; names: code -> name.
    """
    values = metric_values(statuses, metric)
    numbers = np.array([np.nan if isinstance(v, str) or v is None else v for v in values.values()])
    ramp = WORSE_RAMP if metric.worse_when_higher else BETTER_RAMP
    return {
        "metric": metric.key,
        "kind": metric.kind,
        "values": values,
        "status": dict(zip(statuses["code"], statuses["composite"], strict=True)),
        "names": dict(zip(statuses["code"], statuses["name"], strict=True)),
        "breaks": []
        if metric.kind == "status"
        else class_breaks(numbers.astype(float), whole=metric.kind == "count"),
        "ramp": list(ramp),
        "colours": STATUS_COLOURS,
        "noData": NO_DATA,
        "labels": {
            "metric": metric.label.get(lang),
            "status": {s: t(s, lang) for s in STATUS_COLOURS},
            "percent": metric.kind == "rate",
            "noData": t("no_data", lang),
        },
    }


def hideout_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per key of the per-grid maps, only the grids whose entry changed (what a refresh sends)."""
    out: dict[str, dict[str, Any]] = {}
    for key in ("values", "status", "names"):
        before, after = old.get(key, {}), new[key]
        changed = {c: v for c, v in after.items() if before.get(c, object()) != v}
        if changed:
            out[key] = changed
    return out
