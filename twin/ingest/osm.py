"""OpenStreetMap extracts (.osm, .osm.pbf, read by GDAL's OSM driver) into reference layers:
which tags each layer takes, the catalog class each tag value becomes, and the extract's
features as chunks of code, class and name for the usual checks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from twin.catalog import Layer
from twin.ingest.read import Chunk, Source, archive_kind, open_source

SUFFIXES = (".osm", ".pbf")  # .osm XML and .osm.pbf, as GDAL's OSM driver reads them
# The OSM driver's layers a feature with each key lands in (closed ways and multipolygon
# relations in multipolygons; tags the driver gives no column of stay in other_tags).
LINES, AREAS, NODES = "lines", "multipolygons", "points"
# Road values that are not catalog classes, by what they are drawn as; any other highway
# value (construction, proposed, raceway, ...) becomes the class "other".
ROAD_ALIASES = {
    "unclassified": "residential",
    "living_street": "residential",
    "road": "residential",
    "pedestrian": "path",
    "footway": "path",
    "cycleway": "path",
    "bridleway": "path",
    "steps": "path",
    "track": "path",
    "corridor": "path",
}
WATER_ALIASES = {"riverbank": "water", "drain": "stream", "ditch": "stream", "brook": "stream"}
# waterway values that are structures on the water, not water: never taken.
NOT_WATER = {"dam", "weir", "lock_gate", "dock", "boatyard", "fuel", "waterfall", "rapids"}


def road_class(value: str, allowed: tuple[str, ...]) -> str | None:
    """A highway value's road class: itself, its main road (primary_link), an alias, or
    "other"."""
    value = value.removesuffix("_link")
    found = value if value in allowed else ROAD_ALIASES.get(value)
    return found if found in allowed else ("other" if "other" in allowed else None)


def water_class(value: str, allowed: tuple[str, ...]) -> str | None:
    """A waterway value's water class: itself, an alias, or "stream" (None for a dam)."""
    if value in NOT_WATER:
        return None
    found = value if value in allowed else WATER_ALIASES.get(value, "stream")
    return found if found in allowed else None


def _constant(cls: str) -> Callable[[str, tuple[str, ...]], str | None]:
    def classify(value: str, allowed: tuple[str, ...]) -> str | None:
        return cls if value != "no" and cls in allowed else None

    return classify


@dataclass(frozen=True)
class Key:
    """An OSM key a reference layer takes features by."""

    key: str
    osm_layers: tuple[str, ...]
    classify: Callable[[str, tuple[str, ...]], str | None]
    default: tuple[str, ...] | None = None  # the values taken without --tags (None: any)


# The mapping of issue 16: highway=* -> road/<value>; waterway=* and natural=water -> water;
# building=* -> building; amenity, tourism, historic -> landmark/<key>. Earlier keys win.
KEYS: dict[str, tuple[Key, ...]] = {
    "road": (Key("highway", (LINES,), road_class),),
    "water": (
        Key("waterway", (LINES, AREAS), water_class),
        Key("natural", (AREAS,), _constant("water"), ("water",)),
    ),
    "building": (Key("building", (AREAS,), _constant("building")),),
    "landmark": tuple(
        Key(k, (NODES, AREAS), _constant(k)) for k in ("amenity", "tourism", "historic")
    ),
}
# The OSM layers each catalog geometry reads.
GEOMETRY_LAYERS: dict[str, tuple[str, ...]] = {
    "line": (LINES,),
    "polygon": (AREAS,),
    "point": (NODES,),
}
GEOMETRY_LAYERS["any"] = (NODES, LINES, AREAS)


class TagError(ValueError):
    """--tags or --osm cannot apply: the message says what to write instead."""


def is_osm(path: Path) -> bool:
    """Whether a path is an OpenStreetMap extract by its name."""
    return archive_kind(path)[0] in SUFFIXES if path.exists() else path.suffix in SUFFIXES


