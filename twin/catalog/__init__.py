"""The layer catalog: layers/*.toml, the one source of levels, enums and counts."""

from twin.catalog.model import (
    FIELD_TYPES,
    KINDS,
    LEVELS,
    NAME,
    CatalogError,
    EnumValue,
    Field,
    Label,
    Layer,
    Rollup,
    Style,
    load_catalog,
    parse_layer,
)

__all__ = [
    "FIELD_TYPES",
    "KINDS",
    "LEVELS",
    "NAME",
    "CatalogError",
    "EnumValue",
    "Field",
    "Label",
    "Layer",
    "Rollup",
    "Style",
    "load_catalog",
    "parse_layer",
]
