"""`twin load road|water|building|landmark FILE`: a reference layer replaced whole from any
file the loader reads, or from an OpenStreetMap extract by tags; all or nothing, and never
counted (no unit assignment, no grid_stat, no version of the grid)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg

from twin.catalog import Layer
from twin.ingest import osm
from twin.ingest.load import LoadRefused, LoadReport, source_crs, warnings_as_notes
from twin.ingest.read import Chunk, SourceError, open_source
from twin.ingest.validate import Options, Problem, convert_chunk, resolve_columns
from twin.reference.store import ReferenceFeature, replace_layer


@dataclass(frozen=True)
class ReferenceLoad:
    """What a reference load reads: the file's layer, column mapping and filters, or for an
    OpenStreetMap extract (osm True) the --tags filters."""

    layer_name: str | None = None
    crs: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    fix: bool = False
    gcj02: bool = False
    where: str | None = None
    osm: bool = False
    tags: tuple[str, ...] = ()


@dataclass
class _Taken:
    """The features that passed, and what was found and done on the way."""

    features: list[ReferenceFeature] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    read: int = 0
    codes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


def read_reference(path: Path, layer: Layer, how: ReferenceLoad) -> tuple[_Taken, list[str]]:
    """Every feature of the file as the layer's, checked; the notes on what was assumed."""
    notes: list[str] = []
    if how.osm:
        _refuse_options(path, how)
        chosen = osm.filters(layer, list(how.tags))
        sources = osm.osm_sources(path, layer, chosen, how.where)
        if not sources:
            raise osm.TagError(
                f"--tags: no key chosen is drawn as the {layer.geometry} of {layer.name}"
            )
        crs = source_crs(sources[0][0].crs, how.crs, path)
        columns = {"code": "code", "class": "class", "name": "name"}
        chunks: Iterator[Chunk] = osm.osm_chunks(sources, layer, chosen)
        notes.append(f"OpenStreetMap tags taken: {_described(chosen)}")
    else:
        if how.tags:
            raise osm.TagError("--tags filters an OpenStreetMap extract (.osm, .osm.pbf)")
        source = open_source(path, how.layer_name, how.mapping, how.where)
        columns, problems = resolve_columns(layer, source.columns, how.mapping)
        if problems:
            raise LoadRefused(path, problems)
        crs = source_crs(source.crs, how.crs, path, assume_wgs84=bool(source.csv_geometry))
        chunks = source.chunks()
        if "code" not in columns:
            notes.append("the file has no code column: features are coded by their number")
    opts = Options(crs, columns, how.fix, how.gcj02)
    taken = _Taken()
    for chunk in chunks:
        _take(layer, chunk, opts, taken)
    taken.problems += _duplicates(taken.codes)
    if taken.read == 0:
        raise SourceError(f"{path}: no features to load into {layer.name}")
    return taken, notes


@warnings_as_notes
def load_reference(
    conn: psycopg.Connection, layer: Layer, path: Path, how: ReferenceLoad, now: datetime
) -> LoadReport:
    """Replace the layer with the file's features in one transaction (give an autocommit
    connection); raise LoadRefused with every problem, and write nothing, when anything is
    wrong."""
    start = time.perf_counter()
    taken, notes = read_reference(path, layer, how)
    if taken.problems:
        raise LoadRefused(path, taken.problems)
    with conn.transaction():
        row = conn.execute(
            "SELECT count(*) FROM reference_feature WHERE layer = %s", [layer.name]
        ).fetchone()
        n = replace_layer(conn, layer.name, taken.features, now)
    report = LoadReport(layer.name, taken.read, n, 0, time.perf_counter() - start, taken.repairs)
    report.notes, report.replaced = notes, int(row[0]) if row else 0
    return report


def _take(layer: Layer, chunk: Chunk, opts: Options, taken: _Taken) -> None:
    """One chunk converted and checked into taken."""
    done = convert_chunk(layer, chunk, opts)
    taken.read += len(chunk.attributes)
    taken.problems += done.problems
    taken.repairs += done.repairs
    frame = done.frame
    # No code column: the feature's number in the file is its code (as the table says).
    codes = frame["code"].where(frame["code"].notna(), frame["feature"].astype(str))
    bad = {p.feature for p in done.problems}
    names = frame["name"] if "name" in frame.columns else pd.Series([None] * len(frame))
    for feature, code, cls, name, geom in zip(
        frame["feature"], codes, frame["class"], names, frame["geometry"], strict=True
    ):
        taken.codes[str(code)].append(int(feature))
        if int(feature) in bad or geom is None:
            continue
        taken.features.append(ReferenceFeature(str(code), str(cls), _text(name), geom))


def _text(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _duplicates(codes: dict[str, list[int]]) -> list[Problem]:
    """A problem for each feature that repeats another's code (the table keeps one each)."""
    problems = []
    for code, features in codes.items():
        if len(features) > 1:
            others = ", ".join(map(str, features))
            problems += [
                Problem(f, code, "code", f"duplicate code in the file (features {others})")
                for f in features
            ]
    return problems


def _refuse_options(path: Path, how: ReferenceLoad) -> None:
    """Options that name a file's own layer or columns mean nothing for an extract."""
    if how.layer_name or how.mapping:
        option = "--layer-name" if how.layer_name else "--map"
        raise osm.TagError(
            f"{path}: {option} does not apply to an OpenStreetMap extract: the layer's tags"
            " choose its features (--tags KEY=VALUE,...)"
        )


def _described(chosen: dict[str, tuple[str, ...] | None]) -> str:
    return ", ".join(f"{k}={'*' if v is None else ','.join(v)}" for k, v in chosen.items())
