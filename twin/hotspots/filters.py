"""The filters of a hotspot analysis, and their round trip through a URL query."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from twin.catalog import Layer, levels_of

PRESETS: dict[str, timedelta | None] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "all": None,
}
STATUSES = ("all", "open")
STEPS = {"1d": timedelta(days=1), "7d": timedelta(days=7)}  # an emerging analysis's time steps
HEX_MIN_M, HEX_MAX_M = 50, 20_000  # hexagon size bounds: below, too many cells; above, too few
_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")
_HEX = re.compile(r"hex:(\d+)")


class FilterError(ValueError):
    """A filter value that cannot be used, with the name of its field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _moment(text: str, tz: str, end: bool) -> datetime:
    """An ISO date or datetime; a bare date is local midnight (the next one for an end)."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            return datetime.combine(day, time(), ZoneInfo(tz))
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise FilterError("window", f"{text!r} is not an ISO date or time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


@dataclass(frozen=True)
class Window:
    """A time window: a preset before now (24h, 7d, 30d, 90d, all) or a custom [start, end)."""

    preset: str | None = "30d"
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        if self.preset is None:
            if self.start is None or self.end is None:
                raise FilterError("window", "a custom window needs a start and an end")
            if self.start.tzinfo is None or self.end.tzinfo is None:
                raise FilterError("window", "start and end must carry a time zone")
            if self.start >= self.end:
                raise FilterError("window", "the start must come before the end")
        elif self.preset not in PRESETS:
            raise FilterError(
                "window", f"{self.preset!r}: expected {', '.join(PRESETS)} or FROM/TO"
            )

    @classmethod
    def parse(cls, text: str, tz: str = "Asia/Shanghai") -> Window:
        """ "7d" or "FROM/TO" (ISO dates, local to `tz`, TO inclusive; or ISO datetimes)."""
        text = text.strip()
        if "/" not in text:
            return cls(text)
        first, _, last = text.partition("/")
        return cls(None, _moment(first.strip(), tz, False), _moment(last.strip(), tz, True))

    def bounds(self, now: datetime) -> tuple[datetime | None, datetime]:
        """[start, end) of the window at `now`; start None means since the beginning."""
        if self.preset is None:
            assert self.start is not None and self.end is not None
            return self.start, self.end
        span = PRESETS[self.preset]
        return (None if span is None else now - span), now

    def __str__(self) -> str:
        if self.preset is not None:
            return self.preset
        assert self.start is not None and self.end is not None
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


@dataclass(frozen=True)
class Filters:
    """Which points to analyse (layer, category, source, severity, status, window), per unit."""

    layer: str = "incident"
    categories: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    severities: tuple[int, ...] = ()
    status: str = "all"
    window: Window = field(default_factory=Window)
    unit: str = "grid"

    def __post_init__(self) -> None:
        _check_name("layer", self.layer)
        for name in self.categories:
            _check_name("category", name)
        for name in self.sources:
            _check_name("source", name)
        if any(s < 1 for s in self.severities):
            raise FilterError("severity", "severities are positive integers")
        if self.status not in STATUSES:
            raise FilterError("status", f"{self.status!r}: expected {' or '.join(STATUSES)}")
        hex_size(self.unit)  # checks a hex unit's size
        if not self.unit.startswith("hex:"):
            _check_name("unit", self.unit)


def _check_name(field_name: str, value: str) -> None:
    """A catalog-style name: lower case letters, digits and underscores."""
    if not _NAME.fullmatch(value):
        raise FilterError(field_name, f"{value!r} is not a valid name")


def hex_size(unit: str) -> int | None:
    """The size in metres of a "hex:METRES" unit, None for a level; FilterError if out of range."""
    if not unit.startswith("hex:"):
        return None
    match = _HEX.fullmatch(unit)
    if not match or not HEX_MIN_M <= int(match.group(1)) <= HEX_MAX_M:
        raise FilterError("unit", f"{unit!r}: expected hex:METRES with {HEX_MIN_M}–{HEX_MAX_M} m")
    return int(match.group(1))


_LISTS = {"categories": "category", "sources": "source", "severities": "severity"}
# The query keys of the filters: a page URL may carry other keys; pass only these.
FILTER_KEYS = ("layer", "category", "source", "severity", "status", "window", "unit")


def to_query(f: Filters) -> dict[str, str]:
    """The URL query of `f`: only the fields that differ from the defaults; lists comma-joined."""
    default = Filters()
    out: dict[str, str] = {}
    for item in fields(Filters):
        value = getattr(f, item.name)
        if value == getattr(default, item.name):
            continue
        key = _LISTS.get(item.name, item.name)
        out[key] = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return out


def _split(q: Mapping[str, str], key: str) -> tuple[str, ...]:
    """A comma-separated list from the query, blanks dropped, order and duplicates kept as given."""
    return tuple(part.strip() for part in q.get(key, "").split(",") if part.strip())


def from_query(q: Mapping[str, str], tz: str = "Asia/Shanghai") -> Filters:
    """Filters from a URL query (missing keys take the defaults); FilterError names a bad field."""
    unknown = sorted(set(q) - set(FILTER_KEYS))
    if unknown:
        raise FilterError(unknown[0], "not a filter")
    try:
        severities = tuple(int(s) for s in _split(q, "severity"))
    except ValueError as exc:
        raise FilterError("severity", f"{q['severity']!r}: expected integers") from exc
    window = Window.parse(q["window"], tz) if q.get("window") else Window()
    return Filters(
        layer=q.get("layer") or "incident",
        categories=_split(q, "category"),
        sources=_split(q, "source"),
        severities=severities,
        status=q.get("status") or "all",
        window=window,
        unit=q.get("unit") or "grid",
    )


def check_filters(f: Filters, catalog: Mapping[str, Layer]) -> None:
    """FilterError unless the layer is a point layer of the catalog and each value is one of its."""
    layer = catalog.get(f.layer)
    if layer is None or layer.kind != "point":
        points = sorted(name for name, lay in catalog.items() if lay.kind == "point")
        raise FilterError("layer", f"{f.layer!r}: expected a point layer ({', '.join(points)})")
    names = layer.field_names
    for attr, column in (
        ("categories", "category"),
        ("sources", "source"),
        ("severities", "severity"),
    ):
        values = getattr(f, attr)
        if not values:
            continue
        if column not in names:
            raise FilterError(column, f"layer {f.layer!r} has no {column}")
        allowed = layer.field(column).allowed
        bad = [str(v) for v in values if str(v) not in allowed]
        if bad:
            raise FilterError(column, f"{bad[0]!r}: expected one of {', '.join(allowed)}")
    if f.status == "open" and not ("status" in names and layer.field("status").open_values):
        raise FilterError("status", f"layer {f.layer!r} has no open statuses")
    if hex_size(f.unit) is None and f.unit not in levels_of(catalog):
        raise FilterError(
            "unit", f"{f.unit!r}: expected one of {', '.join(levels_of(catalog))} or hex:METRES"
        )
