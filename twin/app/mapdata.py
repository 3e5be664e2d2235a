"""The map's geometry as compact geobuf over plain HTTP: sent once, cached, never refreshed.

Outlines and points travel by URL (not through Dash callbacks) so the browser caches them
(ETag) and a status refresh carries only values.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import geobuf
import psycopg
import shapely
from flask import Flask, Response, abort, request
from psycopg_pool import ConnectionPool

from twin.app.pointmap import map_fields, point_feature
from twin.catalog import Layer
from twin.catalog.terms import Terms
from twin.store import (
    NotFound,
    fetch_grid,
    fetch_grid_version,
    fetch_level_counts,
    fetch_outlines,
    fetch_points,
    fetch_unit_outline,
)

PRECISION = 5  # decimal places of lon/lat sent: ~1 m, finer only adds bytes
WHOLE_LEVEL_MAX = 8000  # a level with more units than this is served per viewport only
VIEW_MAX = 6000  # most outlines one viewport request returns
POINTS_MAX = 20000  # most points one layer request returns
log = logging.getLogger(__name__)
SNAP = 0.02  # degrees: viewport boxes snap outward to this grid so requests repeat and cache
CACHE_MAX = 256  # encoded bodies (or code sets) kept before a cache starts over
V = TypeVar("V")


@dataclass(frozen=True)
class Encoded:
    """A geobuf body, gzipped once, with its ETag."""

    raw: bytes
    gzipped: bytes
    etag: str

    @classmethod
    def of(cls, raw: bytes) -> Encoded:
        """Encode once: gzip and hash."""
        return cls(raw, gzip.compress(raw, 6), hashlib.sha1(raw).hexdigest()[:16])


def outline_collection(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """Rows of (code, WKB) as a FeatureCollection with only the code (names travel in hideout)."""
    geoms = shapely.set_precision(shapely.from_wkb([bytes(r[1]) for r in rows]), 10.0**-PRECISION)
    features = [
        {"type": "Feature", "geometry": shapely.geometry.mapping(g), "properties": {"code": r[0]}}
        for r, g in zip(rows, geoms, strict=True)
        if not g.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


def snap_bbox(text: str) -> tuple[float, float, float, float]:
    """A bbox query value 'w,s,e,n' checked and snapped outward to SNAP degrees."""
    try:
        w, s, e, n = (float(v) for v in text.split(","))
    except ValueError as exc:
        raise ValueError(f"bbox {text!r}: expected four numbers w,s,e,n") from exc
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise ValueError(f"bbox {text!r}: not a box in lon/lat")
    snap = [SNAP * f(v / SNAP) for v, f in ((w, _floor), (s, _floor), (e, _ceil), (n, _ceil))]
    return (snap[0], snap[1], snap[2], snap[3])


def _floor(v: float) -> int:
    return int(v // 1)


def _ceil(v: float) -> int:
    return -int(-v // 1)


class Cache(Generic[V]):
    """A bounded map shared by the server's threads: viewport keys accumulate, so past
    `bound` entries it starts over rather than grow. make() runs once per key at a time:
    concurrent first callers of a key wait for that one result."""

    def __init__(self, bound: int = CACHE_MAX) -> None:
        self.bound = bound
        self._items: dict[tuple[Any, ...], V] = {}
        self._making: dict[tuple[Any, ...], threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> V | None:
        """The value kept for key, or None."""
        with self._lock:
            return self._items.get(key)

    def put(self, key: tuple[Any, ...], value: V) -> V:
        """Keep value for key; return it."""
        with self._lock:
            if len(self._items) >= self.bound:
                self._items.clear()
            self._items[key] = value
        return value

    def get_or_make(self, key: tuple[Any, ...], make: Callable[[], V]) -> V:
        """The value kept for key, else make() (once, however many callers wait for it)."""
        found = self.get(key)
        if found is not None:
            return found
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            try:
                found = self.get(key)
                if found is None:
                    found = self.put(key, make())
            finally:
                with self._lock:
                    self._making.pop(key, None)
        return found


class MapData:
    """Encodes and caches outlines per level (and viewport) and points per layer and unit."""

    def __init__(self, pool: ConnectionPool, layers: dict[str, Layer]) -> None:
        self.pool, self.layers = pool, layers
        self.levels = Terms.of(layers).levels
        self._cache: Cache[Encoded] = Cache()
        self._codes: Cache[frozenset[str]] = Cache()

    def level_counts(self, conn: psycopg.Connection | None = None) -> dict[str, int]:
        """How many units each level has (on conn when given: never hold two of the pool's)."""
        if conn is None:
            with self.pool.connection() as own:
                return self.level_counts(own)
        return fetch_level_counts(conn, self.levels)

    def _version(self, conn: psycopg.Connection) -> tuple[int, int]:
        return fetch_grid_version(conn)

    def _in_view(
        self, conn: psycopg.Connection, level: str, bbox: tuple[float, float, float, float] | None
    ) -> list[tuple[Any, ...]]:
        return list(fetch_outlines(conn, level, bbox, VIEW_MAX if bbox else None))

    def outlines(self, level: str, bbox: tuple[float, float, float, float] | None) -> Encoded:
        """A level's outlines (within bbox when given), encoded."""
        if level not in self.levels:
            raise ValueError(f"unknown level {level!r}; expected one of {', '.join(self.levels)}")
        with self.pool.connection() as conn:
            key = ("outlines", level, bbox, self._version(conn))
            # Checked before the cache: a level warmed whole may not be sent whole any more.
            counts = self.level_counts(conn) if bbox is None else {}
            if bbox is None and not self.sent_whole(level, counts):
                raise ValueError(
                    f"level {level} has {counts[level]:,} units, more than"
                    f" {WHOLE_LEVEL_MAX:,} for one map: ask for a viewport with ?bbox=w,s,e,n"
                )

            def make() -> Encoded:
                rows = self._in_view(conn, level, bbox)
                return encode(outline_collection(rows) if rows else _empty())

            return self._cache.get_or_make(key, make)

    def codes_in(self, level: str, bbox: tuple[float, float, float, float]) -> frozenset[str]:
        """The codes a viewport request of that level returns (its values travel alone)."""
        with self.pool.connection() as conn:
            key = ("codes", level, bbox, self._version(conn))
            return self._codes.get_or_make(
                key, lambda: frozenset(r[0] for r in self._in_view(conn, level, bbox))
            )

    def outline(self, code: str) -> Encoded:
        """One unit's outline, encoded (NotFound for an unknown code)."""
        with self.pool.connection() as conn:
            got = fetch_unit_outline(conn, code)
        if got is None:
            raise NotFound(f"no grid has the code {code!r}")
        return encode(outline_collection([(code, got[0])]))

    @staticmethod
    def sent_whole(level: str, counts: dict[str, int]) -> bool:
        """Whether a level is small enough to send whole (else it travels per viewport)."""
        return counts.get(level, 0) <= WHOLE_LEVEL_MAX

    def warm(self, counts: dict[str, int]) -> None:
        """Encode every level small enough to send whole, so first requests are cached."""
        try:
            for level, count in counts.items():
                if count > 0 and self.sent_whole(level, counts) and not self.pool.closed:
                    self.outlines(level, None)
        except Exception as exc:  # only a head start: a request encodes it anyway
            log.warning("pre-encoding outlines failed: %s", exc)

    def points(self, layer_name: str, unit: str | None) -> Encoded:
        """A point layer's points inside a unit (or the city's that need attention), encoded."""
        layer = self.layers.get(layer_name)
        if layer is None or layer.kind != "point" or layer.style.color_by is None:
            raise ValueError(f"no point layer {layer_name!r} to draw")
        fields = map_fields(layer)
        with self.pool.connection() as conn:
            unit_id = fetch_grid(conn, unit)["id"] if unit else None
            rows = fetch_points(conn, layer, fields, unit_id, POINTS_MAX)
        key = ("points", layer_name, unit, hash(tuple(rows)))
        found = self._cache.get(key)
        if found is not None:
            return found
        features = [point_feature(layer, fields, row) for row in rows]
        collection = {"type": "FeatureCollection", "features": features} if features else _empty()
        return self._cache.put(key, encode(collection))


def encode(collection: dict[str, Any]) -> Encoded:
    """A FeatureCollection as geobuf, encoded once."""
    return Encoded.of(geobuf.encode(collection, PRECISION + 1))


def _empty() -> dict[str, Any]:
    # geobuf encodes an empty collection as nothing, which dash-leaflet's decoder cannot map
    # over; one feature with an empty geometry collection draws nothing and decodes cleanly.
    placeholder = {"type": "GeometryCollection", "geometries": []}
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": placeholder, "properties": {"code": ""}}],
    }


