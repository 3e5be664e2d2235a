"""The analyses behind the hotspot page and the wall, kept per filters: a result older than
max_age is still served at once while the next is computed in the background."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import geobuf
import pandas as pd
import shapely
from psycopg_pool import ConnectionPool

from twin.app.hotspots.memo import Memo
from twin.app.mapdata import Encoded, outline_collection
from twin.catalog import Layer
from twin.hotspots.analysis import HotspotResult, filtered_points
from twin.hotspots.cache import HotspotCache
from twin.hotspots.coverage import cameras_seeing, unit_coverage
from twin.hotspots.density import Density, density
from twin.hotspots.emerging import EmergingResult, run_emerging
from twin.hotspots.filters import Filters
from twin.hotspots.points import fetch_lonlat
from twin.hotspots.units import Units, analysis_units


def emerging_step(f: Filters, now: datetime) -> str:
    """Daily steps over a window of up to 30 days, weekly beyond (13 weeks in 90 days)."""
    start, end = f.window.bounds(now)
    return "1d" if start is not None and end - start <= timedelta(days=31) else "7d"


class Analyses:
    """Each analysis of the page per filters, fresh for max_age seconds."""

    def __init__(self, pool: ConnectionPool, layers: Mapping[str, Layer], max_age: float):
        self.pool, self.layers = pool, layers
        self.memo = Memo(max_age)
        self.outlines = Memo(3600.0, keep=8)  # units change only when grids are redrawn
        # The analysis' own cache knows the data version: asking it again is cheap when no
        # matching point arrived; the memo above keeps even that off a page's clock.
        self.cache = HotspotCache(layers, max_age=timedelta(seconds=max_age))

    def hotspots(self, f: Filters) -> HotspotResult:
        """Gi* classes of the filtered points per unit."""

        def run() -> HotspotResult:
            with self.pool.connection() as conn:
                return self.cache.get(conn, f, datetime.now(UTC))

        return self.memo.get(("hotspots", f), run)

    def points(self, f: Filters, codes: tuple[str, ...]) -> pd.DataFrame:
        """The filtered points inside some units (a hotspot's cases), newest first."""

        def run() -> pd.DataFrame:
            units = self.hotspots(f).units
            with self.pool.connection() as conn:
                found = filtered_points(conn, f, datetime.now(UTC), self.layers, codes, units)
            return found.sort_values("at", ascending=False)

        return self.memo.get(("points", f, codes), run)

    def emerging(self, f: Filters) -> EmergingResult:
        """Emerging categories per unit over daily or weekly steps of the window."""

        def run() -> EmergingResult:
            now = datetime.now(UTC)
            with self.pool.connection() as conn:
                step = emerging_step(f, now)
                return run_emerging(conn, f, now, step=step, layers=self.layers)

        return self.memo.get(("emerging", f), run)

    def density(self, f: Filters) -> Density:
        """The kernel density surface of the filtered points."""

        def run() -> Density:
            with self.pool.connection() as conn:
                return density(fetch_lonlat(conn, f, datetime.now(UTC), self.layers))

        return self.memo.get(("density", f), run)

    def coverage(self, unit: str) -> pd.DataFrame:
        """Each unit's share covered by online cameras."""

        def run() -> pd.DataFrame:
            with self.pool.connection() as conn:
                return unit_coverage(conn, unit)

        return self.memo.get(("coverage", unit), run)

    def cameras(self, units: Units, code: str) -> pd.DataFrame:
        """The cameras whose view reaches into one unit."""
        where = list(units.codes).index(code)

        def run() -> pd.DataFrame:
            with self.pool.connection() as conn:
                return cameras_seeing(conn, units.geoms_lonlat[where])

        return self.memo.get(("cameras", units.unit, code), run)

    def units(self, unit: str) -> Encoded:
        """The outlines of a unit of analysis as geobuf (codes only)."""

        def run() -> Encoded:
            with self.pool.connection() as conn:
                found = analysis_units(conn, unit)
            rows = [
                (code, shapely.to_wkb(g))
                for code, g in zip(found.codes, found.geoms_lonlat, strict=True)
            ]
            return Encoded.of(geobuf.encode(outline_collection(rows)))

        return self.outlines.get(unit, run)
