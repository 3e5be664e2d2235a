"""/planner/<plan>: the plan editor's callbacks, each a few lines over editor_actions (the
engine's edits) and editor_views / editor_panels (what the page shows)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

from dash import ALL, Dash, Input, Output, State, callback_context, html, no_update
from dash.exceptions import PreventUpdate

from twin.activity import Clock
from twin.app import ids
from twin.app.context import AppContext
from twin.app.i18n import t
from twin.app.inputs import read_state, text_value
from twin.app.own_pages import own_page
from twin.app.planner import editor_ids as eid
from twin.app.planner.editor_actions import EditRequest, answer, perform
from twin.app.planner.editor_cache import View, collection, current_view, kept_view
from twin.app.planner.editor_layout import EDITS_VERTICES, edit_group, editor_section
from twin.app.planner.editor_panels import impact_table, inherit_list, problem_list, repair_list
from twin.app.planner.editor_patch import patch_of
from twin.app.planner.editor_views import (
    above,
    balance_figure,
    balance_text,
    finest,
    merge_answer,
    message_text,
    moved_points,
    of_level,
    parent_for,
    problem_items,
    split_target,
    toggle,
    units_bounds,
)
from twin.app.planner.workflow import ACTOR
from twin.app.reference_map import reference_store
from twin.plans import store
from twin.plans.model import UnitState
from twin.plans.store import PlanError

MODE = "plan"
log = logging.getLogger(__name__)
DRAWN = {"add": "Polygon", "reshape": "Polygon", "boundary": "Polygon", "split": "LineString"}


def area_of(search: Any) -> str | None:
    """The ?area= of the URL (the unit whose subtree the editor shows)."""
    query = parse_qs((text_value(search) or "").lstrip("?"))
    return text_value(query.get("area", [""])[0]) or None


def drawn_geometry(geojson: Any, tool: str) -> dict[str, Any] | None:
    """The last drawn (or edited) shape of the tool's kind in the EditControl's features."""
    kind = DRAWN.get(tool)
    feats = geojson.get("features", []) if isinstance(geojson, dict) else []
    shapes = [f.get("geometry") for f in feats if isinstance(f, dict)]
    shapes = [g for g in shapes if isinstance(g, dict) and g.get("type") == kind]
    return shapes[-1] if shapes else None


def held(callback: Callable[..., Any]) -> Callable[..., Any]:
    """A callback over the stores the page holds (its answer, key, selection): a value of
    another shape than the page wrote (a forged request) is no update, never a 500."""

    @functools.wraps(callback)
    def guarded(*args: Any) -> Any:
        try:
            return callback(*args)
        except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
            log.info("plan editor: a held value of another shape (%s)", exc)
            raise PreventUpdate from None

    return guarded


def register(app: Dash, ctx: AppContext) -> None:
    """The editor's callbacks."""
    page = own_page(MODE)
    assert page is not None, "the plan editor is not in OWN_PAGES"
    levels = list(ctx.loaded)

    def clock() -> Clock:
        return Clock.current(ctx.settings.timezone)

    @app.callback(
        Output(page.container, "children"),
        Input(ids.STATE, "data"),
        State(ids.URL, "search"),
    )
    def build(state: Any, search: Any) -> Any:
        route = read_state(state)
        if route is None:
            raise PreventUpdate
        if route.mode != MODE or not route.unit:
            return []
        lang, area = route.lang, area_of(search)
        try:
            with ctx.pool.connection() as conn:
                plan = store.get_plan(conn, route.unit)
                area = area or plan.scope
                first = answer(conn, plan.name, area, clock())
                shown = current_view(conn, plan.name, area).units
        except PlanError:
            return [html.P(t("ed_no_plan", lang, name=route.unit), className="note")]
        title = t("ed_title", lang, name=plan.name)
        key = {"plan": plan.name, "area": area, "lang": lang}
        bounds = units_bounds(shown, ctx.bounds)
        reference = reference_store(ctx.tiles, eid.MAP, lang)
        return editor_section(lang, title, bounds, ctx.settings.basemap_url, first, key, reference)

    @app.callback(
        Output(eid.ANSWER, "data"),
        Output(eid.PENDING, "data"),
        Input(eid.DRAW, "action"),
        Input(eid.MERGE, "n_clicks"),
        Input(eid.DELETE, "n_clicks"),
        Input(eid.UNDO, "n_clicks"),
        Input(eid.REDO, "n_clicks"),
        Input(eid.FIX, "n_clicks"),
        Input(eid.SAVE, "n_clicks"),
        Input(eid.RELOAD, "n_clicks"),
        Input(eid.RETRY, "n_clicks"),
        State(eid.DRAW, "geojson"),
        State(eid.TOOL, "value"),
        State(eid.SEL, "data"),
        State(eid.ANSWER, "data"),
        State(eid.PENDING, "data"),
        State(eid.KEY, "data"),
        State(ACTOR, "value"),
        State(eid.F_CODE, "value"),
        State(eid.F_NAME, "value"),
        State(eid.F_OFFICER, "value"),
        State(eid.F_PARENT, "value"),
        prevent_initial_call=True,
    )
    @held
    def edit(*args: Any) -> tuple[Any, Any]:
        geojson, tool, sel, old, pending, key, actor, *form = args[9:]
        trigger = callback_context.triggered_id
        if not isinstance(key, dict) or not isinstance(old, dict):
            raise PreventUpdate
        plan_area(key)
        with ctx.pool.connection() as conn:
            if trigger == eid.RELOAD:
                return answer(conn, key["plan"], key["area"], clock()), pending
            shown = current_view(conn, key["plan"], key["area"]).units
            req = _request(trigger, geojson, tool, sel, old, pending, key, form, levels, shown)
            if req is None:
                raise PreventUpdate
            keep = {"op": req.op, "codes": list(req.codes), "geom": req.geom, "fields": req.fields}
            who = (text_value(actor, 80) or "").strip()
            if not who:  # every step is signed with the planner's name; the drawing is kept
                unnamed = {"message": {"kind": "refused", "key": "ed_need_actor"}}
                return merge_answer(old, unnamed), keep
            new = perform(conn, replace(req, actor=who), key["area"], clock())
        refused = (new.get("message") or {}).get("kind") == "conflict"
        return merge_answer(old, new), keep if refused else None

    @app.callback(
        Output(eid.PROBLEMS, "data"),
        Output(eid.MOVED, "data"),
        Output(eid.PENDING_LAYER, "data"),
        Output(eid.PROBLEM_LIST, "children"),
        Output(eid.REPAIRS, "children"),
        Output(eid.IMPACT, "children"),
        Output(eid.BALANCE, "children"),
        Output(eid.CHART, "figure"),
        Output(eid.INHERIT, "children"),
        Output(eid.MESSAGE, "children"),
        Output(eid.CONFLICT_BOX, "hidden"),
        Output(eid.HEAD, "children"),
        Input(eid.ANSWER, "data"),
        Input(eid.PENDING, "data"),
        State(eid.KEY, "data"),
    )
    @held
    def render(ans: Any, pending: Any, key: Any) -> tuple[Any, ...]:
        if not isinstance(ans, dict) or not isinstance(key, dict):
            raise PreventUpdate
        lang, msg = key["lang"], ans.get("message")
        drawn = (pending or {}).get("geom")
        return (
            collection(ans["problems"]),
            moved_points(ans["impact"]),
            pending_layer(drawn) if drawn else collection([]),
            problem_list(ans["problems"], lang),
            repair_list(ans.get("repairs", []), lang),
            impact_table(ans["impact"], ans.get("changed", []), lang),
            balance_text(ans["impact"], lang),
            balance_figure(ans["impact"], lang, ans.get("officers")),
            inherit_list(ans["impact"], lang),
            message_text(msg, lang),
            (msg or {}).get("kind") != "conflict" and not pending,
            t(
                "ed_head",
                lang,
                state=t(f"ed_state_{ans['state']}", lang),
                rev=ans["revision"],
                area=ans.get("area") or t("city", lang),
                n=len(ans["problems"]),
            ),
        )

    def view(key: dict[str, Any]) -> View:
        """The kept view of the page's plan and area (no update when the plan is gone)."""
        plan, area = plan_area(key)
        try:
            with ctx.pool.connection() as conn:
                return current_view(conn, plan, area)
        except PlanError:
            raise PreventUpdate from None

    def views(key: dict[str, Any], drawn: Any) -> tuple[View, View | None]:
        """The kept view of the page's plan and area, and the one the page's map draws (None
        when it is not kept)."""
        plan, area = plan_area(key)
        try:
            with ctx.pool.connection() as conn:
                now = current_view(conn, plan, area)
                return now, kept_view(conn, store.get_plan(conn, plan), area, drawn)
        except PlanError:
            raise PreventUpdate from None

    # The answer's view key in a store of its own, set in the page: the layers and the
    # selection follow it without sending the whole answer back, and only when it changes.
    app.clientside_callback(
        """function (ans, shown) {
            const v = ans && ans.view;
            if (!v || JSON.stringify(v) === JSON.stringify(shown)) {
                return window.dash_clientside.no_update;
            }
            return v;
        }""",
        Output(eid.VIEW, "data"),
        Input(eid.ANSWER, "data"),
        State(eid.VIEW, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(eid.UNITS, "data"),
        Output(eid.PARENTS, "data"),
        Output(eid.DRAWN_VIEW, "data"),
        Input(eid.VIEW, "data"),
        State(eid.KEY, "data"),
        State(eid.DRAWN_VIEW, "data"),
    )
    @held
    def layers(now: Any, key: Any, drawn: Any) -> tuple[Any, ...]:
        # The outlines go only when the answer is of another view than the map shows: a
        # refused edit, a selection or the panels never send them again.
        if not isinstance(now, list) or not isinstance(key, dict) or now == drawn:
            raise PreventUpdate
        shown, before = views(key, drawn)
        units = shown.units_collection()
        level = finest(units, levels)
        grids, parents = of_level(units, level), above(units, level)
        if before is None or finest(before.units_collection(), levels) != level:
            return grids, parents, shown.key
        # the page draws the view before: only what changed since goes
        was = before.units_collection()
        return (
            patch_of(of_level(was, level), grids),
            patch_of(above(was, level), parents),
            shown.key,
        )

    @app.callback(
        Output(eid.BASE, "data"),
        Output(eid.BASE_VIEW, "data"),
        Input(eid.BASE_TOGGLE, "value"),
        Input(eid.VIEW, "data"),
        State(eid.KEY, "data"),
        State(eid.BASE_VIEW, "data"),
    )
    @held
    def base_layer(toggle_base: Any, now: Any, key: Any, drawn: Any) -> tuple[Any, Any]:
        # The map in force goes when it is turned on or a publish changed it, not per edit.
        if not isinstance(now, list) or not isinstance(key, dict):
            raise PreventUpdate
        want = ["base" in (toggle_base or []), now[1]]
        if want == drawn:
            raise PreventUpdate
        return (view(key).base_collection if want[0] else collection([])), want

    @app.callback(
        Output(eid.SEL, "data"),
        Input(eid.UNITS, "n_clicks"),
        Input(eid.VIEW, "data"),
        State(eid.UNITS, "clickData"),
        State(eid.SEL, "data"),
        State(eid.KEY, "data"),
        prevent_initial_call=True,
    )
    @held
    def select(_: Any, __: Any, clicked: Any, sel: Any, key: Any) -> Any:
        sel = [c for c in sel or [] if isinstance(c, str)]
        if callback_context.triggered_id == eid.VIEW:
            if not sel or not isinstance(key, dict):
                return no_update
            present = set(view(key).unit_features)
            kept = [c for c in sel if c in present]
            return kept if kept != sel else no_update
        code = ((clicked or {}).get("properties") or {}).get("code")
        if not isinstance(code, str):
            raise PreventUpdate
        return toggle(sel, code)

    @app.callback(
        Output(eid.SELECTED, "data"),
        Output(eid.F_CODE, "value"),
        Output(eid.F_NAME, "value"),
        Output(eid.F_OFFICER, "value"),
        Output(eid.F_PARENT, "value"),
        Input(eid.SEL, "data"),
        State(eid.KEY, "data"),
    )
    @held
    def show_selection(sel: Any, key: Any) -> tuple[Any, ...]:
        codes = [c for c in sel or [] if isinstance(c, str)]
        if not isinstance(key, dict):
            raise PreventUpdate
        picked = view(key).units_collection(codes) if codes else collection([])
        if len(picked["features"]) != 1:
            return picked, no_update, no_update, no_update, no_update
        p = picked["features"][0]["properties"]
        return picked, p["code"], p["name"], p["officer"], p["parent"]

    @app.callback(
        Output(eid.EDIT_HOLDER, "children"),
        Output(eid.FLIP, "data"),
        Input(eid.TOOL, "value"),
        Input(eid.SEL, "data"),
        Input(eid.ANSWER, "data"),
        State(eid.FLIP, "data"),
        State(eid.KEY, "data"),
        prevent_initial_call=True,
    )
    @held
    def drawing_layer(tool: Any, sel: Any, _: Any, flip: Any, key: Any) -> tuple[Any, Any]:
        tool = tool if isinstance(tool, str) else "select"
        codes = [c for c in sel or [] if isinstance(c, str)]
        unit = None
        if len(codes) == 1 and tool in EDITS_VERTICES and isinstance(key, dict):
            picked = view(key).units_collection(codes)["features"]
            unit = picked[0] if picked else None
        flip = (flip or 0) + 1
        return edit_group(tool, unit, flip), flip

    @app.callback(
        Output(eid.MAP, "viewport"),
        Input({"type": eid.PROBLEM, "index": ALL}, "n_clicks"),
        State(eid.ANSWER, "data"),
        State(eid.KEY, "data"),
        prevent_initial_call=True,
    )
    @held
    def zoom_to_problem(clicks: Any, ans: Any, key: Any) -> Any:
        trigger = callback_context.triggered_id
        if not isinstance(trigger, dict) or not any(clicks or []):
            raise PreventUpdate
        items = problem_items((ans or {}).get("problems", []), (key or {}).get("lang", "en"))
        index = trigger.get("index")
        if not isinstance(index, int) or not 0 <= index < len(items):
            raise PreventUpdate
        return {"bounds": items[index]["bounds"], "transition": "flyToBounds"}


def pending_layer(geometry: Any) -> dict[str, Any]:
    """The refused drawing as a layer, kept while the planner reloads."""
    feature = {"type": "Feature", "geometry": geometry, "properties": {}}
    return {"type": "FeatureCollection", "features": [feature]}


def _request(
    trigger: Any,
    geojson: Any,
    tool: Any,
    sel: Any,
    old: dict[str, Any],
    pending: Any,
    key: dict[str, Any],
    form: list[Any],
    levels: list[str],
    shown: Sequence[UnitState],
) -> EditRequest | None:
    """The edit the trigger asks for (None: nothing to do)."""
    codes = tuple(c for c in sel or [] if isinstance(c, str))
    base = {"plan": key["plan"], "revision": int(old["revision"]), "actor": ""}
    fields = dict(zip(("code", "name", "officer", "parent"), form, strict=True))
    ops = {
        eid.MERGE: "merge",
        eid.DELETE: "delete",
        eid.UNDO: "undo",
        eid.REDO: "redo",
        eid.FIX: "fix",
        eid.SAVE: "set",
    }
    if trigger in ops:
        return EditRequest(ops[trigger], codes=codes, fields=fields, **base)
    if trigger == eid.RETRY and isinstance(pending, dict):
        return EditRequest(
            str(pending.get("op")),
            codes=tuple(pending.get("codes") or ()),
            geom=pending.get("geom"),
            fields=dict(pending.get("fields") or {}),
            **base,
        )
    if trigger != eid.DRAW or not isinstance(tool, str) or tool not in DRAWN:
        return None
    geom = drawn_geometry(geojson, tool)
    if geom is None:
        return None
    level = old.get("level")
    level = level if level in levels else None
    if tool == "split":
        target = split_target(shown, geom, level)
        codes = (target,) if target else codes
    elif tool == "add":
        fields |= {
            "level": level,
            "parent": fields.get("parent") or parent_for(shown, geom, level, levels),
        }
    return EditRequest(tool, codes=codes, geom=geom, fields=fields, **base)


def plan_area(key: dict[str, Any]) -> tuple[str, str | None]:
    """The plan and area a page's key names (no update for a key of another shape)."""
    plan, area = key.get("plan"), key.get("area")
    if not isinstance(plan, str) or not isinstance(area, str | None):
        raise PreventUpdate  # a key of another shape than the page wrote
    return plan, area
