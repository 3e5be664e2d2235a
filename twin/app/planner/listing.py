"""The planner's list without Dash: each plan's and each version's row as text, the plans'
problem counts (validated once per plan revision and map version), links to the pages."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

import psycopg

from twin.app.i18n import fmt_datetime, fmt_number, t
from twin.plans import store
from twin.plans.checks import validate_plan
from twin.plans.rules import Rules
from twin.plans.versions import current_version

# Plans whose problems still matter: a published or rejected plan's map is history.
CHECKED = ("draft", "submitted", "approved", "scheduled")


def plan_href(name: str, lang: str) -> str:
    """The editor page of a plan (/planner/<name>, as the editor reads it), in lang."""
    return f"/planner/{quote(name, safe='')}?lang={quote(lang)}"


def planner_href(lang: str, **query: str | int) -> str:
    """/planner with a query (plan=<id>, act=<action>), in lang."""
    return "/planner?" + urlencode({**{k: str(v) for k, v in query.items()}, "lang": lang})


def compare_href(a: str | int, b: str | int, lang: str, view: str = "side") -> str:
    """The compare page of two maps (version numbers or plan names)."""
    return "/planner/compare?" + urlencode({"a": str(a), "b": str(b), "view": view, "lang": lang})


def scope_text(scope: str | None, lang: str) -> str:
    """A plan's scope: the unit's code, or the city."""
    return scope if scope else t("city", lang)


def plan_row(plan: dict[str, Any], problems: int | None, lang: str, tz: str) -> dict[str, Any]:
    """One plan as the list shows it (text for each column, the link, the state key)."""
    return {
        "id": plan["id"],
        "name": plan["name"],
        "href": plan_href(plan["name"], lang),
        "scope": scope_text(plan["scope"], lang),
        "state": plan["state"],
        "state_text": t(f"state_{plan['state']}", lang),
        "base": str(plan["base_version"]),
        "author": plan["author"],
        "updated": fmt_datetime(plan["updated_at"], lang, tz),
        "units": fmt_number(plan["changed"], lang),
        "problems": fmt_number(problems, lang),
    }


def version_row(version: dict[str, Any], newest: int, lang: str, tz: str) -> dict[str, Any]:
    """One version of the grid map as the history shows it."""
    kind = version["kind"]
    made = t(f"kind_{kind}", lang, plan=version["plan_name"] or "")
    return {
        "version": version["version"],
        "effective": _when(version["effective_at"], lang, tz),
        "kind": made.strip(),
        "what": t(
            "version_changes",
            lang,
            added=fmt_number(version["added"], lang),
            changed=fmt_number(version["changed"], lang),
            removed=fmt_number(version["removed"], lang),
        ),
        "note": version["note"] or "",
        "in_force": version["version"] == newest,
    }


def _when(moment: datetime | None, lang: str, tz: str) -> str:
    """A version's start: the date with the time (they start at local midnight or at once)."""
    if moment is None:
        return "–"
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


class ProblemCounts:
    """The number of problems of each plan, kept per (plan, revision, base, map version):
    validating a city-wide plan takes seconds, and the list is drawn on every visit."""

    def __init__(self) -> None:
        self._kept: dict[tuple[Any, ...], int] = {}
        self._lock = threading.Lock()

    def of(
        self, conn: psycopg.Connection, plans: Sequence[dict[str, Any]], rules: Rules
    ) -> dict[str, int | None]:
        """Each plan's problem count by name (None: not checked, a plan of the past)."""
        version = current_version(conn)
        out: dict[str, int | None] = {}
        for p in plans:
            if p["state"] not in CHECKED:
                out[p["name"]] = None
                continue
            key = (p["id"], p["revision"], p["base_version"], version)
            with self._lock:
                found = self._kept.get(key)
            if found is None:
                found = len(validate_plan(conn, store.get_plan(conn, p["name"]), rules))
                with self._lock:
                    self._kept = {k: v for k, v in self._kept.items() if k[0] != p["id"]}
                    self._kept[key] = found
            out[p["name"]] = found
        return out
