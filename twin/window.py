"""The dashboard's time window: which cases are "in the window", and the trend's bins.

The presets end now and start on a whole local hour (24 h) or a local midnight (7 d, 30 d):
"the last 7 days" is today and the six days before it, so the trend's bars are whole days
and the tile counts exactly what the bars add up to. A custom range is two local dates,
both included. A window that reaches now has no end (a case stamped a moment after the
clock was read still counts, as it did before windows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from twin.activity import Clock

PRESETS = ("24h", "7d", "30d")
DEFAULT = "30d"
MAX_DAYS = 366  # the longest custom range: a year of daily bars is still readable
_DAYS = {"7d": 7, "30d": 30}
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})")


class WindowError(ValueError):
    """A window text that is neither a preset nor a range of two dates."""


@dataclass(frozen=True)
class TimeWindow:
    """A preset (24h, 7d, 30d) or a custom range of local dates, both included."""

    text: str
    first: date | None = None
    last: date | None = None

    @classmethod
    def parse(cls, text: Any) -> TimeWindow:
        """'24h' | '7d' | '30d' | 'YYYY-MM-DD/YYYY-MM-DD' (WindowError otherwise)."""
        if not isinstance(text, str):
            raise WindowError(f"window: expected text, got {type(text).__name__}")
        if text in PRESETS:
            return cls(text)
        found = _RANGE.fullmatch(text)
        if not found:
            raise WindowError(
                f"window {text[:40]!r}: expected one of {', '.join(PRESETS)} or FROM/TO dates"
            )
        try:
            first, last = (date.fromisoformat(g) for g in found.groups())
        except ValueError as exc:
            raise WindowError(f"window {text!r}: {exc}") from None
        if last < first:
            raise WindowError(f"window {text!r}: ends before it starts")
        if (last - first).days + 1 > MAX_DAYS:
            raise WindowError(f"window {text!r}: longer than {MAX_DAYS} days")
        return cls(text, first, last)

    @classmethod
    def read(cls, text: Any) -> TimeWindow:
        """The window a URL asks for; the default for none or one no window could be."""
        try:
            return cls.parse(text)
        except WindowError:
            return cls(DEFAULT)

    @property
    def custom(self) -> bool:
        """Whether this is a range of dates rather than a preset."""
        return self.first is not None

    @property
    def is_default(self) -> bool:
        """Whether this is the window a page shows when its URL names none."""
        return self.text == DEFAULT

    def span(self, clock: Clock) -> Span:
        """Where the window starts and ends at clock's now, and the trend's bins."""
        zone = ZoneInfo(clock.tz)
        if self.text == "24h":
            local = clock.now.astimezone(zone).replace(minute=0, second=0, microsecond=0)
            first_hour = local.astimezone(UTC) - timedelta(hours=23)
            hours = [(first_hour + timedelta(hours=i)).astimezone(zone) for i in range(24)]
            bins = tuple(dict.fromkeys(h.replace(tzinfo=None) for h in hours))  # DST repeats
            return Span(first_hour, None, True, bins)
        if self.first is not None and self.last is not None:
            first, last = self.first, min(self.last, clock.today.date())
            after = _midnight(self.last + timedelta(days=1), zone)
            end = after if after <= clock.now else None
        else:
            last = clock.today.date()
            first = last - timedelta(days=_DAYS[self.text] - 1)
            end = None
        days = tuple(first + timedelta(days=i) for i in range((last - first).days + 1))
        return Span(_midnight(first, zone), end, False, days)


@dataclass(frozen=True)
class Span:
    """A window at one moment: [start, end) and the trend's bins (local hours or dates)."""

    start: datetime
    end: datetime | None  # None: up to now
    hourly: bool
    bins: tuple[date, ...]  # local dates, or naive local datetimes of whole hours

    @property
    def step(self) -> str:
        """The trend's bin, as date_trunc names it."""
        return "hour" if self.hourly else "day"


DEFAULT_WINDOW = TimeWindow(DEFAULT)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)
