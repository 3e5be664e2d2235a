"""What every callback registry of the app shares: settings, pool, catalog words, snapshots."""

from __future__ import annotations

from dataclasses import dataclass

from psycopg_pool import ConnectionPool

from twin.app.hotspots.analyses import Analyses
from twin.app.mapdata import MapData
from twin.app.metrics import Metric, catalog_metrics
from twin.app.pages import auto_levels, drawn_layers
from twin.app.shared import PerVersion
from twin.app.snapshot import Snapshots
from twin.app.views import CatalogText
from twin.app.windows import WindowCache
from twin.catalog import Layer, load_catalog
from twin.catalog.terms import Terms
from twin.performance.cache import EvaluationCache
from twin.reference.styles import reference_layers
from twin.reference.tiles import ReferenceTiles
from twin.settings import Settings
from twin.spatial.status import Thresholds
from twin.store import fetch_map_extent


@dataclass(frozen=True)
class AppContext:
    """The app's shared parts, built once by create_app."""

    settings: Settings
    pool: ConnectionPool
    thresholds: Thresholds
    layers: dict[str, Layer]
    text: CatalogText
    terms: Terms
    metrics: dict[str, Metric]
    point_layers: list[str]
    devices: list[Layer]  # the layers a unit page lists devices of
    bounds: list[list[float]]
    zoom_levels: list[tuple[float, str]]
    mapdata: MapData
    counts: dict[str, int]
    loaded: list[str]  # the levels the city has units of (all, before any is loaded)
    snapshots: Snapshots
    windows: WindowCache  # the city's figures in windows other than the snapshot's
    hotspots: Analyses  # the hotspot page's and the wall's analyses, kept per filters
    tiles: ReferenceTiles  # the reference layers' vector tiles, cut and cached
    evaluations: EvaluationCache  # the performance page's evaluations, kept per data version
    shown: PerVersion  # what a refresh shows per snapshot version, shared by the pages


def build_context(settings: Settings, pool: ConnectionPool) -> AppContext:
    """Read the catalog and the city's extent; the snapshot reader is built, not started."""
    layers = load_catalog(settings.layers_dir)
    bounds, widths = _extent(pool)
    mapdata = MapData(pool, layers)
    thresholds = Thresholds.from_settings(settings)
    terms = Terms.of(layers)
    counts = mapdata.level_counts()
    snapshots = Snapshots(
        pool, thresholds, settings.timezone, settings.refresh_seconds / 2, terms=terms
    )
    shown = PerVersion()
    snapshots.on_new.append(shown.build_ahead)  # the views pages asked for, for the next version
    return AppContext(
        settings=settings,
        pool=pool,
        thresholds=thresholds,
        layers=layers,
        text=CatalogText(layers),
        terms=terms,
        metrics={m.key: m for m in catalog_metrics(layers)},
        point_layers=drawn_layers(layers),
        devices=[layers[p] for p in terms.device_layers],
        bounds=bounds,
        zoom_levels=auto_levels(widths, terms.levels),
        mapdata=mapdata,
        counts=counts,
        loaded=[level for level in terms.levels if counts.get(level)] or list(terms.levels),
        snapshots=snapshots,
        windows=WindowCache(pool, terms.categories),
        # Older than two refreshes, a result is recomputed in the background, shown meanwhile.
        hotspots=Analyses(pool, layers, max(settings.refresh_seconds, 5) * 2.0),
        tiles=ReferenceTiles(pool, reference_layers(layers)),
        evaluations=EvaluationCache(),
        shown=shown,
    )


def _extent(pool: ConnectionPool) -> tuple[list[list[float]], dict[str, float]]:
    """The city's bounds and each level's typical unit width in degrees."""
    with pool.connection() as conn:
        box, widths = fetch_map_extent(conn)
    if box is None:  # no units yet: somewhere to look until loaded
        return [[30.5, 114.2], [30.7, 114.4]], {}
    xmin, ymin, xmax, ymax = box
    return [[ymin, xmin], [ymax, xmax]], widths
