"""The rules of grid plans (layers/plans.toml): thresholds, bounds per level, workload weights."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twin.package_data import data_dir

RULES_FILE = "plans.toml"  # in the layer catalog's directory; the catalog skips it
MEASURES = ("households", "population", "cameras", "sensors", "open", "overdue", "incidents_90d")
CHECK_KEYS = ("tolerance_m2", "sliver_m2", "fix_gap_m2", "snap_m", "building_m2")
BOUND_KEYS = ("min_area_m2", "max_area_m2", "min_households", "max_households")


class RulesError(ValueError):
    """plans.toml holds something twin cannot use; the message names the file and key."""


@dataclass(frozen=True)
class Bounds:
    """The allowed area and households of one level's units (None: no bound)."""

    min_area_m2: float | None = None
    max_area_m2: float | None = None
    min_households: float | None = None
    max_households: float | None = None


@dataclass(frozen=True)
class Rules:
    """What validation, the auto-fix and the workload balance go by."""

    tolerance_m2: float = 1.0
    sliver_m2: float = 100.0
    fix_gap_m2: float = 500.0
    snap_m: float = 1.0
    building_m2: float = 0.5  # a boundary cuts a building with more than this on each side
    levels: Mapping[str, Bounds] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)

    def bounds(self, level: str) -> Bounds:
        """The bounds of a level (none when plans.toml gives none)."""
        return self.levels.get(level, Bounds())

    def weight(self, measure: str) -> float:
        """The workload weight of a measure (0 when not given)."""
        return self.weights.get(measure, 0.0)

    @classmethod
    def load(cls, path: Path) -> Rules:
        """The rules of a plans.toml file."""
        try:
            data = tomllib.loads(path.read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise RulesError(f"{path}: cannot read the plan rules: {exc}") from exc
        return cls.parse(data, str(path))

    @classmethod
    def parse(cls, data: Mapping[str, Any], source: str) -> Rules:
        """The rules of parsed TOML; unknown keys and non-numbers are errors naming the key."""
        _only(data, ("check", "level", "workload"), source)
        check = _numbers(data.get("check", {}), CHECK_KEYS, f"{source} [check]")
        levels = {
            name: Bounds(**_numbers(table, BOUND_KEYS, f"{source} [level.{name}]"))
            for name, table in _table(data.get("level", {}), f"{source} [level]").items()
        }
        weights = _numbers(data.get("workload", {}), MEASURES, f"{source} [workload]")
        return cls(**check, levels=levels, weights=weights)


def rules_for(layers_dir: Path) -> Rules:
    """The rules beside a layer catalog, or the shipped ones when it has no plans.toml."""
    path = layers_dir / RULES_FILE
    if not path.exists():
        path = data_dir("layers") / RULES_FILE
    return Rules.load(path) if path.exists() else Rules()


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise RulesError(f"{where}: expected a table")
    return value


def _only(data: Mapping[str, Any], keys: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise RulesError(f"{where}: unknown key {unknown[0]!r}; expected one of {', '.join(keys)}")


def _numbers(value: Any, keys: tuple[str, ...], where: str) -> dict[str, float]:
    table = _table(value, where)
    _only(table, keys, where)
    out = {}
    for key, number in table.items():
        if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
            raise RulesError(f"{where} {key}: expected a number of 0 or more, not {number!r}")
        out[key] = float(number)
    return out
