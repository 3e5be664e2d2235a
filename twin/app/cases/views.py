"""What the case page and the case table's quick actions show, as pure functions: which
actions a case's status allows, its stage deadlines, its timeline, what a confirmation says."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from twin.app.i18n import fmt_datetime, fmt_hours, t
from twin.app.views import CatalogText
from twin.catalog.terms import CASES
from twin.ops.lifecycle import ACTIONS, TARGET

Moves = Mapping[str, frozenset[str]]  # status -> the statuses the lifecycle lets follow it
QUICK = ("dispatch", "escalate", "resolve", "close")  # what a unit page's case row offers
# A case's stages: its name, the column of its due time and of the time it ended.
STAGES = (
    ("dispatch", "dispatch_due_at", "dispatched_at"),
    ("start", "start_due_at", "started_at"),
    ("resolve", "due_at", "resolved_at"),
)


def case_href(code: str, lang: str) -> str:
    """The case page of a code, in a language."""
    return f"/case/{quote(code, safe='')}?lang={lang}"


def to_moves(rows: Iterable[tuple[str, str]]) -> Moves:
    """The lifecycle's (from, to) pairs as a map from each status to those that may follow."""
    found: dict[str, set[str]] = {}
    for before, after in rows:
        found.setdefault(before, set()).add(after)
    return {k: frozenset(v) for k, v in found.items()}


def allowed_actions(status: str, moves: Moves, open_statuses: Sequence[str]) -> tuple[str, ...]:
    """The lifecycle actions offered from a status, in ACTIONS order.

    An action is offered when the lifecycle allows the move to its target; a dispatched case
    may be dispatched again (the duty officer overriding the rule). Start and reopen share a
    target: reopen is rework of a case no longer open (resolved), start the work on an open
    one."""
    offered = []
    for action in ACTIONS:
        allowed = TARGET[action] in moves.get(status, frozenset())
        if action == "dispatch" and status == "dispatched":
            allowed = True
        if action == "start":
            allowed = allowed and status in open_statuses
        if action == "reopen":
            allowed = allowed and status not in open_statuses
        if allowed:
            offered.append(action)
    return tuple(offered)


def quick_actions(status: str, moves: Moves, open_statuses: Sequence[str]) -> tuple[str, ...]:
    """The actions a case table's row offers: those of QUICK its status allows."""
    return tuple(a for a in allowed_actions(status, moves, open_statuses) if a in QUICK)


@dataclass(frozen=True)
class Stage:
    """One stage's deadline: due and done times, and its state (done, late, overdue,
    pending, or none: no due time, or left behind by a case that is no longer open)."""

    stage: str
    due: datetime | None
    done: datetime | None
    state: str


def stage_rows(case: Mapping[str, Any], now: datetime, open_statuses: Sequence[str]) -> list[Stage]:
    """The case's three stage deadlines, each marked done, late, overdue or pending."""
    rows = []
    still_open = case["status"] in open_statuses
    for stage, due_col, done_col in STAGES:
        due, done = case.get(due_col), case.get(done_col)
        if done is not None:
            state = "late" if due is not None and done > due else "done"
        elif due is None or not still_open:
            state = "none"
        else:
            state = "overdue" if due < now else "pending"
        rows.append(Stage(stage, due, done, state))
    return rows


def stage_text(stage: Stage, now: datetime, lang: str, tz: str) -> str:
    """A stage's line: its due time and how it stands (done at, overdue by, time left)."""
    due = fmt_datetime(stage.due, lang, tz)
    if stage.state in ("done", "late"):
        return t(f"stage_{stage.state}", lang, due=due, at=fmt_datetime(stage.done, lang, tz))
    if stage.state == "overdue" and stage.due is not None:
        late = fmt_hours((now - stage.due).total_seconds() / 3600, lang)
        return t("stage_overdue", lang, due=due, d=late)
    if stage.state == "pending" and stage.due is not None:
        left = fmt_hours((stage.due - now).total_seconds() / 3600, lang)
        return t("stage_pending", lang, due=due, d=left)
    return due


def _detail(action: str, data: Mapping[str, Any], text: CatalogText, lang: str) -> str:
    """The words of a timeline entry's data: where it went, from which status, which stage."""

    def status(value: Any) -> str:
        return text.value(CASES, "status", value, lang) if isinstance(value, str) else ""

    parts: list[str] = []
    if action == "dispatch":
        parts += [data.get("department") or "", data.get("officer") or ""]
        if data.get("rule"):
            parts.append(t("by_rule", lang, rule=data["rule"]))
    if data.get("stage"):
        parts.append(t(f"stage_{data['stage']}", lang))
    if data.get("from") and data.get("to"):
        parts.append(f"{status(data['from'])} → {status(data['to'])}")
    for key in ("into", "code", "duplicate_of"):
        if isinstance(data.get(key), str):
            parts.append(t(f"event_{key}", lang, code=data[key]))
    if action == "report" and isinstance(data.get("source"), str):
        parts.append(text.value(CASES, "source", data["source"], lang))
    return " · ".join(str(p) for p in parts if p)


def timeline_rows(
    timeline: Sequence[Mapping[str, Any]], text: CatalogText, lang: str, tz: str
) -> list[dict[str, str]]:
    """The case's timeline, oldest first: when, who, what, the note and the details."""
    return [
        {
            "at": fmt_datetime(e["at"], lang, tz),
            "actor": str(e["actor"]),
            "action": t(f"act_{e['action']}", lang)
            if f"act_{e['action']}" in ACTION_WORDS
            else str(e["action"]),
            "note": e["note"] or "",
            "detail": _detail(str(e["action"]), e["data"] or {}, text, lang),
        }
        for e in timeline
    ]


# Every action word the timeline may name (the lifecycle's and the other entries').
ACTION_WORDS = frozenset(
    f"act_{a}" for a in (*ACTIONS, "report", "photo", "merge", "merged", "unmerge", "unmerged")
)


def confirm_text(action: str, code: str, status_label: str, lang: str) -> str:
    """What a confirmation says will happen."""
    return t(f"confirm_{action}", lang, code=code, status=status_label)


def camera_rows(
    cameras: Sequence[Mapping[str, Any]], text: CatalogText, lang: str, tz: str
) -> list[dict[str, Any]]:
    """The cameras near a case, nearest first: code, name, status, distance, last seen."""
    return [
        {
            "code": c["code"],
            "name": c["name"],
            "status": c["status"],
            "status_label": text.value("camera", "status", c["status"], lang),
            "distance": f"{c['distance_m']:.0f} m",
            "last_seen": fmt_datetime(c["last_seen"], lang, tz),
            "lon": c["lon"],
            "lat": c["lat"],
        }
        for c in cameras
    ]


def with_case_actions(
    rows: list[dict[str, Any]],
    statuses: Sequence[str],
    moves: Moves,
    open_statuses: Sequence[str],
    lang: str,
) -> list[dict[str, Any]]:
    """A case table's rows with the link to each case's page and its quick actions."""
    for row, status in zip(rows, statuses, strict=True):
        row["case_href"] = case_href(row["code"], lang)
        row["actions"] = [
            {"action": a, "label": t(f"act_{a}", lang)}
            for a in quick_actions(status, moves, open_statuses)
        ]
    return rows