def respond(encoded: Encoded) -> Response:
    """The encoded body with gzip when accepted, revalidated by ETag (304 when unchanged)."""
    if request.if_none_match.contains(encoded.etag):
        return Response(status=304, headers={"ETag": f'"{encoded.etag}"'})
    gz = "gzip" in request.headers.get("Accept-Encoding", "")
    body = encoded.gzipped if gz else encoded.raw
    headers = {"ETag": f'"{encoded.etag}"', "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if gz:
        headers["Content-Encoding"] = "gzip"
    return Response(body, mimetype="application/x-protobuf", headers=headers)


def register_routes(server: Flask, data: MapData) -> None:
    """GET /twin/outlines/<level>.pbf[?bbox=w,s,e,n], /twin/outline/<code>.pbf and
    /twin/points/<layer>.pbf[?unit=code]."""

    @server.get("/twin/outlines/<level>.pbf")
    def outlines(level: str) -> Response:
        try:
            bbox = snap_bbox(request.args["bbox"]) if "bbox" in request.args else None
            return respond(data.outlines(level, bbox))
        except ValueError as exc:
            abort(Response(str(exc), status=400))
            raise  # abort raises; this keeps type checkers content

    @server.get("/twin/outline/<path:code>.pbf")  # a code may hold a /
    def outline(code: str) -> Response:
        try:
            return respond(data.outline(code))
        except NotFound as exc:
            abort(Response(str(exc), status=404))
            raise

    @server.get("/twin/points/<layer>.pbf")
    def points(layer: str) -> Response:
        try:
            return respond(data.points(layer, request.args.get("unit") or None))
        except NotFound as exc:
            abort(Response(str(exc), status=404))
            raise
        except ValueError as exc:
            abort(Response(str(exc), status=400))
            raise


def unit_bounds(pool: ConnectionPool, code: str, pad: float = 0.6) -> list[list[float]] | None:
    """A unit's bounds as [[south, west], [north, east]], grown by pad on each side."""
    with pool.connection() as conn:
        got = fetch_unit_outline(conn, code)
    if got is None:
        return None
    xmin, ymin, xmax, ymax = got[1]
    return padded([[ymin, xmin], [ymax, xmax]], pad)


def padded(box: list[list[float]], by: float = 0.6) -> list[list[float]]:
    """Bounds grown by a share of their size on each side: the unit with its neighbours."""
    (s, w), (n, e) = box
    dy, dx = (n - s) * by, (e - w) * by
    return [[s - dy, w - dx], [n + dy, e + dx]]
