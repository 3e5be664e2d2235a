"""An answer the page already shows is recognised from the page's own copy."""

from __future__ import annotations

import json

import dash_leaflet as dl
from dash import html
from plotly.utils import PlotlyJSONEncoder

from twin.app.shown import already_shown


def marker(text: str) -> dl.CircleMarker:
    """A marker with a permanent label, like the wall's pins."""
    return dl.CircleMarker(center=[31.2, 121.5], radius=14, children=dl.Tooltip(text), id="pin-1")


def as_sent(components: object) -> object:
    """What the browser sends back as the State of those components."""
    return json.loads(json.dumps(components, cls=PlotlyJSONEncoder))


def test_the_same_components_are_already_shown() -> None:
    assert already_shown([marker("a")], as_sent([marker("a")]))
    assert already_shown([], [])


def test_a_changed_label_or_a_missing_copy_is_not() -> None:
    assert not already_shown([marker("b")], as_sent([marker("a")]))
    assert not already_shown([marker("a")], [])
    assert not already_shown([], None)
    assert not already_shown([html.Div("a")], {"forged": True})
