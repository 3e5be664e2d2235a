"""/planner: the plans (each a link to its editor, with the actions its state allows), a new
plan over the city or one unit, the workflow panel of the plan the URL picks, and the
versions of the grid map with a rollback to each."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from twin.activity import Clock, search_units
from twin.app import ids
from twin.app.context import AppContext
from twin.app.i18n import dropdown_labels, t
from twin.app.inputs import read_state, text_value
from twin.app.planner import workflow
from twin.app.planner.flow import REFUSALS, Request, actions_for, asked, plan_by_key
from twin.app.planner.listing import (
    ProblemCounts,
    compare_href,
    plan_href,
    plan_row,
    planner_href,
    version_row,
)
from twin.app.planner.workflow import actor_field, panel
from twin.plans import store
from twin.plans.rules import rules_for
from twin.plans.versions import list_versions

CONTAINER = "page-planner"
BUILT = "planner-built"
PLANS = "planner-plans"
VERSIONS = "planner-versions"
FLOW = "planner-flow"
FLOW_KEY = "planner-flow-key"
NEW_NAME = "planner-new-name"
NEW_SCOPE = "planner-new-scope"
NEW_GO = "planner-new-go"
NEW_MSG = "planner-new-msg"
CITY = ""  # the scope dropdown's value for the whole city


def page(lang: str) -> list[Any]:
    """The page's frame; its tables and panel follow from the URL."""
    return [
        dcc.Store(id=BUILT, data=lang),
        html.H2(t("planner_title", lang)),
        actor_field(lang),
        html.Section(
            [
                html.H3(t("new_plan", lang), className="section-title"),
                html.Div(
                    [
                        html.Label(t("new_name", lang), htmlFor=NEW_NAME),
                        dcc.Input(id=NEW_NAME, type="text", maxLength=120, value=""),
                        html.Label(t("new_scope", lang), htmlFor=NEW_SCOPE),
                        dcc.Dropdown(
                            id=NEW_SCOPE,
                            options=[{"label": t("city", lang), "value": CITY}],
                            value=CITY,
                            clearable=False,
                            searchable=True,
                            labels=dropdown_labels(lang),  # type: ignore[arg-type]
                            className="planner-scope",
                        ),
                        html.Button(t("new_create", lang), id=NEW_GO),
                    ],
                    className="planner-new",
                ),
                html.Div(id=NEW_MSG, className="wf-msg", role="status"),
            ]
        ),
        html.Section(
            [html.H3(t("plans_title", lang), className="section-title"), html.Div(id=PLANS)]
        ),
        html.Div(id=FLOW),
        dcc.Store(id=FLOW_KEY),
        html.Section(
            [html.H3(t("versions_title", lang), className="section-title"), html.Div(id=VERSIONS)]
        ),
    ]


def _cell(value: Any) -> html.Td:
    return html.Td(value)


def plans_table(rows: list[dict[str, Any]], lang: str, newest: int) -> Any:
    """The plans as a table: the name links to the editor, the actions to their panel."""
    if not rows:
        return html.P(t("plans_none", lang), className="note")
    heads = ["col_plan", "col_scope", "col_state", "col_base", "col_author", "col_updated"]
    heads += ["col_units", "col_problems", "col_actions"]
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(t(h, lang)) for h in heads])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(dcc.Link(r["name"], href=r["href"], className="plan-link")),
                            _cell(r["scope"]),
                            html.Td(r["state_text"], className=f"plan-state state-{r['state']}"),
                            _cell(r["base"]),
                            _cell(r["author"]),
                            _cell(r["updated"]),
                            html.Td(r["units"], className="num"),
                            html.Td(r["problems"], className="num plan-problems"),
                            html.Td(_row_actions(r, lang, newest), className="plan-actions"),
                        ],
                        id=f"plan-row-{r['id']}",
                        **{"data-plan": r["name"]},
                    )
                    for r in rows
                ]
            ),
        ],
        className="planner-table",
    )


