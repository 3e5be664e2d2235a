"""How the map draws point layers: shapes, each point's status, tooltip fields, legend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from twin.app.pointmap import (
    SHAPES,
    map_fields,
    point_feature,
    point_hideout,
    point_legend,
    point_status,
    shape_of,
    tooltip_fields,
)
from twin.app.views import CatalogText
from twin.catalog import load_catalog
from twin.settings import Settings

LAYERS = load_catalog(Settings().layers_dir)


def test_each_point_layer_has_its_own_shape() -> None:
    shapes = {name: shape_of(LAYERS[name]) for name in ("incident", "camera", "sensor")}
    assert shapes == {"incident": "circle", "camera": "square", "sensor": "triangle"}
    assert len({SHAPES[s]["path"] for s in shapes.values()}) == 3


@pytest.mark.parametrize(
    ("layer", "values", "status"),
    [
        ("incident", {"status": "reported", "severity": "1"}, "red"),
        ("incident", {"status": "escalated", "severity": "3"}, "yellow"),
        ("incident", {"status": "resolved", "severity": "1"}, "green"),  # done is calm
        ("camera", {"status": "fault"}, "red"),
        ("camera", {"status": "offline"}, "yellow"),
        ("camera", {"status": "online"}, "green"),
        ("sensor", {"status": "alarm", "kind": "smoke"}, "red"),
        ("sensor", {"status": "offline", "kind": "gas"}, "yellow"),
        ("sensor", {"status": "normal", "kind": "gas"}, "green"),
    ],
)
def test_a_points_status_comes_from_the_catalogs_marks(
    layer: str, values: dict[str, str], status: str
) -> None:
    assert point_status(LAYERS[layer], values) == status


def test_alert_is_a_catalog_mark_that_implies_attention() -> None:
    severity = LAYERS["incident"].field("severity")
    assert severity.alert_values == ("1",)
    assert severity.attention_values == ("1", "2")
    assert LAYERS["sensor"].field("status").alert_values == ("alarm",)


def test_a_map_point_carries_its_tooltip_fields_as_json() -> None:
    sensor = LAYERS["sensor"]
    fields = map_fields(sensor)
    assert fields[:2] == ("code", "status")
    assert set(sensor.style.popup) <= set(fields)
    seen = datetime(2020, 1, 2, 3, 4, tzinfo=UTC)  # a fixed moment, not compared with now
    row = {
        "code": "S<1>",
        "status": "alarm",
        "kind": "gas",
        "last_value": 1.23456,
        "unit": "%LEL",
        "last_reading_at": seen,
    }
    feature = point_feature(sensor, fields, [row[f] for f in fields] + [114.1, 30.2])
    props = feature["properties"]
    assert props == {
        "code": "S<1>",
        "status": "alarm",
        "_s": 2,
        "kind": "gas",
        "last_value": 1.235,
        "unit": "%LEL",
        "last_reading_at": int(seen.timestamp()),
    }
    assert feature["geometry"]["coordinates"] == [114.1, 30.2]


def test_a_reading_shows_with_its_unit_and_enums_with_their_labels() -> None:
    lines = tooltip_fields(LAYERS["sensor"], CatalogText(LAYERS), "en")
    names = [f["name"] for f in lines]
    assert "unit" not in names  # it follows the reading instead
    reading = next(f for f in lines if f["name"] == "last_value")
    assert reading == {
        "name": "last_value",
        "title": "Last reading",
        "kind": "number",
        "suffix": "unit",
    }
    kind = next(f for f in lines if f["name"] == "kind")
    assert kind["labels"]["smoke"] == "Smoke alarm"
    hideout = point_hideout(LAYERS["incident"], CatalogText(LAYERS), "en", "Asia/Shanghai")
    assert hideout["badge"] == "severity"  # a case shows its severity inside its circle
    assert hideout["statusKeys"] == ["green", "yellow", "red"]


def test_the_legend_has_a_row_per_shown_layer_and_the_cluster_rule() -> None:
    legend = point_legend([LAYERS["camera"], LAYERS["sensor"]], CatalogText(LAYERS), "en")
    assert [row.id for row in legend] == [
        "point-legend-camera",
        "point-legend-sensor",
        "point-legend-clusters",
    ]
    assert point_legend([], CatalogText(LAYERS), "en") == []
