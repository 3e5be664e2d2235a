"""The shapes every part of grid planning shares: a unit as a plan or version holds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class UnitState:
    """One unit of the grid map (any level) as a version or a plan has it; geometry in EPSG:4326."""

    code: str
    name: str
    level: str
    parent: str | None  # the parent's code; None for the top level
    geom: BaseGeometry
    officer: str | None = None
    population: int | None = None
    households: int | None = None


@dataclass(frozen=True)
class Problem:
    """One validation finding: its kind, the units it concerns, its area and where it is."""

    kind: str  # one of twin.plans.validate.KINDS
    codes: tuple[str, ...]
    area_m2: float
    lon: float
    lat: float
    geom: BaseGeometry | None = None  # the problem's own shape (the gap, the overlap), EPSG:4326
    detail: str = ""


@dataclass(frozen=True)
class Repair:
    """One change the auto-fix made: which piece went to which unit, and why."""

    kind: str  # the problem kind repaired
    to_code: str
    area_m2: float
    from_codes: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class EditResult:
    """What every edit operation answers: the plan's new revision, validation and impact."""

    revision: int
    changed: tuple[str, ...]
    problems: tuple[Problem, ...]
    impact: dict[str, Any] = field(default_factory=dict)
