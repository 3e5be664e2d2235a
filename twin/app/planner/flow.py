"""The workflow's logic without Dash: which actions a plan's state allows, what each will do
(figures from the impact engine), the checks of a request, and the action itself, done
through twin.plans' functions (the same the API calls)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from twin.activity import Clock
from twin.app.i18n import fmt_number, t
from twin.plans import store
from twin.plans.apply import ChangeError
from twin.plans.checks import impact_of, levels_of
from twin.plans.impact import Impact, impact
from twin.plans.publish import publish, rollback
from twin.plans.rules import Rules
from twin.plans.versions import VersionError, current_version, units_of_version

# The actions a person takes on a plan in each state (twin.plans.store.TRANSITIONS).
ACTIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submit",),
    "submitted": ("approve", "reject"),
    "approved": ("publish", "reject"),
}
TARGET = {"submit": "submitted", "approve": "approved", "reject": "rejected"}
REFUSALS = (store.PlanError, ChangeError, VersionError)


@dataclass(frozen=True)
class Figures:
    """What an action changes on the ground: units that change, cases that move, open ones."""

    units: int
    cases: int
    open_cases: int

    @classmethod
    def of(cls, found: Impact) -> Figures:
        """The figures of an impact: its touched units, moved cases, inherited open cases."""
        cases = sum(1 for m in found.moved if m.layer == "incident")
        return cls(len(found.rows), cases, len(found.inherited))


@dataclass(frozen=True)
class Request:
    """An action asked for: on a plan (by name) or, for a rollback, a version."""

    action: str
    plan: str | None = None
    version: int | None = None
    comment: str = ""
    effective: date | None = None

    def data(self) -> dict[str, Any]:
        """As kept in the page's store until confirmed."""
        day = self.effective.isoformat() if self.effective else None
        return {
            "action": self.action,
            "plan": self.plan,
            "version": self.version,
            "comment": self.comment,
            "effective": day,
        }

    @classmethod
    def read(cls, data: Any) -> Request | None:
        """A request from the store, or None when it is not one this page wrote."""
        if not isinstance(data, dict) or data.get("action") not in (*TARGET, "publish", "rollback"):
            return None
        plan, version, comment = data.get("plan"), data.get("version"), data.get("comment", "")
        day = data.get("effective")
        try:
            effective = date.fromisoformat(day) if isinstance(day, str) else None
        except ValueError:
            return None
        if not isinstance(comment, str) or (plan is not None and not isinstance(plan, str)):
            return None
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            return None
        if (data["action"] == "rollback") != (version is not None) or (version is None) == (
            plan is None
        ):
            return None
        return cls(data["action"], plan, version, comment, effective)


def actions_for(state: str) -> tuple[str, ...]:
    """The actions a plan in this state offers."""
    return ACTIONS.get(state, ())


def figures_text(fig: Figures, lang: str) -> str:
    """'12 units change, 1,204 cases move (37 open)'."""
    text = t(
        "wf_figures", lang, units=fmt_number(fig.units, lang), cases=fmt_number(fig.cases, lang)
    )
    return text + (t("wf_open", lang, n=fmt_number(fig.open_cases, lang)) if fig.open_cases else "")


def confirmation(req: Request, fig: Figures | None, lang: str, today: date, tz: str) -> str:
    """What the confirmation says will happen."""
    if req.action == "reject":
        return t("confirm_reject", lang, plan=req.plan, comment=req.comment)
    said = figures_text(fig or Figures(0, 0, 0), lang)
    if req.action == "rollback":
        return t("confirm_rollback", lang, version=req.version, figures=said + t("wf_now", lang))
    if req.action == "publish" and req.effective is not None:
        day = req.effective.isoformat()
        said += t("wf_effective_on", lang, date=day)
        if req.effective > today:
            said += t("wf_midnight", lang, date=day, tz=tz)
    return t(f"confirm_{req.action}", lang, plan=req.plan, figures=said)


def problem_of(req: Request, actor: str, today: date, lang: str) -> str | None:
    """Why the request cannot be confirmed as asked (None: it can)."""
    if not actor.strip():
        return t("actor_missing", lang)
    if req.action == "reject" and not req.comment.strip():
        return t("reject_needs_comment", lang)
    if req.action == "publish" and req.effective is None:
        return t("date_missing", lang)
    if req.action == "publish" and req.effective is not None and req.effective < today:
        return t("date_past", lang, today=today.isoformat())
    return None


def figures_of(conn: psycopg.Connection, req: Request, clock: Clock, rules: Rules) -> Figures:
    """The figures of a request: the plan's impact, or the rollback's against the map now."""
    if req.action == "reject":
        return Figures(0, 0, 0)
    if req.version is not None:
        now = units_of_version(conn, current_version(conn))
        back = units_of_version(conn, req.version)
        return Figures.of(impact(conn, now, back, clock, rules, levels_of(conn)))
    return Figures.of(impact_of(conn, store.get_plan(conn, req.plan or ""), clock, rules))


def perform(conn: psycopg.Connection, req: Request, actor: str, clock: Clock, lang: str) -> str:
    """Do the request through twin.plans; what was done, said in lang (refusals raise)."""
    if req.action == "rollback" and req.version is not None:
        done = rollback(conn, req.version, actor, clock, None, req.comment)
        return t("done_rollback", lang, version=req.version, new=done["version"])
    plan = store.get_plan(conn, req.plan or "")
    if req.action == "publish" and req.effective is not None:
        done = publish(conn, plan.name, req.effective, actor, clock, req.comment)
        if done["state"] == "scheduled":
            return t("done_scheduled", lang, plan=plan.name, date=req.effective.isoformat())
        if done["version"] is None:
            return t("done_unchanged", lang, plan=plan.name)
        return t("done_published", lang, plan=plan.name, version=done["version"])
    store.set_state(conn, plan, TARGET[req.action], actor, req.comment, clock)
    return t(f"done_{req.action}", lang, plan=plan.name)


def plan_by_key(conn: psycopg.Connection, key: str) -> store.Plan | None:
    """The plan a page's key names: its name (the editor's key), else its id; None when
    neither."""
    try:
        return store.get_plan(conn, key)
    except store.PlanNotFound:
        pass
    for row in store.list_plans(conn):
        if str(row["id"]) == key.strip():
            return store.get_plan(conn, row["name"])
    return None


def asked(conn: psycopg.Connection, req: Request, clock: Clock, rules: Rules, lang: str) -> str:
    """The confirmation of a request, with its figures from the engine (refusals raise)."""
    today = clock.local.date()
    return confirmation(req, figures_of(conn, req, clock, rules), lang, today, clock.tz)
