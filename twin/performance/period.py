"""The period an evaluation covers: a month (2026-11), an ISO week (2026-W47) or two local
dates, both included (2026-11-01/2026-11-15). Bounds are local midnights of the city's zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from twin.activity import Clock

MAX_DAYS = 366  # a year: the longest period one evaluation reads
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})")


class PeriodError(ValueError):
    """A period text twin cannot read, naming what was wrong."""


@dataclass(frozen=True)
class Period:
    """Local dates first..last, both included, and the text that named them."""

    text: str
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last >= date.max or self.first <= date.min:
            raise PeriodError(f"period {self.text!r}: outside the calendar twin can count in")

    @classmethod
    def parse(cls, text: object) -> Period:
        """'YYYY-MM' | 'YYYY-Www' | 'YYYY-MM-DD/YYYY-MM-DD' (PeriodError otherwise)."""
        if not isinstance(text, str):
            raise PeriodError(f"period: expected text, got {type(text).__name__}")
        try:
            if m := _MONTH.fullmatch(text):
                first = date(int(m[1]), int(m[2]), 1)
                following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
                return cls(text, first, following - timedelta(days=1))
            if m := _WEEK.fullmatch(text):
                first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
                return cls(text, first, first + timedelta(days=6))
            if m := _RANGE.fullmatch(text):
                return cls.between(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
        except (ValueError, OverflowError) as exc:  # OverflowError: a week at 9999's end
            if isinstance(exc, PeriodError):
                raise
            raise PeriodError(f"period {text!r}: {exc}") from None
        raise PeriodError(
            f"period {text[:40]!r}: expected a month (2026-11), a week (2026-W47) or "
            "FROM/TO dates (2026-11-01/2026-11-15)"
        )

    @classmethod
    def between(cls, first: date, last: date) -> Period:
        """The dates first..last, both included."""
        if last < first:
            raise PeriodError(f"period {first}/{last}: ends before it starts")
        if (last - first).days + 1 > MAX_DAYS:
            raise PeriodError(f"period {first}/{last}: longer than {MAX_DAYS} days")
        return cls(f"{first.isoformat()}/{last.isoformat()}", first, last)

    @classmethod
    def month_of(cls, clock: Clock) -> Period:
        """The local month the clock is in (the page's default)."""
        return cls.parse(f"{clock.local:%Y-%m}")

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """[start, end): local midnight of the first day to local midnight after the last."""
        zone = ZoneInfo(tz)
        start = datetime.combine(self.first, time(), zone)
        return start, datetime.combine(self.last + timedelta(days=1), time(), zone)


def recent_periods(clock: Clock, months: int = 12, weeks: int = 8) -> list[Period]:
    """The period choices a page offers: this month and the ones before, then this ISO week
    and the ones before."""
    local = clock.local.date()
    out: list[Period] = []
    year, month = local.year, local.month
    for _ in range(months):
        out.append(Period.parse(f"{year:04d}-{month:02d}"))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    for back in range(weeks):
        iso = (local - timedelta(weeks=back)).isocalendar()
        out.append(Period.parse(f"{iso.year:04d}-W{iso.week:02d}"))
    return out
