"""Per-grid status: counters from grid_stat into named KPIs, and the composite colour."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

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


def build_kpis(counts: Mapping[str, int], overdue: int) -> dict[str, Any]:
    """Named KPIs of one grid from its grid_stat counters ("layer.key.value" -> n)."""

    def n(key: str) -> int:
        return int(counts.get(key, 0))

    kpis: dict[str, Any] = {
        "incidents": n("incident.*.*"),
        "open": sum(n(f"incident.status.{s}") for s in OPEN_STATUSES),
        "overdue": overdue,
        "open_severe": n("incident.open_severity.1"),
        "cameras": n("camera.*.*"),
        "sensors": n("sensor.*.*"),
    }
    kpis |= {f"status_{s}": n(f"incident.status.{s}") for s in INCIDENT_STATUSES}
    kpis |= {f"category_{c}": n(f"incident.category.{c}") for c in CATEGORIES}
    kpis |= {f"open_category_{c}": n(f"incident.open_category.{c}") for c in CATEGORIES}
    kpis |= {f"severity_{s}": n(f"incident.severity.{s}") for s in SEVERITIES}
    kpis |= {f"open_severity_{s}": n(f"incident.open_severity.{s}") for s in SEVERITIES}
    kpis |= {f"camera_{s}": n(f"camera.status.{s}") for s in CAMERA_STATUSES}
    kpis |= {f"sensor_{s}": n(f"sensor.status.{s}") for s in SENSOR_STATUSES}
    kpis |= {f"sensor_kind_{k}": n(f"sensor.kind.{k}") for k in SENSOR_KINDS}
    kpis |= {f"alarm_kind_{k}": n(f"sensor.alarm_kind.{k}") for k in SENSOR_KINDS}
    cams = kpis["cameras"]
    kpis["camera_online_rate"] = kpis["camera_online"] / cams if cams else None
    return kpis


def build_composite(kpis: Mapping[str, Any], t: Thresholds) -> tuple[str, list[str]]:
    """Green, yellow or red, with the reasons (machine keys the UI translates)."""
    red, yellow = [], []
    if kpis["overdue"] >= t.red_overdue:
        red.append("overdue")
    elif kpis["overdue"] > 0:
        yellow.append("overdue")
    if kpis["open_severe"] > 0:
        red.append("open_severe")
    if kpis["sensor_alarm"] >= t.red_alarms:
        red.append("sensor_alarm")
    elif kpis["sensor_alarm"] > 0:
        yellow.append("sensor_alarm")
    if kpis["open"] >= t.yellow_open:
        yellow.append("open")
    rate = kpis["camera_online_rate"]
    if rate is not None and rate < t.yellow_camera_online:
        yellow.append("camera_offline")
    if red:
        return "red", red + yellow
    if yellow:
        return "yellow", yellow
    return "green", []
