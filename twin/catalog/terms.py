"""What code needs from the catalog as a whole: the levels in order, the point layers, the
open statuses — derived from layers/*.toml, never copied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from twin.catalog.model import Layer, levels_of

CASES = "incident"  # the point layer with a lifecycle: its cases are listed, not its devices


@dataclass(frozen=True)
class Terms:
    """The catalog's levels (largest first), point layers, and the cases' open statuses and
    categories."""

    levels: tuple[str, ...]
    point_layers: tuple[str, ...]
    open_statuses: tuple[str, ...]
    categories: tuple[str, ...]

    @classmethod
    def of(cls, layers: Mapping[str, Layer]) -> Terms:
        """The terms of a loaded catalog."""
        cases = layers.get(CASES)
        fields = cases.field_names if cases else ()
        return cls(
            levels=levels_of(layers),
            point_layers=tuple(n for n, layer in layers.items() if layer.kind == "point"),
            open_statuses=cases.field("status").open_values if cases and "status" in fields else (),
            categories=cases.field("category").allowed if cases and "category" in fields else (),
        )

    def check_level(self, level: str) -> str:
        """The level, or a ValueError naming the catalog's levels."""
        if level not in self.levels:
            raise ValueError(f"unknown level {level!r}; expected one of {', '.join(self.levels)}")
        return level

    def parent(self, level: str) -> str | None:
        """The level above (None for the top level)."""
        i = self.levels.index(self.check_level(level))
        return self.levels[i - 1] if i > 0 else None

    def child(self, level: str) -> str | None:
        """The level below (None for the finest level)."""
        i = self.levels.index(self.check_level(level))
        return self.levels[i + 1] if i + 1 < len(self.levels) else None

    @property
    def finest(self) -> str:
        """The finest level (grids, in the built-in catalog)."""
        return self.levels[-1]

    @property
    def device_layers(self) -> tuple[str, ...]:
        """The point layers a unit page lists as devices: all but the cases."""
        return tuple(p for p in self.point_layers if p != CASES)
