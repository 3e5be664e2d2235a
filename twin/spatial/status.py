"""Per-grid status: the counts from grid_stat with derived KPIs and the composite colour."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from twin.settings import Settings

OPEN_STATUSES = ("reported", "dispatched", "in_progress", "escalated")
INCIDENT_STATUSES = (*OPEN_STATUSES, "resolved", "closed")
CATEGORIES = (
    "public_security",
    "fire_hazard",
    "sanitation",
    "dispute",
    "safety_hazard",
    "city_management",
    "other",
)
SEVERITIES = (1, 2, 3, 4)
SOURCES = ("patrol", "citizen_photo", "hotline", "sensor_alarm")
CAMERA_STATUSES = ("online", "offline", "fault")
SENSOR_STATUSES = ("normal", "alarm", "offline")
SENSOR_KINDS = (
    "smoke",
    "water_immersion",
    "hydrant_pressure",
    "gas",
    "environment",
    "manhole",
    "door_access",
)
COMPOSITES = ("green", "yellow", "red")
# Why a grid is not green, in the order the UI lists them (red reasons first).
REASONS = ("overdue", "open_severe", "sensor_alarm", "open", "camera_offline")
# Columns of a status frame that are not counts.
_IDENTITY = frozenset(
    {"id", "code", "name", "level", "parent_id", "officer", "population", "households", "area_m2"}
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


def build_status(counts: pd.DataFrame, t: Thresholds) -> pd.DataFrame:
    """The counts (one row per grid, a column per grid_stat count and overdue) with the
    camera online rate, the composite colour and its reasons added; vectorised."""
    frame = counts.drop(columns="grid_id", errors="ignore")
    count_columns = [c for c in frame.columns if c not in _IDENTITY]
    frame[count_columns] = frame[count_columns].fillna(0).astype("int64")
    cameras = frame["cameras"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(cameras > 0, frame["camera_online"].to_numpy() / cameras, np.nan)
    frame["camera_online_rate"] = rate
    overdue, alarms = frame["overdue"].to_numpy(), frame["sensor_alarm"].to_numpy()
    red = {
        "overdue": overdue >= t.red_overdue,
        "open_severe": frame["open_severity_1"].to_numpy() > 0,
        "sensor_alarm": alarms >= t.red_alarms,
    }
    yellow = {
        "overdue": (overdue > 0) & ~red["overdue"],
        "sensor_alarm": (alarms > 0) & ~red["sensor_alarm"],
        "open": frame["open"].to_numpy() >= t.yellow_open,
        "camera_offline": rate < t.yellow_camera_online,  # NaN (no cameras) compares False
    }
    any_red = np.logical_or.reduce(list(red.values()))
    any_yellow = np.logical_or.reduce(list(yellow.values()))
    frame["composite"] = np.select([any_red, any_yellow], ["red", "yellow"], "green")
    flags = [(key, red.get(key), yellow.get(key)) for key in REASONS]
    frame["reasons"] = [
        [k for k, r, y in flags if r is not None and r[i]]
        + [k for k, r, y in flags if y is not None and y[i]]
        for i in range(len(frame))
    ]
    return frame
