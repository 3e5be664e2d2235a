"""How the map draws a point layer: its shape, each point's status, and the words of its
tooltip and legend (the browser draws them from these, assets/twin_map.js)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from dash import html

from twin.app.i18n import t
from twin.app.metrics import STATUS_COLOURS
from twin.app.views import CatalogText
from twin.catalog import Field, Layer

# The catalog's [style] icon -> the shape drawn (an unknown icon draws as a circle). Paths in
# a 24 x 24 box; `mark` is drawn over the shape in white (a camera's lens).
SHAPES: dict[str, dict[str, str]] = {
    "circle": {"path": "M12 3a9 9 0 1 0 0.001 0Z", "mark": ""},
    "square": {"path": "M3.5 3.5h17v17h-17Z", "mark": "M12 8.5a3.5 3.5 0 1 0 0.001 0Z"},
    "triangle": {"path": "M12 2.5L22 20.5H2Z", "mark": ""},
}
ICON_SHAPES = {"circle": "circle", "camera": "square", "sensor": "triangle"}
# Calm to alert, as the grids' composite: a cluster takes the worst of its points.
STATUS_ORDER = ("green", "yellow", "red")
STATUS_KEY = "_s"  # a property name no catalog field can have (fields start with a letter)


def shape_of(layer: Layer) -> str:
    """The shape a layer's points are drawn in."""
    return ICON_SHAPES.get(layer.style.icon or "", "circle")


def _enums(layer: Layer) -> list[Field]:
    return [f for f in layer.fields if f.type == "enum"]


def map_fields(layer: Layer) -> tuple[str, ...]:
    """The fields each map point carries: code, colour, tooltip fields, and the enum fields
    its status is judged on."""
    judged = [f.name for f in _enums(layer) if f.attention_values]
    colour = layer.style.color_by or "code"
    return tuple(dict.fromkeys(("code", colour, *layer.style.popup, *judged)))


def point_status(layer: Layer, values: Mapping[str, Any]) -> str:
    """green, yellow or red: a case no longer open is calm; a value marked alert is red;
    one needing attention yellow."""
    enums = _enums(layer)
    text = {f.name: str(values.get(f.name)) for f in enums}
    if any(f.open_values and text[f.name] not in f.open_values for f in enums):
        return "green"
    if any(text[f.name] in f.alert_values for f in enums):
        return "red"
    if any(text[f.name] in f.attention_values for f in enums):
        return "yellow"
    return "green"


def badge_field(layer: Layer) -> str | None:
    """The field whose value is printed inside each point: an enum other than the colour
    with values marked alert (a case's severity), else none."""
    for f in _enums(layer):
        if f.name != layer.style.color_by and f.alert_values:
            return f.name
    return None


def point_feature(layer: Layer, fields: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    """One map point from a row of (*fields, lon, lat): values as JSON, times as epoch s."""
    values = dict(zip(fields, row[: len(fields)], strict=True))
    x, y = row[len(fields)], row[len(fields) + 1]
    props: dict[str, Any] = {
        "code": values["code"],
        STATUS_KEY: STATUS_ORDER.index(point_status(layer, values)),
    }
    for name, value in values.items():
        if value is None or name == "code":
            continue
        kind = layer.field(name).type
        if isinstance(value, datetime):
            props[name] = int(value.timestamp())
        elif kind in ("int", "float"):
            props[name] = round(float(value), 3)
        else:  # an enum's values are text in the catalog, whatever the column's type
            props[name] = str(value)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]},
        "properties": props,
    }


def tooltip_fields(layer: Layer, text: CatalogText, lang: str) -> list[dict[str, Any]]:
    """The tooltip's lines after the code: title, how to show the value, enum labels; a text
    field named unit follows each number instead of a line of its own."""
    names = [f for f in layer.style.popup if f != "code"]
    has_unit = "unit" in names and layer.field("unit").type == "text"
    out = []
    for name in names:
        f = layer.field(name)
        if has_unit and name == "unit":
            continue
        kind = {"enum": "enum", "timestamp": "time", "int": "number", "float": "number"}
        entry: dict[str, Any] = {
            "name": name,
            "title": text.field(layer.name, name, lang),
            "kind": kind.get(f.type, "text"),
        }
        if f.type == "enum":
            entry["labels"] = {v.value: v.label.get(lang) for v in f.values}
        if has_unit and f.type in ("int", "float"):
            entry["suffix"] = "unit"
        out.append(entry)
    return out


def point_hideout(layer: Layer, text: CatalogText, lang: str, tz: str) -> dict[str, Any]:
    """What the map's point functions read for one layer, in lang."""
    colour = layer.style.color_by or "code"
    return {
        "layer": layer.name,
        "title": layer.title.get(lang),
        "shape": SHAPES[shape_of(layer)],
        "colourBy": colour,
        "colours": text.colours(layer.name, colour),
        "badge": badge_field(layer),
        "fields": tooltip_fields(layer, text, lang),
        "status": [STATUS_COLOURS[s] for s in STATUS_ORDER],
        "statusKeys": list(STATUS_ORDER),
        "statusNames": [t(s, lang) for s in STATUS_ORDER],
        "tz": tz,
        "lang": lang,
    }


def shape_svg(shape: str, fill: str, size: int = 16) -> str:
    """A shape as a data: URL of SVG (the legend's swatch; nothing fetched)."""
    parts = SHAPES[shape]
    mark = f'<path d="{parts["mark"]}" fill="#ffffff"/>' if parts["mark"] else ""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="{size}"'
        f' height="{size}"><path d="{parts["path"]}" fill="{fill}" stroke="#1f2933"'
        f' stroke-width="1.5"/>{mark}</svg>'
    )
    return "data:image/svg+xml," + quote(svg)


def point_legend(layers: Sequence[Layer], text: CatalogText, lang: str) -> list[Any]:
    """Per shown layer its shape in each colour with the value's label; then what a
    cluster's colour means."""
    if not layers:
        return []
    rows: list[Any] = []
    for layer in layers:
        shape = shape_of(layer)
        colour = layer.style.color_by or "code"
        items: list[Any] = [html.Span(layer.title.get(lang), className="pl-title")]
        for value, fill in text.colours(layer.name, colour).items():
            label = text.value(layer.name, colour, value, lang)
            items.append(
                html.Span(
                    [html.Img(src=shape_svg(shape, fill), alt="", className="pl-shape"), label],
                    className="pl-item",
                )
            )
        rows.append(
            html.Div(items, className=f"pl-row pl-{shape}", id=f"point-legend-{layer.name}")
        )
    clusters: list[Any] = [html.Span(t("cluster_worst", lang), className="pl-title")]
    for s in STATUS_ORDER:
        swatch = html.Span(className="pl-cluster", style={"background": STATUS_COLOURS[s]})
        clusters.append(html.Span([swatch, t(s, lang)], className="pl-item"))
    return [*rows, html.Div(clusters, className="pl-row", id="point-legend-clusters")]