def _row_actions(row: dict[str, Any], lang: str, newest: int) -> list[Any]:
    links = [
        dcc.Link(
            t(f"act_{a}", lang),
            href=planner_href(lang, plan=row["id"], act=a),
            className=f"row-act row-{a}",
        )
        for a in actions_for(row["state"])
    ]
    if row["state"] == "draft":
        links.insert(0, dcc.Link(t("act_edit", lang), href=row["href"], className="row-act"))
    links.append(
        dcc.Link(
            t("act_compare", lang),
            href=compare_href(newest, row["name"], lang),
            className="row-act row-compare",
        )
    )
    return links


def versions_table(rows: list[dict[str, Any]], lang: str) -> html.Table:
    """The versions, newest first, each but the one in force with a rollback link."""
    heads = ("col_version", "col_effective", "col_kind", "col_what", "wf_comment", "col_actions")
    return html.Table(
        [
            html.Thead(html.Tr([html.Th(t(h, lang)) for h in heads])),
            html.Tbody(
                [
                    html.Tr(
                        [
                            _cell(str(r["version"])),
                            _cell(r["effective"]),
                            _cell(r["kind"]),
                            _cell(r["what"]),
                            _cell(r["note"]),
                            html.Td(
                                t("in_force", lang)
                                if r["in_force"]
                                else dcc.Link(
                                    t("act_rollback", lang),
                                    href=planner_href(lang, restore=r["version"]),
                                    className="row-act row-rollback",
                                )
                            ),
                        ],
                        id=f"version-row-{r['version']}",
                    )
                    for r in rows
                ]
            ),
        ],
        className="planner-table",
    )


def built_lang(children: Any) -> str | None:
    """The language the page's parts were built in (None: not built)."""
    if not isinstance(children, list) or not children or not isinstance(children[0], dict):
        return None
    props = children[0].get("props")
    if not isinstance(props, dict) or props.get("id") != BUILT:
        return None
    lang = props.get("data")
    return lang if isinstance(lang, str) else None


def picked(search: Any) -> dict[str, str]:
    """What the URL's query picks: plan (id), act (an action), restore (a version)."""
    query = parse_qs((text_value(search, 2000) or "").lstrip("?"))
    out = {k: query[k][0] for k in ("plan", "act", "restore") if query.get(k)}
    return {k: v for k, v in out.items() if text_value(v)}


