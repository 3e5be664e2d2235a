"""Per-grid status: the counts from grid_stat with derived KPIs and the composite colour."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from twin.settings import Settings

# Why a grid is not green, in the order the UI lists them (red reasons first).
REASONS = ("overdue", "open_severe", "sensor_alarm", "open", "camera_offline")
# grid_stat's columns that are no KPI: the row's key, and the open cases due before the
# overdue checkpoint (migration 020), from which the queries derive "overdue".
WORKING = ("grid_id", "open_due_before_checkpoint")
# The counts the composite is judged on.
COMPOSITE_INPUTS = (
    "overdue",
    "open",
    "open_severity_1",
    "cameras",
    "camera_status_online",
    "sensor_status_alarm",
)


@dataclass(frozen=True)
class Thresholds:
    """When a grid turns yellow or red (documented in the README, set by TWIN_STATUS_*)."""

    red_overdue: int = 3
    red_alarms: int = 3
    yellow_open: int = 10
    yellow_camera_online: float = 0.9

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        """The thresholds the settings ask for."""
        return cls(
            red_overdue=settings.status_red_overdue,
            red_alarms=settings.status_red_alarms,
            yellow_open=settings.status_yellow_open,
            yellow_camera_online=settings.status_yellow_camera_online,
        )


def build_composite(
    cols: Mapping[str, np.ndarray], t: Thresholds
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Camera online rate, composite colour and reasons for columns of counts (one entry per
    grid; needs overdue, open, open_severity_1, cameras, camera_online, sensor_alarm)."""
    cameras = np.asarray(cols["cameras"])
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(cameras > 0, np.asarray(cols["camera_status_online"]) / cameras, np.nan)
    red, yellow = _judged({c: np.asarray(cols[c]) for c in COMPOSITE_INPUTS}, rate, t)
    any_red = np.logical_or.reduce(list(red.values()))
    any_yellow = np.logical_or.reduce(list(yellow.values()))
    composite = np.select([any_red, any_yellow], ["red", "yellow"], "green")
    return rate, composite, _reason_lists(red, yellow)


def _judged(
    cols: Mapping[str, Any], rate: Any, t: Thresholds
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The red and yellow flags, for arrays of grids or for one grid's numbers alike: the one
    place the colour rule is written."""
    overdue, alarms = cols["overdue"], cols["sensor_status_alarm"]
    red = {
        "overdue": overdue >= t.red_overdue,
        "open_severe": cols["open_severity_1"] > 0,
        "sensor_alarm": alarms >= t.red_alarms,
    }
    yellow = {
        "overdue": (overdue > 0) & (overdue < t.red_overdue),
        "sensor_alarm": (alarms > 0) & (alarms < t.red_alarms),
        "open": cols["open"] >= t.yellow_open,
        "camera_offline": rate < t.yellow_camera_online,  # NaN (no cameras) compares False
    }
    return red, yellow


def _reason_lists(red: dict[str, np.ndarray], yellow: dict[str, np.ndarray]) -> np.ndarray:
    """Each grid's reasons (an object array of lists), red first, each colour in REASONS
    order: the flags are packed into one number per grid, so the lists are built once per
    combination, not per grid (50,000 grids share a few dozen), and grids of one combination
    share its list (read only: a list per grid cost 19 ms at 50,000)."""
    order = [k for k in REASONS if k in red] + [k for k in REASONS if k in yellow]
    flags = [red[k] for k in REASONS if k in red] + [yellow[k] for k in REASONS if k in yellow]
    packed = np.zeros(len(flags[0]), dtype=np.int64)
    for bit, flag in enumerate(flags):
        packed |= flag.astype(np.int64) << bit
    combinations, each = np.unique(packed, return_inverse=True)
    lists = np.empty(len(combinations), dtype=object)
    for i, v in enumerate(combinations.tolist()):
        lists[i] = [k for bit, k in enumerate(order) if v >> bit & 1]
    return lists[each.reshape(-1)]


def build_status(counts: pd.DataFrame, t: Thresholds) -> pd.DataFrame:
    """A frame of grids and their counts with camera_online_rate, composite and reasons."""
    rate, composite, reasons = build_composite(
        {c: counts[c].to_numpy() for c in COMPOSITE_INPUTS}, t
    )
    return counts.drop(columns=list(WORKING), errors="ignore").assign(
        camera_online_rate=rate, composite=composite, reasons=pd.Series(reasons, index=counts.index)
    )


def build_one_status(counts: Mapping[str, Any], t: Thresholds) -> dict[str, Any]:
    """One grid's counts with camera_online_rate, composite and reasons (no arrays: numpy on
    one grid cost more than the drill-down's query)."""
    cameras = counts["cameras"]
    rate = counts["camera_status_online"] / cameras if cameras > 0 else math.nan
    red, yellow = _judged(counts, rate, t)
    composite = "red" if any(red.values()) else "yellow" if any(yellow.values()) else "green"
    reasons = [k for k in REASONS if red.get(k)] + [k for k in REASONS if yellow.get(k)]
    out = {k: v for k, v in counts.items() if k not in WORKING}
    out["camera_online_rate"] = None if math.isnan(rate) else float(rate)
    return out | {"composite": composite, "reasons": reasons}
