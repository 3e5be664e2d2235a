"""The measures of an evaluation: counts and medians read by SQL
(sql/queries/performance_measures.sql, where each is defined), rates and rows built here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import dict_row

from twin.activity import Clock
from twin.catalog.terms import Terms
from twin.db.queries import query
from twin.performance.period import Period

PEOPLE = ("officer", "department")  # groupings by who handled the case, not by a unit


@dataclass(frozen=True)
class Measure:
    """One column of an evaluation: its key and how it reads (count, hours or rate)."""

    key: str
    kind: str  # "count" | "hours" | "rate"


# The columns of an evaluation, in the order the page and the report show them.
MEASURES = (
    Measure("cases", "count"),
    Measure("dispatch_h_median", "hours"),
    Measure("dispatch_h_p90", "hours"),
    Measure("resolve_h_median", "hours"),
    Measure("resolve_h_p90", "hours"),
    Measure("dispatch_on_time", "rate"),
    Measure("start_on_time", "rate"),
    Measure("resolve_on_time", "rate"),
    Measure("overdue_rate", "rate"),
    Measure("escalations", "count"),
    Measure("escalated_rate", "rate"),
    Measure("reopen_rate", "rate"),
    Measure("duplicate_share", "rate"),
)
MEASURE_KEYS = tuple(m.key for m in MEASURES)
# Which way is better, for ranking: the rates of things done in time, higher; the rest, lower.
HIGHER_IS_BETTER = frozenset({"dispatch_on_time", "start_on_time", "resolve_on_time"})


class GroupingError(ValueError):
    """A grouping the catalog does not know."""


@dataclass(frozen=True)
class Grouping:
    """What an evaluation is per: a level of the catalog, the officer or the department."""

    by: str

    @classmethod
    def parse(cls, text: object, terms: Terms) -> Grouping:
        """A level of the catalog (grid, street, …), 'officer' or 'department'."""
        choices = grouping_choices(terms)
        if not isinstance(text, str) or text not in choices:
            raise GroupingError(f"by {str(text)[:40]!r}: expected one of {', '.join(choices)}")
        return cls(text)

    @property
    def is_level(self) -> bool:
        """Whether the rows are units of a level (each with its page)."""
        return self.by not in PEOPLE


def grouping_choices(terms: Terms) -> tuple[str, ...]:
    """Every grouping: the catalog's levels, finest first, then officer and department."""
    return (*reversed(terms.levels), *PEOPLE)


@dataclass(frozen=True)
class Evaluation:
    """An evaluation: its period, grouping, the moment it was read, a row per unit (unit
    None: cases outside every unit, or handled by nobody) and the whole city's row."""

    period: Period
    grouping: Grouping
    at: Any  # datetime: the store as it was then
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    version: int | None = None  # the map the cases were placed in (None: the one in force now)


def fetch_evaluation(
    conn: psycopg.Connection,
    period: Period,
    grouping: Grouping,
    clock: Clock,
    terms: Terms,
    map_version: int | None = None,
) -> Evaluation:
    """Read an evaluation of the cases reported in the period, as the store holds them now,
    placed in the units of the map in force now or, given map_version, of that version."""
    start, end = period.bounds(clock.tz)
    base = {"start": start, "end": end, "at": clock.now, "open": list(terms.open_statuses)}
    level = grouping.by if grouping.is_level else None
    by = "level" if grouping.is_level else grouping.by
    params = base | {"by": by, "level": level, "version": map_version}
    with conn.cursor(row_factory=dict_row) as cur:
        found = cur.execute(query("performance_measures"), params).fetchall()
        units: list[dict[str, Any]] = []
        if level is not None and map_version is None:
            units = cur.execute(query("performance_level_units"), {"level": level}).fetchall()
        elif level is not None:
            asof = {"level": level, "version": map_version}
            units = cur.execute(query("asof_units"), asof).fetchall()
    grouped = [r for r in found if not r["is_total"]]
    city = next((r for r in found if r["is_total"]), {})  # none: no case at all
    rows, total = build_rows(grouped, units), build_row(city, "")
    return Evaluation(period, grouping, clock.now, rows, total, map_version)


def share(part: Any, whole: Any) -> float | None:
    """part / whole, or None when there is nothing to divide by."""
    return float(part) / float(whole) if whole else None


def _hours(value: Any) -> float | None:
    return None if value is None else float(value)


def build_row(raw: Mapping[str, Any], unit: str | None, name: str | None = None) -> dict[str, Any]:
    """A unit's measures from its counts (a unit without cases: counts 0, rates None)."""
    n = int(raw.get("cases") or 0)
    merged = int(raw.get("merged") or 0)
    c = {k: int(raw.get(k) or 0) for k in _COUNTS}
    return {
        "unit": unit,
        "name": name if name is not None else unit,
        "cases": n,
        "dispatch_h_median": _hours(raw.get("dispatch_h_median")),
        "dispatch_h_p90": _hours(raw.get("dispatch_h_p90")),
        "resolve_h_median": _hours(raw.get("resolve_h_median")),
        "resolve_h_p90": _hours(raw.get("resolve_h_p90")),
        "dispatch_on_time": share(c["dispatch_on_time"], c["dispatch_judged"]),
        "start_on_time": share(c["start_on_time"], c["start_judged"]),
        "resolve_on_time": share(c["resolve_on_time"], c["resolve_judged"]),
        "overdue_rate": share(c["overdue"], n),
        "escalations": c["escalations"],
        "escalated_rate": share(c["escalated"], n),
        "reopen_rate": share(c["reopened"], c["ever_resolved"]),
        "duplicate_share": share(merged, n + merged),
    }


_COUNTS = (
    "dispatch_judged",
    "dispatch_on_time",
    "start_judged",
    "start_on_time",
    "resolve_judged",
    "resolve_on_time",
    "overdue",
    "escalations",
    "escalated",
    "ever_resolved",
    "reopened",
)


def build_rows(
    grouped: Sequence[Mapping[str, Any]], units: Sequence[Mapping[str, Any]] = ()
) -> list[dict[str, Any]]:
    """A row per unit: every unit of the level (units: code, name; none for officers and
    departments), then any unit the cases name beyond them, then the cases of no unit."""
    by_unit = {r["unit"]: r for r in grouped}
    rows = [build_row(by_unit.pop(u["code"], {}), u["code"], u["name"]) for u in units]
    rows += [build_row(r, key) for key, r in by_unit.items() if key is not None]
    if None in by_unit:
        rows.append(build_row(by_unit[None], None))
    return rows


def rank(rows: Sequence[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """The rows best first by a measure (units without a value last, then by code)."""
    if key not in MEASURE_KEYS:
        raise ValueError(f"rank by {key!r}: expected one of {', '.join(MEASURE_KEYS)}")
    sign = -1 if key in HIGHER_IS_BETTER else 1
    if key == "cases":
        sign = -1  # the busiest first: a count of work, not a fault

    def order(row: dict[str, Any]) -> tuple[bool, float, str]:
        value = row[key]
        return (value is None, sign * (value or 0), str(row["unit"] or "\uffff"))

    return sorted(rows, key=order)
