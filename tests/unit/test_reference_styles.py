"""The reference layers' styles come from the catalog: one place for colour, width, fill,
min_zoom and labels per class."""

from __future__ import annotations

from twin.catalog import load_catalog
from twin.reference.styles import client_style, fingerprint, reference_layers
from twin.settings import Settings

REFS = reference_layers(load_catalog(Settings().layers_dir))


def test_every_reference_layer_of_the_catalog_is_drawn_and_no_other() -> None:
    assert sorted(r.name for r in REFS) == ["building", "landmark", "road", "water"]
    assert {r.name: r.geometry for r in REFS}["road"] == "line"


def test_each_class_keeps_its_catalog_style() -> None:
    road = next(r for r in REFS if r.name == "road")
    motorway = road.classes[0]
    assert (motorway.value, motorway.width, motorway.min_zoom, motorway.label) == (
        "motorway",
        5,
        8,
        True,
    )
    building = next(r for r in REFS if r.name == "building").classes[0]
    assert (building.fill, building.min_zoom, building.label) == ("#d9d0c7", 15, False)


def test_a_class_shows_from_its_min_zoom() -> None:
    road = next(r for r in REFS if r.name == "road")
    assert road.shown_at(7) == ()
    assert road.shown_at(10) == ("motorway", "trunk", "primary")
    assert len(road.shown_at(22)) == len(road.classes)


def test_the_browser_gets_the_same_styles_and_a_new_style_is_a_new_fingerprint() -> None:
    sent = {layer["name"]: layer for layer in client_style(REFS)}
    assert sent["water"]["classes"][-1] == {
        "value": "water",
        "color": "#4a90d9",
        "width": 1,
        "fill": "#a8cdf0",
        "min_zoom": 8,
        "label": True,
    }
    assert fingerprint(REFS) != fingerprint(REFS[:-1])
