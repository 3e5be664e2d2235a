"""The performance page (/performance): its parts on arrival, the controls into the URL,
the evaluation out of the URL (period, grouping, ranking), as a ranked table and charts."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import Dash, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate
from dash_ag_grid import AgGrid

from twin.activity import Clock
from twin.app import ids
from twin.app.context import AppContext
from twin.app.i18n import grid_locale, t
from twin.app.inputs import read_state, text_value
from twin.app.own_pages import own_page
from twin.app.pages import parse_route
from twin.app.performance.figures import rank_figure, stages_figure
from twin.app.performance.views import (
    PerformancePage,
    grouping_options,
    page_search,
    period_options,
    rank_options,
    read_page,
    summary,
    table_columns,
    table_rows,
)
from twin.app.tables import COLUMN_DEFAULTS
from twin.performance.measures import Grouping

MODE = "performance"


def built_lang(children: Any) -> str | None:
    """The language the page's parts were built in (None: not built)."""
    if not isinstance(children, dict):
        return None
    props = children.get("props")
    return text_value(props.get("data-lang")) if isinstance(props, dict) else None


def _field(label: str, control: Any) -> html.Div:
    return html.Div([html.Label(label), control], className="perf-field")


def controls(ctx: AppContext, page: PerformancePage, clock: Clock) -> html.Div:
    """Period, grouping and ranking, showing the URL's choices."""
    lang = page.lang

    def pick(cid: str, options: list[dict[str, str]], value: str) -> dcc.Dropdown:
        return dcc.Dropdown(id=cid, options=options, value=value, clearable=False)

    return html.Div(
        [
            _field(
                t("perf_period", lang),
                pick(ids.PERF_PERIOD, period_options(clock, page.period, lang), page.period.text),
            ),
            _field(
                t("perf_by", lang),
                pick(ids.PERF_BY, grouping_options(ctx.terms, ctx.text, lang), page.by),
            ),
            _field(t("perf_rank", lang), pick(ids.PERF_RANK, rank_options(lang), page.rank)),
        ],
        className="perf-controls",
    )


def results(ctx: AppContext, page: PerformancePage, clock: Clock) -> tuple[Any, ...]:
    """Summary, table rows and columns, and the two charts of the page's evaluation."""
    grouping = Grouping.parse(page.by, ctx.terms)
    with ctx.pool.connection() as conn:
        evaluation = ctx.evaluations.get(conn, page.period, grouping, clock, ctx.terms)
    lang = page.lang
    line = summary(evaluation, lang, ctx.settings.timezone)
    if not evaluation.total["cases"]:
        line += " · " + t("perf_empty", lang)
    return (
        line,
        table_rows(evaluation, page.rank, lang),
        table_columns(grouping.is_level, page.rank, lang),
        rank_figure(evaluation.rows, page.rank, lang),
        stages_figure(evaluation.rows, page.rank, lang),
        t("perf_bad", lang, why=page.error) if page.error else "",
    )


def section(ctx: AppContext, page: PerformancePage, clock: Clock) -> html.Div:
    """The page's parts, with the URL's evaluation in them."""
    line, rows, columns, ranked, stages, error = results(ctx, page, clock)
    lang = page.lang
    return html.Div(
        [
            html.H2(t("perf_title", lang), className="perf-title"),
            controls(ctx, page, clock),
            html.Div(error, id=ids.PERF_ERROR, className="perf-error"),
            html.Div(line, id=ids.PERF_SUMMARY, className="perf-summary"),
            AgGrid(
                id=ids.PERF_TABLE,
                rowData=rows,
                columnDefs=columns,
                defaultColDef=COLUMN_DEFAULTS | {"resizable": True},
                dashGridOptions={
                    "pagination": True,
                    "paginationPageSize": 20,
                    "paginationPageSizeSelector": False,
                    "domLayout": "autoHeight",
                    "suppressCellFocus": True,
                    "localeText": grid_locale(lang),
                    "enableBrowserTooltips": True,
                },
                className="twin-table perf-table",
            ),
            html.Div(
                [
                    dcc.Graph(
                        id=ids.PERF_RANK_CHART,
                        figure=ranked,
                        config={"displayModeBar": False, "responsive": True},
                    ),
                    dcc.Graph(
                        id=ids.PERF_STAGES_CHART,
                        figure=stages,
                        config={"displayModeBar": False, "responsive": True},
                    ),
                ],
                className="perf-charts",
            ),
        ],
        id=ids.PERF_ROOT,
        className="perf",
        **{"data-lang": lang},  # type: ignore[arg-type]  # Dash takes data-* props
    )


def register(app: Dash, ctx: AppContext) -> None:
    """The page's callbacks (twin.app.own_pages)."""
    settings = ctx.settings
    page_of = own_page(MODE)
    assert page_of is not None, "the performance page is missing from OWN_PAGES"
    container = page_of.container

    def clock() -> Clock:
        return Clock.current(settings.timezone)

    @app.callback(
        Output(container, "children"),
        Input(ids.STATE, "data"),
        State(ids.URL, "search"),
        State(container, "children"),
    )
    def build(state: Any, search: Any, children: Any) -> Any:
        route = read_state(state)
        if route is None:
            raise PreventUpdate
        if route.mode != MODE:
            return [] if children else no_update  # nothing of it lingers, or fires, elsewhere
        if built_lang(children) == route.lang:
            raise PreventUpdate  # a new choice: the parts stay, the results follow the URL
        now = clock()
        return section(ctx, read_page(search, settings.lang, ctx.terms, now), now)

    @app.callback(
        Output(ids.URL, "search", allow_duplicate=True),
        *[Input(i, "value") for i in ids.PERF_CONTROLS],
        State(ids.URL, "search"),
        prevent_initial_call=True,
    )
    def controls_to_url(period: Any, by: Any, ranked: Any, search: Any) -> Any:
        current = read_page(search, settings.lang, ctx.terms, clock())
        asked = {"lang": current.lang, "period": period, "by": by, "rank": ranked}
        chosen = "?" + urlencode({k: str(v) for k, v in asked.items()})
        page = read_page(chosen, current.lang, ctx.terms, clock())
        wanted = page_search(page)
        return no_update if wanted == search else wanted

    @app.callback(
        Output(ids.PERF_SUMMARY, "children"),
        Output(ids.PERF_TABLE, "rowData"),
        Output(ids.PERF_TABLE, "columnDefs"),
        Output(ids.PERF_RANK_CHART, "figure"),
        Output(ids.PERF_STAGES_CHART, "figure"),
        Output(ids.PERF_ERROR, "children"),
        Input(ids.URL, "search"),
        State(ids.URL, "pathname"),
        prevent_initial_call=True,
    )
    def follow_url(search: Any, pathname: Any) -> tuple[Any, ...]:
        if parse_route(pathname, search, settings.lang).mode != MODE:
            raise PreventUpdate  # the URL left the page; its parts go with the next build
        now = clock()
        return results(ctx, read_page(search, settings.lang, ctx.terms, now), now)
