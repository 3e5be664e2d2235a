"""Component ids, in one place."""

MAP = "map"
GRIDS = "grids"
PANEL = "panel"
REFRESH = "refresh"
