"""The layer catalog: layers/*.toml, the one source of levels, enums and counts."""

from twin.catalog.model import (
    FIELD_TYPES,
    GEOMETRIES,
    KINDS,
    NAME,
    REFERENCE_TABLE,
    CatalogError,
    EnumValue,
    Field,
    Label,
    Layer,
    Rollup,
    Style,
    levels_of,
    load_catalog,
    parse_layer,
)

__all__ = [
    "FIELD_TYPES",
    "GEOMETRIES",
    "KINDS",
    "NAME",
    "REFERENCE_TABLE",
    "CatalogError",
    "EnumValue",
    "Field",
    "Label",
    "Layer",
    "Rollup",
    "Style",
    "levels_of",
    "load_catalog",
    "parse_layer",
]
