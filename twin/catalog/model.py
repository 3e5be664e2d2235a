"""The layer catalog: layers/*.toml into frozen dataclasses; unknown keys are errors."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIELD_TYPES = ("text", "int", "float", "bool", "timestamp", "enum")
KINDS = ("point", "grid", "reference")
# What a reference layer holds: "any" mixes lines, polygons and points (water: rivers and lakes).
GEOMETRIES = ("line", "polygon", "point", "any")
REFERENCE_TABLE = "reference_feature"  # the one table of every reference layer
REFERENCE_FIELDS = ("code", "class", "name")  # its columns, beside layer and geom
NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class CatalogError(ValueError):
    """A layer file is malformed: the message names the file and the key."""


@dataclass(frozen=True)
class Label:
    """A text in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        """The text in lang (zh-CN or en)."""
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class EnumValue:
    """One allowed value of an enum field, with its labels and optional map colour."""

    value: str
    label: Label
    color: str | None = None
    # open: a case in this state is still being handled (counts as open, can fall overdue);
    # attention: a point in this state needs a look (city map, listed first). Open implies it.
    # alert: the worst a point can be (its map cluster takes the alert colour); implies
    # attention.
    open: bool = False
    attention: bool = False
    alert: bool = False
    # How a reference layer draws this class: line width (px), polygon fill, the lowest zoom
    # it is drawn at; labelled: named features of the class are labelled (TOML key `label`,
    # renamed here because `label` is the value's zh/en text); snap: plan boundaries snap to it.
    width: float | None = None
    fill: str | None = None
    min_zoom: int | None = None
    labelled: bool = False
    snap: bool = False


@dataclass(frozen=True)
class Field:
    """A property of a layer's features: the only columns that may leave the database."""

    name: str
    type: str
    title: Label
    required: bool = False
    values: tuple[EnumValue, ...] = ()

    @property
    def allowed(self) -> tuple[str, ...]:
        """The allowed values of an enum field."""
        return tuple(v.value for v in self.values)

    @property
    def aliases(self) -> dict[str, str]:
        """What a file may write for each enum value: the value or its zh or en label."""
        out: dict[str, str] = {}
        for v in self.values:
            out |= {v.label.zh: v.value, v.label.en: v.value, v.label.en.lower(): v.value}
        return out | {v.value: v.value for v in self.values}

    @property
    def open_values(self) -> tuple[str, ...]:
        """The values marked open (a case still being handled)."""
        return tuple(v.value for v in self.values if v.open)

    @property
    def attention_values(self) -> tuple[str, ...]:
        """The values that need attention (marked so, or open)."""
        return tuple(v.value for v in self.values if v.attention or v.open or v.alert)

    @property
    def alert_values(self) -> tuple[str, ...]:
        """The values marked alert (the worst a point can be)."""
        return tuple(v.value for v in self.values if v.alert)


@dataclass(frozen=True)
class Rollup:
    """How a point layer counts into grid status: a total and a count per enum value."""

    total: str
    by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Style:
    """How a layer is drawn: colour by a field, what a popup shows, which icon."""

    color_by: str | None = None
    popup: tuple[str, ...] = ()
    icon: str | None = None


@dataclass(frozen=True)
class Layer:
    """One catalog entry."""

    name: str
    table: str
    kind: str
    title: Label
    fields: tuple[Field, ...]
    level: str | None = None
    rollup: Rollup | None = None
    style: Style = Style()
    source: str = ""
    parent: str | None = None  # a grid layer's level above (None: the top level)
    geometry: str | None = None  # a reference layer's shapes: line, polygon, point or any

    @property
    def counted(self) -> bool:
        """Whether the layer's features are assigned units and counted (reference: never)."""
        return self.kind != "reference"

    def field(self, name: str) -> Field:
        """The field of that name, or a KeyError naming the layer."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"layer {self.name} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        """The names of the layer's fields, in catalog order."""
        return tuple(f.name for f in self.fields)

    def stat_columns(self) -> dict[str, str]:
        """grid_stat column -> SQL predicate, for a layer whose counts the catalog defines."""
        if self.rollup is None:
            return {}
        columns = {self.rollup.total: "true"}
        for name in self.rollup.by:
            for v in self.field(name).values:
                column = f"{self.name}_{name}_{v.value}"
                columns[column] = _predicate(name, v.value)
        return columns


# grid_stat's own columns (its key, the packed counts of migration 027, the overdue working
# count of migration 020): no layer's total may take their names.
STAT_RESERVED = ("grid_id", "counts", "open_due_before_checkpoint")


def _predicate(column: str, value: str) -> str:
    # Built only from validated catalog names and values, with SQL quoting of the value.
    return f"{column}::text = '{value.replace(chr(39), chr(39) * 2)}'"


