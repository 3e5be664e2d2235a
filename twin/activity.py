"""The flow of cases over time: today's and the 30-day figures, daily trend, serious feed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pandas as pd
import psycopg
from psycopg.rows import dict_row

from twin.db.queries import query
from twin.spatial.status import Thresholds, build_one_status

if TYPE_CHECKING:
    from twin.window import Span

WINDOW_DAYS = 30  # the window of the handling-time, on-time and trend figures


@dataclass(frozen=True)
class Clock:
    """When "now" is and which zone's midnight starts "today"."""

    now: datetime
    tz: str = "Asia/Shanghai"

    @classmethod
    def current(cls, tz: str = "Asia/Shanghai") -> Clock:
        """The real clock."""
        return cls(datetime.now(UTC), tz)

    @property
    def local(self) -> datetime:
        """Now, in the local zone."""
        return self.now.astimezone(ZoneInfo(self.tz))

    @property
    def today(self) -> datetime:
        """Midnight at the start of the local day."""
        local = self.now.astimezone(ZoneInfo(self.tz))
        return datetime.combine(local.date(), time(), ZoneInfo(self.tz))

    @property
    def since(self) -> datetime:
        """The start of the window: local midnight WINDOW_DAYS - 1 days before today."""
        return self.today - timedelta(days=WINDOW_DAYS - 1)

    @property
    def days(self) -> list[Any]:
        """The local dates of the window, oldest first."""
        return [(self.since + timedelta(days=i)).date() for i in range(WINDOW_DAYS)]


def fetch_activity(
    conn: psycopg.Connection, unit_id: int | None, clock: Clock, span: Span | None = None
) -> dict[str, Any]:
    """New and closed today; reported, closed, median handling hours and on-time closure
    rate in the window (span; none: the 30 days up to now).

    unit_id None is the whole city. Handling time runs from report to closure (结案).
    """
    since, until = (span.start, span.end) if span else (clock.since, None)
    params = {"id": unit_id, "today": clock.today, "since": since, "until": until}
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(query("unit_activity"), params).fetchone()
    assert row is not None  # an aggregate always returns a row
    closed = row["closed_window"]
    return {
        "new_today": row["new_today"],
        "closed_today": row["closed_today"],
        "new_window": row["new_window"],
        "closed_window": closed,
        "median_handling_hours": row["median_handling_hours"],
        "on_time_rate": row["closed_on_time_window"] / closed if closed else None,
    }


def fetch_trend(
    conn: psycopg.Connection, unit_id: int | None, clock: Clock, categories: Sequence[str]
) -> pd.DataFrame:
    """Cases reported per local day and category (the catalog's, in its order) over the
    30-day window (days with none: 0)."""
    return _trend(conn, unit_id, clock.since, None, "day", clock.tz, list(clock.days), categories)


def fetch_window_trend(
    conn: psycopg.Connection, unit_id: int | None, span: Span, tz: str, categories: Sequence[str]
) -> pd.DataFrame:
    """Cases reported per bin of the window (local hours or days) and category."""
    return _trend(conn, unit_id, span.start, span.end, span.step, tz, list(span.bins), categories)


def _trend(
    conn: psycopg.Connection,
    unit_id: int | None,
    since: datetime,
    until: datetime | None,
    step: str,
    tz: str,
    bins: list[Any],
    categories: Sequence[str],
) -> pd.DataFrame:
    params = {"id": unit_id, "since": since, "until": until, "tz": tz, "step": step}
    with conn.cursor() as cur:
        rows = cur.execute(query("unit_trend"), params).fetchall()
    if step == "day":  # the bins are dates; the query's are local midnights
        rows = [(b.date(), c, n) for b, c, n in rows]
    frame = pd.DataFrame(rows, columns=["day", "category", "n"])
    table = frame.pivot_table(index="day", columns="category", values="n", aggfunc="sum")
    table = table.reindex(index=bins, columns=list(categories), fill_value=0)
    return table.fillna(0).astype(int).rename_axis("day")


