"""The workflow panel: submit, approve, reject with a comment, publish on a date, roll back to
a version — each asked for, then confirmed by a box that says what will happen.

One panel, two homes: /planner shows it for the plan (or version) its URL picks, and the
editor page (/planner/<id>) has a Div `plan-workflow` this module fills for its plan. Who acts
is the "your name" field (`actor-name`, kept in the browser's localStorage); nothing is done
without a name. After an action the store `wf-done` changes (the editor may listen to it).
"""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, callback_context, dcc, html, no_update
from dash.exceptions import PreventUpdate

from twin.activity import Clock
from twin.app import ids
from twin.app.context import AppContext
from twin.app.i18n import fmt_datetime, t
from twin.app.inputs import Route, read_state, text_value
from twin.app.planner.flow import (
    REFUSALS,
    TARGET,
    Request,
    actions_for,
    asked,
    perform,
    plan_by_key,
    problem_of,
)
from twin.app.planner.listing import planner_href
from twin.plans import store
from twin.plans.rules import rules_for
from twin.spatial.index_ready import ready_in_background

HOME = "plan-workflow"  # the editor page's Div for the panel
ACTOR = "actor-name"
PLAN = "wf-plan"  # {"plan": name, "key": id} or {"version": n}
BODY = "wf-body"
COMMENT = "wf-comment"
DATE = "wf-date"
BOX = "wf-confirm-box"
TEXT = "wf-confirm-text"
CONFIRM = "wf-confirm"
CANCEL = "wf-cancel"
MSG = "wf-msg"
PENDING = "wf-pending"
DONE = "wf-done"
ACT = {a: f"wf-{a}" for a in (*TARGET, "publish", "rollback")}


def actor_field(lang: str) -> html.Div:
    """The "your name" field; Dash keeps what was typed in localStorage."""
    return html.Div(
        [
            html.Label(t("actor_label", lang), htmlFor=ACTOR),
            dcc.Input(
                id=ACTOR,
                type="text",
                maxLength=80,
                persistence=True,
                persistence_type="local",
                debounce=False,
            ),
        ],
        className="planner-actor",
    )


def panel(
    target: dict[str, Any],
    lang: str,
    with_actor: bool,
    pending: Request | None = None,
    said: str = "",
) -> html.Div:
    """The panel's frame for a plan or a version (with a request already asked and what it
    will do, when the URL asked for one); its body follows from the store."""
    return html.Div(
        [
            html.H3(t("wf_title", lang), className="section-title"),
            actor_field(lang) if with_actor else None,
            dcc.Store(id=PLAN, data=target),
            html.Div(id=BODY),
            html.Div(
                [
                    html.P(said, id=TEXT, className="wf-confirm-text"),
                    html.Button(t("wf_confirm", lang), id=CONFIRM, className="wf-confirm"),
                    html.Button(t("wf_cancel", lang), id=CANCEL, className="wf-cancel"),
                ],
                id=BOX,
                className="wf-box",
                hidden=pending is None,
            ),
            html.Div(id=MSG, className="wf-msg", role="status"),
            dcc.Store(id=PENDING, data=pending.data() if pending else None),
            dcc.Store(id=DONE, data=0),
        ],
        className="wf-panel",
    )


def body(
    plan: store.Plan | None,
    version: int | None,
    events: list[dict[str, Any]],
    lang: str,
    clock: Clock,
) -> list[Any]:
    """The plan's state, the buttons its state allows, the comment and date fields, events."""
    allowed = actions_for(plan.state) if plan else ("rollback",)
    head = (
        t("wf_plan", lang, plan=plan.name, state=t(f"state_{plan.state}", lang))
        if plan
        else t("cmp_version", lang, n=version)
    )
    today = clock.local.date()
    return [
        html.P(head, className="wf-head", id="wf-head"),
        html.Div(
            [
                html.Button(
                    t(f"act_{a}", lang), id=i, hidden=a not in allowed, className=f"wf-act {i}"
                )
                for a, i in ACT.items()
            ],
            className="wf-actions",
        ),
        html.Div(
            [
                html.Label(t("wf_comment", lang), htmlFor=COMMENT),
                dcc.Input(id=COMMENT, type="text", maxLength=500, value=""),
            ],
            className="wf-field",
            hidden=not plan or not allowed,
        ),
        html.Div(
            [
                html.Label(t("wf_effective", lang)),
                dcc.DatePickerSingle(
                    id=DATE,
                    date=today.isoformat(),
                    min_date_allowed=today.isoformat(),
                    display_format="YYYY-MM-DD",
                    first_day_of_week=1,
                ),
            ],
            className="wf-field",
            hidden="publish" not in allowed,
        ),
        html.Ul(
            [
                html.Li(
                    t(
                        "wf_event",
                        lang,
                        at=fmt_datetime(e["at"], lang, clock.tz),
                        actor=e["actor"],
                        action=e["action"] + (f" — {e['comment']}" if e["comment"] else ""),
                    )
                )
                for e in events
            ],
            className="wf-events",
            title=t("wf_events", lang),
        ),
    ]


def target_of(conn: Any, key: str) -> dict[str, Any] | None:
    """The panel's target for a page key: a plan id or name (None: no such plan)."""
    plan = plan_by_key(conn, key)
    return {"plan": plan.name, "key": str(plan.id)} if plan else None


