"""The confirmation dialog of a case action: what will happen, the actor (remembered in the
browser), an optional note, a dispatch's department and officer, a merge's target; confirming
runs the action through twin.ops, a refusal is a message in the dialog, never a 500."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
from dash import ClientsideFunction, Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from twin.activity import Clock
from twin.app.cases import ids
from twin.app.cases.refusals import refusal_text
from twin.app.cases.views import confirm_text
from twin.app.i18n import t
from twin.app.inputs import dict_or_none, read_state, text_value
from twin.ops.errors import CaseError, CaseNotFound
from twin.ops.lifecycle import ACTIONS, act
from twin.ops.merging import merge, unmerge

if TYPE_CHECKING:
    from twin.app.context import AppContext

DIALOG_ACTIONS = (*ACTIONS, "merge", "unmerge")
MODAL: dict[str, Any] = {"aria-modal": "true"}
PARTS = ("dispatch", "merge")  # the dialog's parts only some actions show
MAX_FIELD = 200


@dataclass(frozen=True)
class Request:
    """An action asked for from a dialog, its fields as typed (empty: not given)."""

    code: str
    action: str
    actor: str
    note: str = ""
    department: str = ""
    officer: str = ""
    into: str = ""


def _given(value: str) -> str | None:
    return value.strip() or None


def run_request(conn: psycopg.Connection, req: Request, clock: Clock) -> None:
    """Do the action through twin.ops (as the API does); CaseError or CaseNotFound if refused."""
    if not req.actor.strip():
        raise CaseError("actor", "who acts must be named", "actor")
    if req.action == "merge":
        if not req.into.strip():
            raise CaseError("into", "name the case to merge into", "into_needed")
        merge(conn, req.code, req.into.strip(), req.actor, clock)
    elif req.action == "unmerge":
        unmerge(conn, req.code, req.actor, clock)
    elif req.action in ACTIONS:
        # The dispatch fields stay filled in a dialog reused for another action: only a
        # dispatch reads them.
        dispatch = req.action == "dispatch"
        act(
            conn,
            req.code,
            req.action,
            actor=req.actor,
            clock=clock,
            note=_given(req.note),
            department=_given(req.department) if dispatch else None,
            officer=_given(req.officer) if dispatch else None,
        )
    else:
        raise CaseError(
            "action", f"{req.action!r} is not an action", "not_action", {"action": req.action}
        )


def read_pending(value: Any) -> tuple[str, str] | None:
    """(code, action) of a dialog's pending store, or None when not one the server wrote."""
    pending = dict_or_none(value) or {}
    code, action = text_value(pending.get("code")), pending.get("action")
    if not code or action not in DIALOG_ACTIONS:
        return None
    return code, action


def dialog(prefix: str, lang: str) -> html.Div:
    """The dialog, hidden until an action button opens it."""
    p = lambda part: ids.dialog(prefix, part)  # noqa: E731

    def field(label: str, control: Any) -> html.Label:
        return html.Label([html.Span(label), control], className="case-field")

    return html.Div(
        [
            html.Div(
                [
                    html.P(id=p("text"), className="case-dialog-text"),
                    html.Div(
                        [
                            field(t("f_department", lang), dcc.Input(id=p("department"))),
                            field(t("f_officer", lang), dcc.Input(id=p("officer"))),
                        ],
                        id=p("dispatch"),
                        hidden=True,
                    ),
                    html.Div(
                        field(t("into", lang), dcc.Input(id=p("into"))), id=p("merge"), hidden=True
                    ),
                    field(t("note", lang), dcc.Textarea(id=p("note"), maxLength=2000)),
                    field(t("actor", lang), dcc.Input(id=p("actor"), maxLength=MAX_FIELD)),
                    html.Div(t("actor_hint", lang), className="note"),
                    html.Div(id=p("error"), className="case-dialog-error", role="alert"),
                    html.Div(
                        [
                            html.Button(t("confirm", lang), id=p("confirm"), className="primary"),
                            html.Button(t("cancel", lang), id=p("cancel")),
                        ],
                        className="case-dialog-buttons",
                    ),
                ],
                className="case-dialog-box",
                role="dialog",
                **MODAL,
            ),
            dcc.Store(id=p("pending")),
            dcc.Store(id=p("saved")),
            dcc.Store(id=p("sink")),  # what a clientside callback after an action writes
            dcc.Store(id=ids.done(prefix)),
        ],
        id=p("dialog"),
        className="case-dialog",
        hidden=True,
    )


