"""Whether components a callback built are what the page already shows."""

from __future__ import annotations

import json
from typing import Any

from plotly.utils import PlotlyJSONEncoder


def already_shown(built: Any, shown: Any) -> bool:
    """True when built (components) serialise to shown (the page's copy, as Dash sends it).

    A re-sent Leaflet layer is torn down and drawn again, which flickers a permanent label
    (an empty tooltip for a moment); an unchanged answer is better not sent at all."""
    return bool(json.loads(json.dumps(built, cls=PlotlyJSONEncoder)) == shown)