def register(app: Dash, ctx: AppContext) -> None:
    """The panel's callbacks: fill the editor's Div, its body, ask, confirm."""
    settings = ctx.settings
    rules = rules_for(settings.layers_dir)

    def clock() -> Clock:
        return Clock.current(settings.timezone)

    def lang_of(state: Any) -> str:
        route = read_state(state)
        return route.lang if route else settings.lang

    @app.callback(Output(HOME, "children"), Input(HOME, "id"), State(ids.STATE, "data"))
    def fill_editor(_: Any, state: Any) -> Any:
        route = read_state(state)
        if route is None or route.mode != "plan" or not route.unit:
            raise PreventUpdate
        with ctx.pool.connection() as conn:
            target = target_of(conn, route.unit)
        if target is None:
            return html.P(t("plan_missing", route.lang, plan=route.unit))
        return panel(target, route.lang, with_actor=False)  # the editor has the name field

    @app.callback(
        Output(BODY, "children"),
        Input(PLAN, "data"),
        Input(DONE, "data"),
        State(ids.STATE, "data"),
    )
    def fill_body(target: Any, _: Any, state: Any) -> Any:
        lang = lang_of(state)
        target = target if isinstance(target, dict) else {}
        now = clock()
        with ctx.pool.connection() as conn:
            if isinstance(target.get("version"), int):
                return body(None, target["version"], [], lang, now)
            try:
                plan = store.get_plan(conn, text_value(target.get("plan")) or "")
            except store.PlanError:
                return html.P(t("plan_missing", lang, plan=target.get("plan")))
            return body(plan, None, store.plan_events(conn, plan), lang, now)

    @app.callback(
        Output(PENDING, "data"),
        Output(TEXT, "children"),
        Output(BOX, "hidden"),
        Output(MSG, "children"),
        *[Input(i, "n_clicks") for i in ACT.values()],
        State(PLAN, "data"),
        State(COMMENT, "value"),
        State(DATE, "date"),
        State(ACTOR, "value"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def ask(*values: Any) -> tuple[Any, ...]:
        *clicks, target, comment, day, actor, state = values
        pressed = pressed_action(callback_context.triggered_prop_ids, clicks)
        if pressed is None or not isinstance(target, dict):
            raise PreventUpdate
        req = Request.read(
            {
                "action": pressed,
                "plan": target.get("plan") if pressed != "rollback" else None,
                "version": target.get("version") if pressed == "rollback" else None,
                "comment": text_value(comment, 500) or "",
                "effective": day if pressed == "publish" else None,
            }
        )
        return confirm_box(req, text_value(actor) or "", lang_of(state))

    def confirm_box(req: Request | None, actor: str, lang: str) -> tuple[Any, ...]:
        """The pending request, its confirmation text, the box shown, no message; or a message."""
        if req is None:
            raise PreventUpdate
        now = clock()
        problem = problem_of(req, actor, now.local.date(), lang)
        if problem:
            return None, "", True, problem
        try:
            with ctx.pool.connection() as conn:
                said = asked(conn, req, now, rules, lang)
        except REFUSALS as exc:
            return None, "", True, t("refused", lang, why=str(exc))
        return req.data(), said, False, ""

    @app.callback(
        Output(PENDING, "data", allow_duplicate=True),
        Output(BOX, "hidden", allow_duplicate=True),
        Output(MSG, "children", allow_duplicate=True),
        Output(DONE, "data"),
        Output(ids.URL, "search", allow_duplicate=True),
        Input(CONFIRM, "n_clicks"),
        State(PENDING, "data"),
        State(ACTOR, "value"),
        State(DONE, "data"),
        State(PLAN, "data"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def confirm(clicks: Any, pending: Any, actor: Any, done: Any, target: Any, state: Any) -> Any:
        if not clicks:
            raise PreventUpdate  # the button was just drawn (Dash calls on new components)
        route = read_state(state)
        lang = route.lang if route else settings.lang
        req = Request.read(pending)
        if req is None:
            raise PreventUpdate
        who, now = text_value(actor) or "", clock()
        problem = problem_of(req, who, now.local.date(), lang)
        if problem:
            return None, True, problem, no_update, no_update
        try:
            with ctx.pool.connection() as conn:
                said = perform(conn, req, who.strip(), now, lang)
        except REFUSALS as exc:
            return None, True, t("refused", lang, why=str(exc)), no_update, no_update
        if req.action in ("publish", "rollback"):
            ready_in_background(ctx.pool)  # the next load's unit index, not in this answer
        count = (done if isinstance(done, int) else 0) + 1
        return None, True, said, count, list_search(route, target, count)

    @app.callback(
        Output(PENDING, "data", allow_duplicate=True),
        Output(BOX, "hidden", allow_duplicate=True),
        Input(CANCEL, "n_clicks"),
        prevent_initial_call=True,
    )
    def cancel(clicks: Any) -> tuple[Any, bool]:
        if not clicks:
            raise PreventUpdate
        return None, True


def pressed_action(triggered: dict[str, str], clicks: list[Any]) -> str | None:
    """The action whose button was pressed: triggered and clicked (a button just drawn
    triggers with no clicks)."""
    for (action, button), n in zip(ACT.items(), clicks, strict=True):
        if f"{button}.n_clicks" in triggered and n:
            return action
    return None


def list_search(route: Route | None, target: Any, count: int) -> Any:
    """On /planner, the URL's query after an action (its tables follow it); elsewhere none."""
    if route is None or route.mode != "planner" or not isinstance(target, dict):
        return no_update
    if isinstance(target.get("version"), int):
        query = planner_href(route.lang, restore=target["version"], n=count)
    else:
        query = planner_href(route.lang, plan=str(target.get("key", "")), n=count)
    return query.removeprefix("/planner")
