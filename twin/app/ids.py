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
SCREEN = "screen-state"
ALERT = "alert-state"
COCKPIT_KEY = "cockpit-key"
REFRESH = "refresh"
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