def opened(code: str, action: str, status_label: str, lang: str, into: str = "") -> tuple[Any, ...]:
    """The dialog's outputs when it opens for an action (see register_dialog's opener)."""
    return (
        {"code": code, "action": action},
        False,
        confirm_text(action, code, status_label, lang),
        action != "dispatch",
        action != "merge",
        "",
        "",
        into,
    )


def opener_outputs(prefix: str) -> list[Output]:
    """What an opener callback writes: pending, shown, text, parts shown, note, error, into."""
    p = lambda part: ids.dialog(prefix, part)  # noqa: E731
    return [
        Output(p("pending"), "data"),
        Output(p("dialog"), "hidden", allow_duplicate=True),
        Output(p("text"), "children"),
        Output(p("dispatch"), "hidden"),
        Output(p("merge"), "hidden"),
        Output(p("note"), "value"),
        Output(p("error"), "children", allow_duplicate=True),
        Output(p("into"), "value"),
    ]


def register_dialog(
    app: Dash, ctx: AppContext, prefix: str, route_lang: Callable[[Any], str]
) -> None:
    """The dialog's confirm and cancel, and its actor kept in the browser (assets/twin_case.js)."""
    p = lambda part: ids.dialog(prefix, part)  # noqa: E731

    @app.callback(
        Output(p("dialog"), "hidden", allow_duplicate=True),
        Output(p("error"), "children", allow_duplicate=True),
        Output(ids.result(prefix), "children", allow_duplicate=True),
        Output(ids.done(prefix), "data"),
        Input(p("confirm"), "n_clicks"),
        State(p("pending"), "data"),
        *[State(p(f), "value") for f in ("actor", "note", "department", "officer", "into")],
        State("state", "data"),
        prevent_initial_call=True,
    )
    def confirm(clicks: Any, pending: Any, *values: Any) -> tuple[Any, ...]:
        *typed, state = values
        found = read_pending(pending)
        if not clicks or found is None:
            raise PreventUpdate
        lang = route_lang(state)
        texts = [text_value(v, 2000) or "" if v is not None else "" for v in typed]
        actor, note, department, officer, into = texts
        if not actor.strip():
            return no_update, t("actor_needed", lang), no_update, no_update
        req = Request(found[0], found[1], actor, note, department, officer, into)
        try:
            with ctx.pool.connection() as conn:
                run_request(conn, req, Clock.current(ctx.settings.timezone))
        except (CaseError, CaseNotFound) as exc:
            return no_update, refusal_text(exc, lang, ctx.text), no_update, no_update
        done = t("done_action", lang, what=t(f"act_{req.action}", lang), code=req.code)
        return True, "", done, {"code": req.code, "action": req.action, "n": clicks}

    @app.callback(
        Output(p("dialog"), "hidden", allow_duplicate=True),
        Input(p("cancel"), "n_clicks"),
        prevent_initial_call=True,
    )
    def cancel(clicks: Any) -> bool:
        if not clicks:
            raise PreventUpdate
        return True

    app.clientside_callback(
        ClientsideFunction("twinCase", "loadActor"),
        Output(p("actor"), "value"),
        Input(p("actor"), "id"),
    )
    app.clientside_callback(
        ClientsideFunction("twinCase", "saveActor"),
        Output(p("saved"), "data"),
        Input(p("actor"), "value"),
        prevent_initial_call=True,
    )


def lang_of(state: Any, default: str) -> str:
    """The route's language, or the server's when the state is not readable."""
    route = read_state(state)
    return route.lang if route else default
