"""The unit page's version-history panel: each state of the unit, when it was in force, what
changed and what made it (the rows of twin.plans.versions.unit_history)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dash import html

from twin.app.i18n import t

HISTORY = "unit-history"
# The words of twin.plans.versions' changes, as message keys.
CHANGE_KEYS = {
    "created": "hist_created",
    "reshaped": "hist_reshaped",
    "renamed": "hist_renamed",
    "re-parented": "hist_reparented",
    "new officer": "hist_officer",
    "new figures": "hist_figures",
    "new level": "hist_level",
    "restored": "hist_restored",
}


def when(value: datetime | None, lang: str, tz: str) -> str:
    """A moment as a local date and time with its year ('in force' when open-ended)."""
    if value is None:
        return t("hist_in_force", lang)
    return f"{value.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M}"


def made_by(row: dict[str, Any], lang: str) -> str:
    """What made a version: the plan (or rollback) by name, a load, or the first map."""
    if row["kind"] in ("plan", "rollback") and row["plan_name"]:
        return t(f"hist_by_{row['kind']}", lang, name=row["plan_name"])
    return t("hist_by_load" if row["kind"] == "load" else "hist_by_initial", lang)


def history_rows(rows: Sequence[dict[str, Any]], lang: str, tz: str) -> list[dict[str, str]]:
    """The panel's rows, newest first: versions, from, to, changes, made by."""
    out = []
    for r in rows:
        span = f"v{r['version_from']}" + (f"–v{r['version_to']}" if r["version_to"] else "+")
        changes = "、" if lang != "en" else ", "
        said = changes.join(t(CHANGE_KEYS.get(c, "hist_reshaped"), lang) for c in r["changes"])
        if r.get("removed_in") is not None:
            taken = ", ".join(r["taken_by"]) or "–"
            said += changes + t("hist_removed", lang, codes=taken)
        out.append(
            {
                "versions": span,
                "from": when(r["effective_from"], lang, tz),
                "to": when(r["effective_to"], lang, tz),
                "changes": said,
                "by": made_by(r, lang),
            }
        )
    return out[::-1]


def build_history_panel(rows: Sequence[dict[str, Any]], lang: str, tz: str) -> list[Any]:
    """The panel: a heading and a table of the unit's versions (nothing when none is kept)."""
    if not rows:
        return []
    keys = ("versions", "from", "to", "changes", "by")
    head = html.Tr([html.Th(t(f"hist_col_{k}", lang)) for k in keys])
    body = [html.Tr([html.Td(r[k]) for k in keys]) for r in history_rows(rows, lang, tz)]
    return [
        html.Section(
            [
                html.H3(t("hist_title", lang), className="section-title"),
                html.Table([html.Thead(head), html.Tbody(body)], className="history-table"),
            ],
            id=HISTORY,
        )
    ]