# -- parsing ----------------------------------------------------------------------------------
class _Reader:
    """Pops keys from one TOML table, remembering where it is for error messages."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = dict(data)
        self.where = where

    def take(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise CatalogError(f"{self.where}: missing key {key!r}")
            return default
        value = self.data.pop(key)
        if not isinstance(value, kind):
            raise CatalogError(f"{self.where}: key {key!r} has the wrong type")
        return value

    def done(self) -> None:
        if self.data:
            keys = ", ".join(repr(k) for k in sorted(self.data))
            raise CatalogError(f"{self.where}: unknown key {keys}")


def _label(value: Any, where: str) -> Label:
    if not isinstance(value, dict):
        raise CatalogError(f"{where}: expected {{ zh = ..., en = ... }}")
    r = _Reader(value, where)
    label = Label(zh=r.take("zh", str), en=r.take("en", str))
    r.done()
    return label


def _name(value: str, where: str) -> str:
    if not NAME.match(value):
        raise CatalogError(f"{where}: {value!r} is not a valid name (a-z, 0-9, _)")
    return value


def _field(data: dict[str, Any], where: str) -> Field:
    r = _Reader(data, where)
    name = _name(r.take("name", str), f"{where} name")
    where = f"{where} ({name})"
    ftype = r.take("type", str)
    if ftype not in FIELD_TYPES:
        raise CatalogError(f"{where}: type {ftype!r} is not one of {', '.join(FIELD_TYPES)}")
    values = []
    for i, v in enumerate(r.take("values", list, [])):
        vr = _Reader(v, f"{where} values[{i}]")
        values.append(
            EnumValue(
                value=str(vr.take("value", (str, int))),
                label=Label(zh=vr.take("zh", str), en=vr.take("en", str)),
                color=vr.take("color", str, None),
                open=vr.take("open", bool, False),
                attention=vr.take("attention", bool, False),
                alert=vr.take("alert", bool, False),
                **_drawing(vr),
            )
        )
        vr.done()
    if (ftype == "enum") != bool(values):
        raise CatalogError(f"{where}: an enum field needs values; other types take none")
    field = Field(
        name=name,
        type=ftype,
        title=_label(r.take("title", dict), f"{where} title"),
        required=r.take("required", bool, False),
        values=tuple(values),
    )
    r.done()
    return field


def _drawing(vr: _Reader) -> dict[str, Any]:
    """A reference class's drawing keys (width, fill, min_zoom, label, snap), checked."""
    width = vr.take("width", (int, float), None)
    if width is not None and (isinstance(width, bool) or not width > 0):
        raise CatalogError(f"{vr.where}: width must be a positive number of pixels")
    min_zoom = vr.take("min_zoom", int, None)
    if min_zoom is not None and (isinstance(min_zoom, bool) or not 0 <= min_zoom <= 24):
        raise CatalogError(f"{vr.where}: min_zoom must be a whole zoom from 0 to 24")
    return {
        "width": None if width is None else float(width),
        "fill": vr.take("fill", str, None),
        "min_zoom": min_zoom,
        "labelled": vr.take("label", bool, False),
        "snap": vr.take("snap", bool, False),
    }


def _check_reference(layer: Layer) -> None:
    """A reference layer: the one table, fields code, class (enum) and name, no counts;
    the drawing keys of enum values belong to reference layers only."""
    source = layer.source
    if layer.kind != "reference":
        for f in layer.fields:
            for v in f.values:
                if v.width or v.fill or v.min_zoom is not None or v.labelled or v.snap:
                    raise CatalogError(
                        f"{source} field {f.name!r} value {v.value!r}: width, fill, min_zoom,"
                        " label and snap style the classes of a reference layer only"
                    )
        if layer.geometry is not None:
            raise CatalogError(f"{source} [layer]: only a reference layer has a geometry")
        return
    if layer.geometry not in GEOMETRIES:
        raise CatalogError(
            f"{source} [layer]: a reference layer needs geometry = one of {', '.join(GEOMETRIES)}"
        )
    if layer.table != REFERENCE_TABLE:
        raise CatalogError(f"{source} [layer]: a reference layer's table is {REFERENCE_TABLE!r}")
    if layer.field_names not in (REFERENCE_FIELDS[:2], REFERENCE_FIELDS):
        raise CatalogError(
            f"{source}: a reference layer's fields are code, class (enum) and optionally name,"
            " in that order"
        )
    if layer.field("class").type != "enum":
        raise CatalogError(f"{source} [[field]] class: a reference layer's class is an enum")
    if layer.rollup is not None:
        raise CatalogError(f"{source} [rollup]: a reference layer is drawn, never counted")


