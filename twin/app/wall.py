"""Pure functions of the wall screen: tile changes against yesterday, the tour's mark and the
severity-1 cases pinned to the map until dispatched."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from twin.app.i18n import t
from twin.catalog import Layer

# Plotly sizes its text in px: at 1080 px of height this is just over 2 % (2 vh); the chart is
# scaled with the wall's height in the browser (assets/twin_wall.js), so it stays 2 vh.
WALL_CHART_PX = 22
# The tiles whose change against yesterday is shown: the day's flow, compared with yesterday up
# to the same time of day (a whole yesterday would make every morning look like a drop).
CHANGES = {"new_today": "new_yesterday", "closed_today": "closed_yesterday"}
WALL_ROWS = 5  # rows of each list on the wall: fewer, larger
TAKEN_KEPT = 20  # the takeovers a wall remembers for pinning


def tile_changes(activity: dict[str, Any]) -> dict[str, int]:
    """Today's flow minus yesterday's to the same time of day, per tile (those with both)."""
    return {
        tile: int(activity[tile]) - int(activity[before])
        for tile, before in CHANGES.items()
        if activity.get(tile) is not None and activity.get(before) is not None
    }


def format_change(delta: int, lang: str) -> str:
    """A change as shown under its tile: "+3 vs 昨日", "−2 vs yesterday", "±0 vs 昨日"."""
    sign = "+" if delta > 0 else "−" if delta < 0 else "±"
    return t("vs_yesterday", lang, d=f"{sign}{abs(delta)}")


def wall_trend(fig: go.Figure) -> go.Figure:
    """The trend chart at the wall's sizes: every tick, legend entry and note 2 vh or more."""
    size = {"size": WALL_CHART_PX}
    fig.update_layout(
        font=size,
        # Above the bars, in as many rows as the categories need (beside them it would scroll).
        legend={
            "font": size,
            "orientation": "h",
            "x": 0,
            "y": 1,
            "yanchor": "bottom",
            "itemwidth": 30,
            "tracegroupgap": 0,
        },
        margin={"l": 60, "r": 8, "t": 4, "b": 32},
    )
    fig.update_xaxes(tickfont=size, nticks=5)
    fig.update_yaxes(tickfont=size, nticks=4)
    fig.update_annotations(font=size)
    return fig


def tour_label(row: dict[str, Any], lang: str) -> dict[str, str]:
    """What the map writes beside the toured grid: its name and its key figure."""
    figure = (
        f"{t('overdue', lang)} {row['overdue']}"
        if row["overdue"]
        else f"{t('open', lang)} {row['open']}"
    )
    return {"name": str(row["name"]), "figure": figure}


def first_status(cases: Layer) -> str:
    """The first status of the cases' lifecycle (a case nobody has dispatched yet)."""
    return cases.field("status").values[0].value


def remember_taken(taken: Sequence[int], case_id: int) -> list[int]:
    """The takeovers a wall remembers, newest first, without repeats, at most TAKEN_KEPT."""
    return [case_id, *[i for i in taken if i != case_id]][:TAKEN_KEPT]


def pinned_cases(cases: pd.DataFrame, taken: Sequence[int], first: str) -> list[dict[str, Any]]:
    """The cases that took the wall over and nobody has dispatched yet, newest takeover first:
    still in the lifecycle's first status, with no dispatch time."""
    by_id: dict[int, dict[str, Any]] = {
        int(r["id"]): {str(k): v for k, v in r.items()} for r in cases.to_dict("records")
    }
    out = []
    for case_id in taken:
        row = by_id.get(case_id)
        if row is None or row["status"] != first or not _missing(row["dispatched_at"]):
            continue
        out.append(row)
    return out


def _missing(value: Any) -> bool:
    return value is None or bool(pd.isna(value))
