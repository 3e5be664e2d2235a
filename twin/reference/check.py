"""The reference table against the catalog: every stored layer declared, every class one of
its layer's values, every shape of the kind its layer holds."""

from __future__ import annotations

from collections.abc import Mapping

import psycopg

from twin.catalog.model import Layer
from twin.db.queries import query

# PostGIS geometry types each catalog geometry admits.
SHAPES = {
    "line": {"LINESTRING", "MULTILINESTRING"},
    "polygon": {"POLYGON", "MULTIPOLYGON"},
    "point": {"POINT", "MULTIPOINT"},
}
SHAPES["any"] = set().union(*SHAPES.values())


def reference_layers(layers: Mapping[str, Layer]) -> dict[str, Layer]:
    """The catalog's reference layers, by name."""
    return {n: layer for n, layer in layers.items() if layer.kind == "reference"}


def check_reference(conn: psycopg.Connection, layers: Mapping[str, Layer]) -> list[str]:
    """Every stored reference feature the catalog does not allow, summed per layer, class
    and geometry type."""
    declared = reference_layers(layers)
    errors = []
    for name, cls, shape, n in conn.execute(query("reference_contents")):
        layer = declared.get(name)
        if layer is None:
            errors.append(
                f"reference_feature: {n:,} feature(s) of layer {name!r}, which the catalog"
                " has no reference layer of"
            )
            continue
        where = f"{layer.source} ({name})"
        if cls not in layer.field("class").allowed:
            errors.append(
                f"{where}: {n:,} stored feature(s) of class {cls!r}, not one of the catalog's"
                f" {', '.join(layer.field('class').allowed)}"
            )
        if shape not in SHAPES[layer.geometry or "any"]:
            errors.append(
                f"{where}: {n:,} stored feature(s) are {shape}; the layer's geometry is"
                f" {layer.geometry}"
            )
    return errors
