"""Generate the demo city and load it into the store, once, in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
import psycopg
import shapely
from tqdm import tqdm

from twin.catalog import Layer, load_catalog
from twin.catalog.terms import CASES, Terms
from twin.db.maintain import maintain
from twin.ingest import bulk, grids
from twin.plans.versions import record_version
from twin.reference.store import replace_layer
from twin.settings import Settings
from twin.synth import points
from twin.synth.city import SIZES, Area, build_hierarchy, to_lonlat
from twin.synth.streets import Reference, build_reference

INCIDENT_CHUNK = 250_000
DEMO_KEY = "demo"


@dataclass(frozen=True)
class DemoCity:
    """A generated city, before loading."""

    areas: list[Area]
    cameras: pd.DataFrame
    sensors: pd.DataFrame
    reference: Reference  # streets, water and buildings (twin.synth.streets)


def rng_for(seed: int, *stream: int) -> np.random.Generator:
    """An independent, reproducible random stream for one part of the city."""
    return np.random.default_rng([seed, *stream])


def builtin_layers() -> dict[str, Layer]:
    """The catalog the demo city is made for: the layers twin ships."""
    return load_catalog(Settings().layers_dir)


def generate(
    size: str, seed: int, now: datetime, layers: Mapping[str, Layer] | None = None
) -> DemoCity:
    """Districts to grids, cameras and sensors (incidents come in chunks, see incident_chunks)."""
    layers = layers or builtin_layers()
    spec = SIZES[size]
    areas = build_hierarchy(spec, rng_for(seed, 1), Terms.of(layers).levels)
    levels = Terms.of(layers).levels
    grids = [a for a in areas if a.level == areas[-1].level]
    sensors, sites = points.sensors_and_sites(
        rng_for(seed, 3), grids, spec.sensors, now, layers["sensor"]
    )
    return DemoCity(
        areas=areas,
        cameras=points.cameras(rng_for(seed, 2), grids, spec.cameras, now),
        sensors=sensors,
        reference=build_reference(rng_for(seed, 6), areas, sites, levels),
    )


def incident_chunks(
    city: DemoCity, size: str, seed: int, now: datetime, cases: Layer
) -> Iterator[pd.DataFrame]:
    """The city's incidents as frames of at most INCIDENT_CHUNK rows (memory stays bounded)."""
    finest, top = city.areas[-1].level, city.areas[0].level
    grids = [a for a in city.areas if a.level == finest]
    outline = shapely.union_all([a.geom for a in city.areas if a.level == top])
    spots = points.hotspots(rng_for(seed, 4), grids, cases)
    for i, (start, count) in enumerate(points.chunks(SIZES[size].incidents, INCIDENT_CHUNK)):
        yield points.incidents(rng_for(seed, 5, i), grids, outline, count, now, cases, start, spots)


def loaded_demo(conn: psycopg.Connection) -> dict[str, object] | None:
    """What demo the store holds (size, seed, anchor time), or None."""
    row = conn.execute("SELECT value FROM twin_meta WHERE key = %s", [DEMO_KEY]).fetchone()
    return row[0] if row else None


def clear(conn: psycopg.Connection) -> None:
    """Remove every grid and point (the demo is replaced, not merged)."""
    conn.execute(
        "TRUNCATE incident, camera, sensor, grid_stat, grid_ancestor, grid RESTART IDENTITY"
    )
    conn.execute("DELETE FROM twin_meta WHERE key = %s", [DEMO_KEY])


def _insert_areas(conn: psycopg.Connection, areas: list[Area], terms: Terms) -> None:
    """Level by level, parents first, through the loaders' grid stage (no checks: the
    generator tiles exactly by construction, and tests prove it)."""
    frame = pd.DataFrame(
        {
            "code": [a.code for a in areas],
            "name": [a.name for a in areas],
            "level": [a.level for a in areas],
            "parent_code": [a.parent_code for a in areas],
            "officer": [a.officer for a in areas],
            "population": pd.array([a.population for a in areas], dtype="Int64"),
            "households": pd.array([a.households for a in areas], dtype="Int64"),
            "wkb": [shapely.to_wkb(to_lonlat(a.geom), hex=True) for a in areas],
        }
    )
    for level in terms.levels:
        grids.create_grid_stage(conn)
        bulk.copy_frame(conn, frame[frame["level"] == level].drop(columns="level"))
        grids.upsert_grids(conn, level, grids.GRID_FIELDS)


def load_demo(
    conn: psycopg.Connection,
    size: str = "small",
    seed: int = 1,
    now: datetime | None = None,
    replace: bool = False,
    progress: bool = False,
    layers: Mapping[str, Layer] | None = None,
) -> bool:
    """Load the demo city unless the same one is there; True when it loaded.

    A different demo (or replace=True) replaces what is there. All in one transaction: give
    an autocommit connection (in an open transaction this becomes a savepoint of it).
    layers: the catalog (default: the built-in one; the demo needs its four levels and its
    camera, sensor and incident layers).
    """
    layers = layers or builtin_layers()
    terms = Terms.of(layers)
    if size not in SIZES:
        raise ValueError(f"unknown demo size {size!r}; choose one of {', '.join(SIZES)}")
    current = loaded_demo(conn)
    if current and current.get("size") == size and current.get("seed") == seed and not replace:
        return False
    if now is None:
        row = conn.execute("SELECT date_trunc('minute', now())").fetchone()
        assert row is not None
        now = row[0]
    assert now is not None
    spec = SIZES[size]
    steps = 3 + -(-spec.incidents // INCIDENT_CHUNK)
    with conn.transaction(), tqdm(total=steps, desc=f"demo {size}", disable=not progress) as bar:
        marked = bulk.begin_bulk(conn)
        conn.execute("SET LOCAL twin.defer_stats = 'on'")  # counted once, at the end
        clear(conn)
        city = generate(size, seed, now, layers)
        _insert_areas(conn, city.areas, terms)
        record_version(conn, "load", effective_at=None, note=f"demo city {size} (seed {seed})")
        for layer, features in city.reference.by_layer().items():
            replace_layer(conn, layer, features, now)
        bar.update()
        bulk.insert_points(conn, layers["camera"], city.cameras)
        bar.update()
        bulk.insert_points(conn, layers["sensor"], city.sensors)
        bar.update()
        for frame in incident_chunks(city, size, seed, now, layers[CASES]):
            bulk.insert_points(conn, layers[CASES], frame)
            bar.update()
        conn.execute("SET LOCAL twin.defer_stats = 'off'")
        bulk.end_bulk(conn, marked)
        conn.execute("SELECT twin_stat_rebuild(layer) FROM twin_point_layer")
        meta = {"size": size, "seed": seed, "now": now.isoformat()}
        conn.execute(
            "INSERT INTO twin_meta (key, value) VALUES (%s, %s)", [DEMO_KEY, json.dumps(meta)]
        )
    # Fresh statistics for the planner, a visibility map so the overdue counts are
    # index-only scans, and grid_stat rewritten after the recount bloated it.
    maintain(conn, everything=True)
    return True