def fetch_today(
    conn: psycopg.Connection, unit_id: int | None, clock: Clock
) -> tuple[dict[str, int], dict[str, int]]:
    """Cases reported and closed since local midnight, for a unit or the city (None), and
    today's reports per category (the trend's last bar), from one read."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(query("unit_today"), {"id": unit_id, "today": clock.today}).fetchone()
    assert row is not None
    reported = {str(k): int(v) for k, v in (row["reported"] or {}).items()}
    flow = {"new_today": sum(reported.values()), "closed_today": row["closed_today"]}
    return flow, reported


def yesterday_window(clock: Clock) -> tuple[datetime, datetime]:
    """Yesterday from its local midnight to the same local time as now."""
    local = clock.now.astimezone(ZoneInfo(clock.tz))
    # Aware arithmetic in one zone keeps the wall-clock time, whatever the offset did.
    return clock.today - timedelta(days=1), local - timedelta(days=1)


def fetch_yesterday(conn: psycopg.Connection, unit_id: int | None, clock: Clock) -> dict[str, int]:
    """Cases reported and closed yesterday up to the same time of day (unit, or city: None)."""
    start, until = yesterday_window(clock)
    params = {"id": unit_id, "start": start, "until": until}
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(query("unit_yesterday"), params).fetchone()
    assert row is not None
    return {"new_yesterday": row["new_yesterday"], "closed_yesterday": row["closed_yesterday"]}


def fetch_pin_cases(conn: psycopg.Connection, ids: Sequence[int]) -> pd.DataFrame:
    """The cases of these ids with their status, dispatch time and position."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query("incident_pins"), {"ids": list(ids)}).fetchall()
    columns = ["id", "code", "category", "status", "dispatched_at", "lon", "lat"]
    return pd.DataFrame(rows, columns=columns)


def fetch_feed(conn: psycopg.Connection, limit: int = 10) -> pd.DataFrame:
    """The newest serious cases (severity 1 and 2) and escalations (督办), newest first by
    when each came up (at), with their grid."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query("serious_feed"), {"limit": limit}).fetchall()
    columns = ["id", "code", "category", "severity", "status", "reported_at", "at", "escalated"]
    frame = pd.DataFrame(rows, columns=[*columns, "grid_code", "grid_name", "lon", "lat"])
    for c in ("grid_code", "grid_name"):  # a case in no grid: None, not NaN (NaN is truthy)
        frame[c] = pd.Series([r[c] for r in rows], index=frame.index, dtype=object)
    return frame


def city_status(
    top: pd.DataFrame, unassigned: dict[str, Any], thresholds: Thresholds
) -> dict[str, Any]:
    """The whole city's counts and composite: the rows of the units directly under it
    (its districts, or whatever its top level is) plus the unassigned points."""
    counts = {
        c: int(top[c].sum()) + int(unassigned.get(c) or 0)
        for c in top.columns
        if c in unassigned and isinstance(unassigned[c], int) and c != "grid_id"
    }
    return build_one_status(counts, thresholds)


def search_units(conn: psycopg.Connection, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Units of any level whose code or name contains text, best first."""
    text = text.strip()
    if not text:
        return []
    # Taken literally: LIKE's wildcards and its escape character (backslash) escaped.
    pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query("grid_search"), {"text": pattern, "limit": limit}).fetchall()


def fetch_recent_counts(
    conn: psycopg.Connection, since: datetime, until: datetime | None = None
) -> dict[str, dict[str, int]]:
    """Cases reported since a moment (and before until, if given) per unit code, for every
    level in one pass (level -> code -> count; units with none are absent)."""
    out: dict[str, dict[str, int]] = {}
    params = {"since": since, "until": until}
    with conn.cursor() as cur:
        for level, code, n in cur.execute(query("recent_counts_all_levels"), params):
            out.setdefault(level, {})[code] = int(n)
    return out
