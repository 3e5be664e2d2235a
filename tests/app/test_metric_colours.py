"""Every colour-by metric: its best unit at the calm end of the ramp, its worst at the
alarming end, and legend classes that hold every value, whatever the data's shape."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from twin.app.metrics import (
    Metric,
    build_hideout,
    build_legend,
    catalog_metrics,
    class_breaks,
    unit_colour,
)
from twin.app.pages import metric_options
from twin.app.palette import ALERT_RAMP, CLASSES, NO_DATA, SIZE_RAMP, STATUS_COLOURS
from twin.catalog import load_catalog
from twin.settings import Settings

LAYERS = load_catalog(Settings().layers_dir)
REGISTRY = catalog_metrics(LAYERS)
NUMERIC = [m for m in REGISTRY if m.kind != "status"]
CODES = [f"G{i:03d}" for i in range(160)]


def shaped(shape: str, kind: str) -> list[float]:
    """150 values of a data shape the map meets, as counts, rates or figures."""
    rng = np.random.default_rng(7)
    if shape == "spread":
        raw = rng.uniform(0, 1, 150)
    elif shape == "constant":
        raw = np.full(150, 1.0 if kind == "rate" else 0.4)
    elif shape == "few_distinct":
        raw = rng.choice([0.0, 0.5, 1.0], 150)
    elif shape == "mostly_top":  # 140 grids with every camera online, 10 below
        raw = np.concatenate([np.ones(140), rng.uniform(0.6, 0.99, 10)])
    else:  # "skewed": mostly nothing, a long tail
        raw = np.concatenate([np.zeros(120), rng.pareto(1.2, 30) / 10])
    if kind == "count":
        return [float(v) for v in np.round(raw * 40)]
    if kind == "rate":
        return [float(v) for v in np.clip(raw, 0, 1)]
    return [float(v) for v in raw * 250]


def frame(metric: Metric, values: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": CODES[: len(values)],
            "name": CODES[: len(values)],
            "composite": ["green"] * len(values),
            metric.key: values,
        }
    )


def ends(metric: Metric) -> tuple[str, str]:
    """The (best, worst) end of the metric's ramp; for a size, its (smallest, largest)."""
    if metric.higher == "neutral":
        return SIZE_RAMP[0], SIZE_RAMP[-1]
    return ALERT_RAMP[0], ALERT_RAMP[-1]


def best_and_worst(metric: Metric, values: dict[str, Any]) -> tuple[str, str]:
    known = {c: v for c, v in values.items() if v is not None}
    low, high = min(known, key=known.__getitem__), max(known, key=known.__getitem__)
    return (high, low) if metric.higher == "better" else (low, high)


SHAPES = ["spread", "constant", "few_distinct", "mostly_top", "skewed"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("metric", NUMERIC, ids=[m.key for m in NUMERIC])
def test_best_and_worst_units_take_the_two_ends_and_classes_hold_every_value(
    metric: Metric, shape: str
) -> None:
    data = [*shaped(shape, metric.kind), float("nan")]  # one unit without the figure
    hideout = build_hideout(frame(metric, data), metric, "en")
    values = hideout["values"]
    best, worst = best_and_worst(metric, values)
    calm, alarming = ends(metric)
    assert unit_colour(hideout, best) == calm
    if values[best] == values[worst]:
        assert unit_colour(hideout, worst) == calm  # nothing stands out: all calm
    else:
        assert unit_colour(hideout, worst) == alarming
    legend = build_legend(metric, values, "en")
    classes = [e for e in legend if "upper" in e]
    assert 1 <= len(classes) <= CLASSES
    assert [e["colour"] for e in classes] == hideout["ramp"]
    for code, v in values.items():
        if v is None:
            assert unit_colour(hideout, code) == NO_DATA
            continue
        holding = [e for e in classes if (e["low"] is None or v > e["low"]) and v <= e["upper"]]
        assert len(holding) == 1, f"{metric.key}={v} in {len(holding)} classes"
        assert holding[0]["colour"] == unit_colour(hideout, code)
    assert legend[-1] == {"colour": NO_DATA, "label": "No data"}


def test_a_city_whose_cameras_are_nearly_all_online_paints_those_grids_calm() -> None:
    rate = next(m for m in REGISTRY if m.key == "camera_online_rate")
    values = [1.0] * 150 + [0.929, 0.8, 0.5]
    hideout = build_hideout(frame(rate, values), rate, "en")
    assert unit_colour(hideout, CODES[0]) == ALERT_RAMP[0]
    assert unit_colour(hideout, CODES[152]) == ALERT_RAMP[-1]
    labels = [e["label"] for e in build_legend(rate, hideout["values"], "en")]
    assert labels == ["50.0%", "80.0%", "92.9%", "100.0%"]


def test_the_most_critical_grids_get_the_darkest_step() -> None:
    sev1 = next(m for m in REGISTRY if m.key == "open_severity_1")
    values = [0] * 140 + [1] * 8 + [2, 3]
    hideout = build_hideout(frame(sev1, values), sev1, "en")
    assert unit_colour(hideout, CODES[149]) == ALERT_RAMP[-1]
    assert unit_colour(hideout, CODES[0]) == ALERT_RAMP[0]
    labels = [e["label"] for e in build_legend(sev1, hideout["values"], "en")]
    assert labels == ["0", "1", "2", "3"]


def test_skewed_counts_keep_five_classes_with_zero_on_its_own() -> None:
    counts = np.array([0] * 80 + list(range(1, 21)), dtype=float)
    breaks = class_breaks(counts)
    assert len(breaks) == CLASSES and breaks[0] == 0 and breaks[-1] == 20
    assert breaks == sorted(set(breaks))


def test_the_status_legend_marks_each_class_with_a_shape() -> None:
    composite = next(m for m in REGISTRY if m.kind == "status")
    legend = build_legend(composite, {}, "en")
    assert [e["label"] for e in legend] == ["✓ Normal", "! Watch", "▲ Alert"]
    assert [e["colour"] for e in legend] == list(STATUS_COLOURS.values())


def test_new_metrics_are_in_the_registry_with_their_direction() -> None:
    by_key = {m.key: m for m in REGISTRY}
    for key in ("population", "households", "area_km2", "density"):
        assert (by_key[key].higher, by_key[key].group) == ("neutral", "population")
    for key in ("cases_per_officer", "cases_per_1000"):
        assert (by_key[key].higher, by_key[key].group) == ("worse", "incident")
    assert by_key["camera_status_offline"].higher == "worse"  # marked for attention
    assert by_key["camera_status_online"].higher == "neutral"
    assert by_key["incident_status_closed"].higher == "neutral"
    assert by_key["incident_category_sanitation"].higher == "worse"


def test_the_colour_by_choice_is_grouped_by_layer() -> None:
    options = metric_options(REGISTRY, LAYERS, "en")
    headings = [o for o in options if o.get("disabled")]
    assert [h["search"] for h in headings] == [
        "Overall",
        "Incidents",
        "Cameras",
        "Sensors",
        "Population and area",
    ]
    order = [o["value"] for o in options]
    assert order.index("group:camera") < order.index("camera_online_rate")
    assert order.index("camera_status_offline") < order.index("group:sensor")
    assert order.index("group:population") < order.index("density")
    chosen = [o["value"] for o in options if not o.get("disabled")]
    assert sorted(chosen) == sorted(m.key for m in REGISTRY)  # every metric, once