def filters(layer: Layer, tags: list[str]) -> dict[str, tuple[str, ...] | None]:
    """The keys (and values, None: any) a load takes: --tags KEY=V1,V2 or KEY=* (or KEY),
    repeatable, else the layer's defaults."""
    keys = {k.key: k for k in KEYS.get(layer.name, ())}
    if not keys:
        raise TagError(
            f"--osm: layer {layer.name} has no OpenStreetMap mapping; those that do: "
            f"{', '.join(KEYS)} (load another file format with --map class=COLUMN)"
        )
    if not tags:
        return {k.key: k.default for k in keys.values()}
    chosen: dict[str, tuple[str, ...] | None] = {}
    for tag in tags:
        key, sep, values = tag.partition("=")
        key, values = key.strip(), values if sep else "*"
        if key not in keys:
            raise TagError(f"--tags {tag!r}: layer {layer.name} takes the keys {', '.join(keys)}")
        wanted = tuple(v.strip() for v in values.split(",") if v.strip())
        if not wanted:
            raise TagError(f"--tags {tag!r}: give values after '=', or {key}=* for any")
        chosen[key] = None if "*" in wanted else (*(chosen.get(key) or ()), *wanted)
    return chosen


def osm_sources(
    path: Path, layer: Layer, chosen: dict[str, tuple[str, ...] | None], where: str | None
) -> list[tuple[Source, tuple[Key, ...]]]:
    """Each OSM layer the load reads, opened with a filter on the keys' presence (values are
    matched in Python), and the keys it is read for."""
    out = []
    keys = [k for k in KEYS[layer.name] if k.key in chosen]
    for osm_layer in GEOMETRY_LAYERS[layer.geometry or "any"]:
        here = tuple(k for k in keys if osm_layer in k.osm_layers)
        if not here:
            continue
        source = open_source(path, osm_layer, {}, None)
        # Keys are the catalog's own names (KEYS), never text from the command line.
        present = " OR ".join(
            f'"{k.key}" IS NOT NULL'
            if k.key in source.columns
            else f"other_tags LIKE '%\"{k.key}\"=>%'"
            for k in here
        )
        condition = f"({present})" + (f" AND ({where})" if where else "")
        out.append((open_source(path, osm_layer, {}, condition), here))
    return out


def tag_values(attributes: pd.DataFrame, key: str) -> pd.Series:
    """A tag's value per feature: its column, or else out of the other_tags hstore text."""
    if key in attributes.columns:
        return attributes[key].astype(object).where(attributes[key].notna(), None)
    if "other_tags" not in attributes.columns:
        return pd.Series([None] * len(attributes), dtype=object)
    pattern = '"' + re.escape(key) + r'"=>"((?:[^"\\]|\\.)*)"'
    found = attributes["other_tags"].astype(str).str.extract(pattern, expand=False)
    return found.str.replace(r"\\(.)", r"\1", regex=True).astype(object).where(found.notna(), None)


def _codes(attributes: pd.DataFrame, osm_layer: str) -> pd.Series:
    """The element each feature is: n<node id>, w<way id>, r<relation id>."""
    ids = attributes["osm_id"].astype(object)
    if osm_layer == NODES:
        return "n" + ids.astype(str)
    if osm_layer == LINES:
        return "w" + ids.astype(str)
    ways = attributes["osm_way_id"].astype(object)
    return ("r" + ids.astype(str)).where(ids.notna(), "w" + ways.astype(str))


def osm_chunks(
    sources: list[tuple[Source, tuple[Key, ...]]],
    layer: Layer,
    chosen: dict[str, tuple[str, ...] | None],
) -> Iterator[Chunk]:
    """The taken features as chunks of code, class and name, numbered in the order taken."""
    allowed = layer.field("class").allowed
    taken = 0
    for source, keys in sources:
        for chunk in source.chunks():
            attrs = chunk.attributes
            classes = pd.Series([None] * len(attrs), dtype=object)
            for key in keys:
                values = tag_values(attrs, key.key)
                wanted = chosen[key.key]
                open_ = values.notna().to_numpy() & classes.isna().to_numpy()
                for i in map(int, np.flatnonzero(open_)):
                    if wanted is None or values.iloc[i] in wanted:
                        classes.iloc[i] = key.classify(str(values.iloc[i]), allowed)
            keep = classes.notna().to_numpy()
            if not keep.any():
                continue
            frame = pd.DataFrame(
                {
                    "code": _codes(attrs, source.layer or LINES)[keep].to_numpy(),
                    "class": classes[keep].to_numpy(),
                    "name": tag_values(attrs, "name")[keep].to_numpy(),
                }
            )
            broken = chunk.broken[keep] if chunk.broken is not None else None
            yield Chunk(taken + 1, frame, chunk.geometry[keep], broken)
            taken += len(frame)
