"""`twin bench --tiles`: reference tiles at city size — latency (median, p95) and bytes per
tile, cut cold and served from the cache — beside the same features as GeoJSON for each
tile's box. The road network is the city-size demo's unit edges (twin.bench.roads), written
in a transaction that is rolled back: the database is left as it was."""

from __future__ import annotations

import gzip
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import numpy as np
import psycopg
import shapely

from twin.bench.roads import edge_roads
from twin.bench.table import Row, format_table
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.db.queries import query
from twin.reference.store import replace_layer
from twin.reference.styles import ReferenceLayer, reference_layers
from twin.reference.tiles import ReferenceTiles, TileAddress, TileCache, tile_bounds_lonlat
from twin.settings import Settings
from twin.synth.city import to_lonlat
from twin.synth.load import generate

ZOOMS = (12, 14, 16)
PER_ZOOM = 60  # tiles measured per zoom, spread over the city


class OneConnection:
    """A pool of one held connection, so the tiles read the benchmark's open transaction."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """The one connection."""
        yield self.conn


def city_tiles(bounds: tuple[float, float, float, float], z: int) -> list[TileAddress]:
    """Up to PER_ZOOM tiles of zoom z over the box, evenly spread."""
    w, s, e, n = bounds
    lo, hi = _tile(w, n, z), _tile(e, s, z)
    every = [TileAddress(z, x, y) for x in range(lo[0], hi[0] + 1) for y in range(lo[1], hi[1] + 1)]
    step = max(1, len(every) // PER_ZOOM)
    return every[::step][:PER_ZOOM]


def _tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - np.arcsinh(np.tan(np.radians(lat))) / np.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    return float(np.percentile(values, 95))


def geojson_tile(
    conn: psycopg.Connection, refs: tuple[ReferenceLayer, ...], at: TileAddress
) -> bytes:
    """The naive answer for a tile's box: its features as GeoJSON."""
    pairs = [(r.name, c) for r in refs for c in r.shown_at(at.z)]
    w, s, e, n = tile_bounds_lonlat(at)
    row = conn.execute(
        query("bench_reference_geojson"),
        {
            "west": w,
            "south": s,
            "east": e,
            "north": n,
            "pair_layers": [p[0] for p in pairs],
            "pair_classes": [p[1] for p in pairs],
        },
    ).fetchone()
    assert row is not None
    return str(row[0]).encode()


def measure_zoom(
    conn: psycopg.Connection, refs: tuple[ReferenceLayer, ...], tiles: list[TileAddress]
) -> list[Row]:
    """Cold, cached and GeoJSON latency and bytes over one zoom's tiles."""
    service = ReferenceTiles(OneConnection(conn), refs, cache=TileCache())  # type: ignore[arg-type]
    cold, warm, naive, mvt_gz, json_gz, mvt_raw, json_raw = [], [], [], [], [], [], []
    for at in tiles:
        start = time.perf_counter()
        tile = service.tile(at)
        cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        service.tile(at)
        warm.append(time.perf_counter() - start)
        start = time.perf_counter()
        body = geojson_tile(conn, refs, at)
        packed = gzip.compress(body, 6)
        naive.append(time.perf_counter() - start)
        mvt_raw.append(len(tile.raw))
        mvt_gz.append(len(tile.gzipped))
        json_raw.append(len(body))
        json_gz.append(len(packed))
    z = tiles[0].z
    med = statistics.median
    gj = "GeoJSON of the box"
    return [
        Row(f"z{z} tile, cut (median)", med(cold), med(naive), gj, "ms"),
        Row(f"z{z} tile, cut (p95)", p95(cold), p95(naive), gj, "ms"),
        Row(f"z{z} tile, from the cache (median)", med(warm), med(naive), gj, "ms"),
        Row(
            f"z{z} bytes per tile (mean)",
            float(np.mean(mvt_raw)),
            float(np.mean(json_raw)),
            gj,
            "B",
        ),
        Row(
            f"z{z} bytes per tile, gzipped (mean)",
            float(np.mean(mvt_gz)),
            float(np.mean(json_gz)),
            gj + ", gzipped",
            "B",
        ),
    ]


def run_tile_bench(conn: psycopg.Connection, size: str, seed: int) -> str:
    """Write the city's edge roads (rolled back afterwards), measure, return the table."""
    layers = load_catalog(Settings().layers_dir)
    refs = reference_layers(layers)
    city = generate(size, seed, datetime.now(UTC))
    roads = edge_roads(city.areas, Terms.of(layers).levels)
    top = [a.geom for a in city.areas if a.level == city.areas[0].level]
    bounds = to_lonlat(shapely.union_all(top)).bounds
    rows: list[Row] = []
    counts = []
    with conn.transaction(force_rollback=True):
        replace_layer(conn, "road", roads, datetime.now(UTC))
        conn.execute("ANALYZE reference_feature")
        for z in ZOOMS:
            tiles = city_tiles(bounds, z)
            counts.append(f"z{z}: {len(tiles)}")
            rows += measure_zoom(conn, refs, tiles)
    vertices = sum(len(shapely.get_coordinates(r.geom)) for r in roads)
    header = (
        f"twin bench --tiles — size {size}, seed {seed}: {len(roads):,} roads"
        f" ({vertices:,} vertices, the city's unit edges); tiles measured {', '.join(counts)}"
    )
    return format_table(rows, header)