def parse_layer(data: dict[str, Any], source: str) -> Layer:
    """One layer from a parsed TOML document; source names the file in errors."""
    top = _Reader(data, source)
    head = _Reader(top.take("layer", dict), f"{source} [layer]")
    name = _name(head.take("name", str), f"{source} [layer] name")
    kind = head.take("kind", str)
    if kind not in KINDS:
        raise CatalogError(f"{source} [layer]: kind {kind!r} is not one of {', '.join(KINDS)}")
    level = head.take("level", str, None)
    if (kind == "grid") != (level is not None):
        raise CatalogError(f"{source} [layer]: a grid layer needs a level; other layers none")
    if level is not None:
        _name(level, f"{source} [layer] level")
    parent = head.take("parent", str, None)
    if parent is not None and kind != "grid":
        raise CatalogError(f"{source} [layer]: only a grid layer has a parent level")
    table = _name(head.take("table", str), f"{source} [layer] table")
    title = _label(head.take("title", dict), f"{source} [layer] title")
    geometry = head.take("geometry", str, None)
    head.done()
    fields = tuple(
        _field(f, f"{source} [[field]] #{i + 1}") for i, f in enumerate(top.take("field", list))
    )
    names = [f.name for f in fields]
    if "code" not in names:
        raise CatalogError(f"{source}: every layer needs a 'code' field")
    if len(set(names)) != len(names):
        raise CatalogError(f"{source}: a field name is given twice")
    rollup = None
    if "rollup" in top.data:
        rr = _Reader(top.take("rollup", dict), f"{source} [rollup]")
        rollup = Rollup(
            total=_name(rr.take("total", str), f"{source} [rollup] total"),
            by=tuple(rr.take("by", list, [])),
        )
        rr.done()
        if rollup.total in STAT_RESERVED:
            raise CatalogError(
                f"{source} [rollup] total: {rollup.total!r} is a column grid_stat has already"
                f" (choose another name than {', '.join(STAT_RESERVED)})"
            )
        for by in rollup.by:
            if by not in names or next(f for f in fields if f.name == by).type != "enum":
                raise CatalogError(f"{source} [rollup] by: {by!r} is not an enum field")
    style = Style()
    if "style" in top.data:
        sr = _Reader(top.take("style", dict), f"{source} [style]")
        style = Style(
            color_by=sr.take("color_by", str, None),
            popup=tuple(sr.take("popup", list, [])),
            icon=sr.take("icon", str, None),
        )
        sr.done()
        for ref in (*style.popup, *([style.color_by] if style.color_by else [])):
            if ref not in names and not (kind == "grid" and ref == "composite"):
                raise CatalogError(f"{source} [style]: {ref!r} is not a field of this layer")
    top.done()
    layer = Layer(name, table, kind, title, fields, level, rollup, style, source, parent, geometry)
    _check_reference(layer)
    return layer


# TOML files beside the layers that are not layers: the rules of grid plans (twin.plans.rules).
NOT_LAYERS = ("plans.toml",)


def load_catalog(directory: Path) -> dict[str, Layer]:
    """Every layer in directory/*.toml, by name."""
    layers: dict[str, Layer] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name in NOT_LAYERS:
            continue
        source = f"{directory.name}/{path.name}"
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CatalogError(f"{source}: not valid TOML: {exc}") from exc
        layer = parse_layer(data, source)
        if layer.name in layers:
            raise CatalogError(
                f"{source}: layer {layer.name!r} is also in {layers[layer.name].source}"
            )
        layers[layer.name] = layer
    if not layers:
        raise CatalogError(f"{directory}: no layer files (*.toml)")
    levels_of(layers)  # the grid layers must form one chain of levels
    return layers


def levels_of(layers: Mapping[str, Layer]) -> tuple[str, ...]:
    """The catalog's levels, largest first, following each grid layer's parent."""
    grid_layers = [layer for layer in layers.values() if layer.kind == "grid"]
    _check_parents(grid_layers)
    below = {layer.parent: layer for layer in grid_layers}
    chain: list[str] = []
    step = below.get(None)
    while step is not None and step.level is not None and len(chain) < len(grid_layers):
        chain.append(step.level)
        step = below.get(step.level)
    if len(chain) != len(grid_layers):
        where = grid_layers[0].source.rsplit("/", 1)[0]
        raise CatalogError(
            f"{where}: the grid levels do not form one chain from a top level (exactly one"
            " grid layer without parent, each other one under an existing level)"
        )
    return tuple(chain)


def _check_parents(grid_layers: list[Layer]) -> None:
    """Each level once, each parent a level of the catalog, no two levels under one."""
    sources: dict[str | None, str] = {}
    for layer in grid_layers:
        if layer.level in sources:
            raise CatalogError(
                f"{layer.source}: level {layer.level!r} is also in {sources[layer.level]}"
            )
        sources[layer.level] = layer.source
    for layer in grid_layers:
        if layer.parent is not None and layer.parent not in sources:
            raise CatalogError(
                f"{layer.source} [layer] parent: no grid layer has the level {layer.parent!r}"
            )
        if sum(1 for other in grid_layers if other.parent == layer.parent) > 1:
            raise CatalogError(
                f"{layer.source} [layer] parent: two levels sit under "
                f"{layer.parent or 'the city'}; the levels must form one chain"
            )
