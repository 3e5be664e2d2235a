"""Component ids, in one place."""

SHELL = "shell"
URL = "url"
TITLE = "title"
NAV = "nav"
SEARCH = "search"
LANG_LINK = "lang-link"
UPDATED = "updated"
MAP = "map"
CITY = "city-outline"
UNITS = "units"
SELECTED = "selected-unit"
LEGEND = "legend"
POINT_LEGEND = "point-legend"
PARENTS = "parent-outlines"
METRIC = "metric"
METRIC_LABEL = "metric-label"
LEVEL = "level"
LEVEL_LABEL = "level-label"
LAYERS = "layers"
LAYERS_LABEL = "layers-label"
SIDE = "side"
TOUR_CARD = "tour-card"
TAKEOVER = "takeover"
STATE = "state"
MAP_KEY = "map-key"
MAP_REFERENCE = "map-reference"  # twin.app.reference_map.store_id(MAP)
SCREEN = "screen-state"
ALERT = "alert-state"
COCKPIT_KEY = "cockpit-key"
# The wall's clock, freshness watchdog (and the snapshot version it watches), tour mark, pins.
CLOCK = "wall-clock"
WATCHDOG = "watchdog"
FRESH = "fresh-state"
WATCHED = "watchdog-seen"  # the watchdog's clientside callback writes here (nothing reads it)
TOUR_MARK = "tour-mark"
TOUR_LABEL = "tour-label"
PINS = "pins"
REFRESH = "refresh"
# Each refresh tick passed on only to the parts of the page's mode (twin_push.js gate): a
# cockpit tick costs the cockpit's and the map's callbacks, not one request per part anywhere.
TICK_UNIT = "tick-unit"
TICK_SCREEN = "tick-screen"
TICK_HOT = "tick-hot"
# Live push (assets/twin_push.js): the newest snapshot version the page heard of, its map's
# fingerprint (set only when it moves: the outlines follow it), and the banner shown while
# the server cannot be reached.
PUSH = "push"
MAP_SEEN = "map-seen"
OFFLINE = "offline-banner"
TOUR_TICK = "tour-tick"
INCIDENTS = "incidents"
INCIDENT_FILTERS = ("filter-status", "filter-category", "filter-severity")
CHILDREN = "children"
TREND = "trend"
CITY_TILES = "city-tiles"
ATTENTION = "attention"
FEED = "feed"
COCKPIT = "cockpit"
UNIT_PAGE = "unit-page"
UNIT_HEAD = "unit-head"
UNIT_BODY = "unit-body"  # trend and children ranking, redrawn when the unit changes
UNIT_CASES = "unit-cases"  # the case section: built once per unit, it refreshes its own rows
UNIT_DEVICES = "unit-devices"
UNIT_KEY = "unit-key"  # a digest of what the unit page shows, and when it was read
CASE_SCOPE = "case-scope"
CASE_COUNT = "case-count"
CASE_EMPTY = "case-empty"
COCKPIT_TITLES = ("title-attention", "title-trend", "title-feed")


def points(layer: str) -> str:
    """The id of a point layer on the map."""
    return f"points-{layer}"


def devices(layer: str) -> str:
    """The id of a point layer's table on a unit page."""
    return f"{layer}s"


WINDOW_BAR = "window-bar"
WINDOW = "window"
WINDOW_LABEL = "window-label"
WINDOW_RANGE = "window-range"
WINDOW_DEFAULT = "window-default"
WINDOW_SEEN = "window-seen"  # the URL search the window bar last followed, and what it showed
# The hotspot page (/hotspots)
HOTSPOTS_PAGE = "hotspots-page"
HOT_BUILT = "hot-built"  # the language the page's parts were built in
HOT_LAYER = "hot-layer"
HOT_CATEGORY = "hot-category"
HOT_SOURCE = "hot-source"
HOT_SEVERITY = "hot-severity"
HOT_STATUS = "hot-status"
HOT_WINDOW = "hot-window"
HOT_RANGE = "hot-range"
HOT_UNIT = "hot-unit"
HOT_HEX = "hot-hex"
HOT_VIEW = "hot-view"
HOT_CONTROLS = (
    HOT_LAYER,
    HOT_CATEGORY,
    HOT_SOURCE,
    HOT_SEVERITY,
    HOT_STATUS,
    HOT_WINDOW,
    HOT_UNIT,
    HOT_HEX,
    HOT_VIEW,
)
HOT_ERROR = "hot-error"
HOT_SUMMARY = "hot-summary"
HOT_MAP = "hot-map"
HOT_UNITS = "hot-units"
HOT_DENSITY = "hot-density"
HOT_POINTS = "hot-points"
HOT_LEGEND = "hot-legend"
HOT_LIST = "hot-list"
HOT_PICKED = "hot-picked"
HOT_WALL = "hot-wall"  # the wall screen's hotspot panel
# The performance page (/performance)
PERF_ROOT = "perf-root"  # its parts, built once per language (data-lang says which)
PERF_PERIOD = "perf-period"
PERF_BY = "perf-by"
PERF_RANK = "perf-rank"
PERF_CONTROLS = (PERF_PERIOD, PERF_BY, PERF_RANK)
PERF_ERROR = "perf-error"
PERF_SUMMARY = "perf-summary"
PERF_TABLE = "perf-table"
PERF_RANK_CHART = "perf-rank-chart"
PERF_STAGES_CHART = "perf-stages-chart"
