"""Reference layers as Mapbox vector tiles cut by PostGIS (ST_AsMVT), kept in a bounded cache
keyed by the tile and the layers' write versions."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
from psycopg_pool import ConnectionPool

from twin.db.queries import query
from twin.reference.store import layer_versions
from twin.reference.styles import ReferenceLayer, fingerprint

MAX_ZOOM = 22  # a tile below a metre's detail has nothing more to show
EXTENT, BUFFER = 4096, 64  # MVT coordinates per tile side, and the margin around it
TILE_PX = 256  # the tile's side on screen
WORLD_M = 2 * 20037508.342789244  # EPSG:3857's width
# How long a read of the layers' versions is trusted: a replaced layer shows within this,
# and a cached tile is served without touching the database.
VERSIONS_TTL_S = 1.0
CACHE_BYTES = 64 * 1024 * 1024  # encoded tiles kept before the least recently used go
DIGITS = re.compile(r"[0-9]{1,9}")


class BadTile(ValueError):
    """A tile address that is no tile (the route answers 400 or 404)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class TileAddress:
    """z/x/y of a tile in the XYZ scheme (y down from the north)."""

    z: int
    x: int
    y: int

    @classmethod
    def parse(cls, z: str, x: str, y: str) -> TileAddress:
        """An address from the URL's parts: 400 unless whole numbers, 404 outside the grid."""
        if not all(DIGITS.fullmatch(p) for p in (z, x, y)):
            raise BadTile(
                f"tile {z}/{x}/{y}: z, x and y must be whole numbers (9 digits at most)", 400
            )
        zi, xi, yi = int(z), int(x), int(y)
        if zi > MAX_ZOOM:
            raise BadTile(f"tile {z}/{x}/{y}: zoom {zi} is above {MAX_ZOOM}", 404)
        if xi >= 2**zi or yi >= 2**zi:
            raise BadTile(f"tile {z}/{x}/{y}: x and y run 0..{2**zi - 1} at zoom {zi}", 404)
        return cls(zi, xi, yi)


def pixel_m(z: int) -> float:
    """One screen pixel of a zoom-z tile, in EPSG:3857 metres (the simplification tolerance)."""
    return WORLD_M / (TILE_PX * 2**z)


@dataclass(frozen=True)
class Tile:
    """One encoded tile (empty: nothing to draw), gzipped once, with its ETag."""

    raw: bytes
    gzipped: bytes
    etag: str
    features: int

    @classmethod
    def of(cls, raw: bytes, features: int, key: str) -> Tile:
        """Encode once: gzip and tag."""
        return cls(raw, gzip.compress(raw, 6) if raw else b"", key, features)


class TileCache:
    """A least-recently-used map of tiles bounded by their bytes, shared by threads."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[tuple[object, ...], Tile] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> Tile | None:
        """The tile kept for key (now the most recently used), or None."""
        with self._lock:
            tile = self._items.get(key)
            if tile is not None:
                self._items.move_to_end(key)
            return tile

    def put(self, key: tuple[object, ...], tile: Tile) -> Tile:
        """Keep tile, dropping the least recently used past the bound; return it."""
        with self._lock:
            if key not in self._items:
                self._items[key] = tile
                self.size += _weight(tile)
            while self.size > self.max_bytes and len(self._items) > 1:
                _, old = self._items.popitem(last=False)
                self.size -= _weight(old)
        return tile

    def __len__(self) -> int:
        return len(self._items)


def _weight(tile: Tile) -> int:
    return len(tile.raw) + len(tile.gzipped) + 200  # the key and object, roughly


class ReferenceTiles:
    """Cuts, caches and tags the tiles of the catalog's reference layers."""

    def __init__(
        self,
        pool: ConnectionPool,
        refs: tuple[ReferenceLayer, ...],
        clock: Callable[[], float] = time.monotonic,
        cache: TileCache | None = None,
    ) -> None:
        self.pool, self.refs, self.clock = pool, refs, clock
        self.cache = cache or TileCache()
        self._style = fingerprint(refs)
        self._token: str | None = None
        self._read_at: float | None = None  # None: never read (monotonic 0 is no "long ago")
        self._lock = threading.Lock()

    def token(self) -> str:
        """A short hash of the layers' versions and styles, read at most once a TTL."""
        with self._lock:
            now = self.clock()
            fresh = self._read_at is not None and now - self._read_at < VERSIONS_TTL_S
            if self._token is None or not fresh:
                with self.pool.connection() as conn:
                    versions = layer_versions(conn)
                text = json.dumps([sorted(versions.items()), self._style])
                self._token = hashlib.sha1(text.encode()).hexdigest()[:12]
                self._read_at = now
            return self._token

    def tile(self, at: TileAddress) -> Tile:
        """The tile at that address as the layers are now (cut on first request)."""
        token = self.token()
        key = (at.z, at.x, at.y, token)
        found = self.cache.get(key)
        if found is not None:
            return found
        with self.pool.connection() as conn:
            raw, features = cut_tile(conn, self.refs, at)
        return self.cache.put(key, Tile.of(raw, features, f"{token}-{at.z}-{at.x}-{at.y}"))


def cut_tile(
    conn: psycopg.Connection, refs: tuple[ReferenceLayer, ...], at: TileAddress
) -> tuple[bytes, int]:
    """The tile's bytes (b"" when nothing is in it) and its feature count, from PostGIS."""
    pairs = [(r.name, c) for r in refs for c in r.shown_at(at.z)]
    if not pairs:
        return b"", 0
    rows = conn.execute(
        query("reference_tile"),
        {
            "z": at.z,
            "x": at.x,
            "y": at.y,
            "margin": BUFFER / EXTENT,
            "tolerance": pixel_m(at.z),
            "pair_layers": [p[0] for p in pairs],
            "pair_classes": [p[1] for p in pairs],
            "layers": [r.name for r in refs],
        },
    ).fetchall()
    body = b"".join(bytes(mvt) for _, mvt, n in rows if mvt and n)
    return body, sum(int(n) for _, _, n in rows)


def tile_bounds_lonlat(at: TileAddress) -> tuple[float, float, float, float]:
    """The tile's (west, south, east, north) in degrees."""

    def lon(x: float) -> float:
        return x / 2**at.z * 360.0 - 180.0

    def lat(y: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2**at.z))))

    return lon(at.x), lat(at.y + 1), lon(at.x + 1), lat(at.y)
