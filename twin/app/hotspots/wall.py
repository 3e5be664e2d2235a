"""The hotspot analysis on the wall: a panel of the strongest current hotspots, and tour
steps that visit them (the finest level, the catalog's incidents of the last 30 days)."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, html
from dash.exceptions import PreventUpdate

from twin.app import ids
from twin.app.hotspots.analyses import Analyses
from twin.app.hotspots.views import hot_codes, ranked_rows
from twin.app.i18n import t
from twin.app.inputs import read_state
from twin.app.views import CatalogText
from twin.hotspots.analysis import HotspotResult
from twin.hotspots.filters import FilterError, Filters

WALL_ROWS = 3  # hotspots on the wall's panel, and tour steps


class WallHotspots:
    """The wall's hotspot analysis: the default filters over the finest loaded level."""

    def __init__(self, analyses: Analyses, text: CatalogText, finest: str):
        self.analyses, self.text = analyses, text
        self.filters = Filters(unit=finest)

    def result(self) -> HotspotResult:
        """The analysis (kept; recomputed in the background when old)."""
        return self.analyses.hotspots(self.filters)

    def rows(self, lang: str) -> list[dict[str, Any]]:
        """The strongest current hotspots, as the page ranks them (none when the city has
        no units to analyse: the wall goes on without)."""
        try:
            result = self.result()
        except FilterError:
            return []
        points = self.analyses.points(self.filters, hot_codes(result.table)[:WALL_ROWS])
        rows = ranked_rows(result.table, points, self.text, self.filters.layer, lang)
        return rows[:WALL_ROWS]

    def codes(self) -> list[str]:
        """The units the tour visits after the grids needing attention."""
        return [r["code"] for r in self.rows("en")]

    def note(self, code: str, lang: str) -> str | None:
        """A tour card's hotspot line for a unit that is a current hotspot (else None)."""
        for r in self.rows(lang):
            if r["code"] == code:
                return f"{r['class_label']} · z {r['z']} · {t('count', lang)} {r['count']}"
        return None


def wall_panel(rows: list[dict[str, Any]], lang: str) -> list[Any]:
    """The wall's hotspot panel: title, then each hotspot's class, name, z and count."""
    if not rows:
        return [html.H3(t("wall_hotspots", lang), className="section-title")]
    return [
        html.H3(t("wall_hotspots", lang), className="section-title"),
        html.Ol(
            [
                html.Li(
                    [
                        html.Span(r["class_label"], className=f"hot-badge hot-{r['class']}"),
                        html.Span(r["name"], className="attn-name"),
                        html.Span(f"z {r['z']} · {t('count', lang)} {r['count']}"),
                    ],
                    **{"data-code": r["code"]},
                )
                for r in rows
            ],
            className="wall-hot-list",
            id="wall-hot-list",
        ),
    ]


def register_wall(app: Dash, wall: WallHotspots) -> None:
    """The wall's hotspot panel, refreshed with the wall."""

    @app.callback(
        Output(ids.HOT_WALL, "children"),
        Input(ids.TICK_SCREEN, "data"),
        Input(ids.STATE, "data"),
    )
    def hot_wall(_: Any, state: Any) -> list[Any]:
        route = read_state(state)
        if route is None or route.mode != "screen":
            raise PreventUpdate
        return wall_panel(wall.rows(route.lang), route.lang)