def register(app: Dash, ctx: AppContext) -> None:
    """The page's callbacks, and the workflow panel's."""
    settings = ctx.settings
    rules = rules_for(settings.layers_dir)
    counts = ProblemCounts()
    workflow.register(app, ctx)

    def clock() -> Clock:
        return Clock.current(settings.timezone)

    @app.callback(
        Output(CONTAINER, "children"),
        Input(ids.STATE, "data"),
        State(CONTAINER, "children"),
    )
    def build(state: Any, children: Any) -> Any:
        route = read_state(state)
        if route is None:
            raise PreventUpdate
        built = built_lang(children)
        if route.mode != "planner":
            return [] if built is not None else no_update
        if built == route.lang:
            raise PreventUpdate  # a new query: the tables and the panel follow the URL
        return page(route.lang)

    @app.callback(
        Output(PLANS, "children"),
        Output(VERSIONS, "children"),
        Input(ids.URL, "search"),
        Input(PLANS, "id"),
        State(ids.STATE, "data"),
    )
    def tables(_: Any, __: Any, state: Any) -> tuple[Any, Any]:
        route = read_state(state)
        if route is None or route.mode != "planner":
            raise PreventUpdate
        lang, tz = route.lang, settings.timezone
        with ctx.pool.connection() as conn:
            plans = store.list_plans(conn)
            problems = counts.of(conn, plans, rules)
            versions = list_versions(conn)
        rows = [plan_row(p, problems[p["name"]], lang, tz) for p in plans]
        newest = versions[0]["version"] if versions else 0
        vrows = [version_row(v, newest, lang, tz) for v in versions]
        return plans_table(rows, lang, newest), versions_table(vrows, lang)

    @app.callback(
        Output(FLOW, "children"),
        Output(FLOW_KEY, "data"),
        Input(ids.URL, "search"),
        Input(FLOW, "id"),
        State(FLOW_KEY, "data"),
        State(ids.STATE, "data"),
    )
    def flow(search: Any, _: Any, key: Any, state: Any) -> tuple[Any, Any]:
        route = read_state(state)
        if route is None or route.mode != "planner":
            raise PreventUpdate
        want = picked(search) | {"lang": route.lang}
        # The action asked for by a row's link only opens the panel: an action done drops
        # it from the URL, and the same panel (with its message) stays.
        pick = {k: v for k, v in want.items() if k != "act"}
        if pick == key:
            raise PreventUpdate
        return flow_panel(want, route.lang), pick

    def flow_panel(want: dict[str, str], lang: str) -> Any:
        """The panel of the picked plan or version, with the URL's action asked for."""
        now = clock()
        with ctx.pool.connection() as conn:
            if want.get("restore", "").isdecimal():
                version = int(want["restore"])
                req = Request("rollback", version=version)
                target: dict[str, Any] = {"version": version}
            elif want.get("plan"):
                plan = plan_by_key(conn, want["plan"])
                if plan is None:
                    return html.P(t("plan_missing", lang, plan=want["plan"]), className="wf-msg")
                target = {"plan": plan.name, "key": str(plan.id)}
                act = want.get("act")
                # reject waits for its comment, publish for its date: asked from the panel
                ok = act in actions_for(plan.state) and act in ("submit", "approve")
                req = Request(act or "", plan=plan.name) if ok else None  # type: ignore[assignment]
            else:
                return []
            try:
                said = asked(conn, req, now, rules, lang) if req else ""
            except REFUSALS as exc:
                return [panel(target, lang, False), html.P(t("refused", lang, why=str(exc)))]
        return panel(target, lang, with_actor=False, pending=req, said=said)

    @app.callback(
        Output(NEW_SCOPE, "options"),
        Input(NEW_SCOPE, "search_value"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def scope_options(typed: Any, state: Any) -> list[dict[str, str]]:
        typed = text_value(typed)
        route = read_state(state)
        lang = route.lang if route else settings.lang
        city = [{"label": t("city", lang), "value": CITY}]
        if not typed:
            return city
        with ctx.pool.connection() as conn:
            found = search_units(conn, typed)
        return city + [
            {
                "label": f"{u['name']} · {ctx.text.level(u['level'], lang)} {u['code']}",
                "value": u["code"],
            }
            for u in found
        ]

    @app.callback(
        Output(NEW_MSG, "children"),
        Output(ids.URL, "pathname", allow_duplicate=True),
        Output(ids.URL, "search", allow_duplicate=True),
        Input(NEW_GO, "n_clicks"),
        State(NEW_NAME, "value"),
        State(NEW_SCOPE, "value"),
        State(workflow.ACTOR, "value"),
        State(ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def new_plan(clicks: Any, name: Any, scope: Any, actor: Any, state: Any) -> tuple[Any, ...]:
        if not clicks:
            raise PreventUpdate  # drawn, not pressed
        route = read_state(state)
        lang = route.lang if route else settings.lang
        who = (text_value(actor) or "").strip()
        if not who:
            return t("actor_missing", lang), no_update, no_update
        scope = text_value(scope) or None
        try:
            with ctx.pool.connection() as conn:
                plan = store.new_plan(conn, text_value(name, 120) or "", scope, who, clock())
        except store.PlanError as exc:
            return t("refused", lang, why=str(exc)), no_update, no_update
        href = plan_href(plan.name, lang)
        path, _, query = href.partition("?")
        return "", path, "?" + query
