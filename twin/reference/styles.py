"""How reference layers are drawn, read from the catalog: per class a colour, a width, a fill,
the zoom it appears from and whether its named features are labelled."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from twin.catalog import Layer
from twin.catalog.model import Label

KIND = "reference"
CLASS_FIELD = "class"
DEFAULT_COLOR = "#7b8794"  # a class the catalog gives no colour: a quiet grey


@dataclass(frozen=True)
class ClassStyle:
    """One class of a reference layer as the map draws it."""

    value: str
    title: Label
    color: str = DEFAULT_COLOR
    width: float | None = None  # px, lines and outlines
    fill: str | None = None  # polygon fill
    min_zoom: int = 0  # not in tiles below this zoom
    label: bool = False  # named features get labels


@dataclass(frozen=True)
class ReferenceLayer:
    """A catalog reference layer: its name (the MVT layer's), geometry and classes."""

    name: str
    title: Label
    geometry: str  # line, polygon, point or any
    classes: tuple[ClassStyle, ...]

    def shown_at(self, z: int) -> tuple[str, ...]:
        """The classes that appear in tiles of zoom z."""
        return tuple(c.value for c in self.classes if c.min_zoom <= z)


def reference_layers(layers: Mapping[str, Layer]) -> tuple[ReferenceLayer, ...]:
    """The catalog's reference layers, in catalog order (a layer without classes draws none)."""
    out = []
    for layer in layers.values():
        if layer.kind != KIND:
            continue
        values = next((f.values for f in layer.fields if f.name == CLASS_FIELD), ())
        classes = tuple(
            ClassStyle(
                value=v.value,
                title=v.label,
                color=v.color or DEFAULT_COLOR,
                width=v.width,
                fill=v.fill,
                min_zoom=v.min_zoom or 0,
                label=v.labelled,
            )
            for v in values
        )
        out.append(ReferenceLayer(layer.name, layer.title, layer.geometry or "any", classes))
    return tuple(out)


def fingerprint(refs: tuple[ReferenceLayer, ...]) -> str:
    """A short hash of the styles: tiles cut for other min_zooms are other tiles."""
    text = json.dumps([asdict(r) for r in refs], sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def client_style(refs: tuple[ReferenceLayer, ...]) -> list[dict[str, Any]]:
    """The styles as the browser's renderer takes them (assets/twin_reference.js)."""
    return [
        {
            "name": r.name,
            "geometry": r.geometry,
            "classes": [
                {
                    "value": c.value,
                    "color": c.color,
                    "width": c.width,
                    "fill": c.fill,
                    "min_zoom": c.min_zoom,
                    "label": c.label,
                }
                for c in r.classes
            ],
        }
        for r in refs
    ]
