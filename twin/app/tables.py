"""The unit page's tables in AG Grid: cases paged, sorted and filtered by the server; devices
and children, small and capped, sorted and paged in the browser."""

from __future__ import annotations

from typing import Any, TypeGuard

from dash_ag_grid import AgGrid

from twin.app import ids
from twin.app.i18n import fmt_number, grid_locale, t
from twin.app.views import CatalogText
from twin.catalog import Layer
from twin.store import IncidentFilter

CASE_PAGE_ROWS = 15
MAX_PAGE_ROWS = 500  # the most cases one request may ask for, whatever the client sends

# Case columns that sort by a stored field (age runs opposite to the report time).
SORT_FIELDS = {
    "code": ("code", False),
    "category": ("category", False),
    "severity": ("severity", False),
    "status": ("status", False),
    "reported_at": ("reported_at", False),
    "age": ("reported_at", True),
    "time_to_due": ("due_at", False),
}


# The case table's first filter: open cases (the default), archived ones, or both.
CASE_SCOPES = ("open", "archived", "all")


class PageRequestError(ValueError):
    """A case-table request the server will not answer (rows out of range, not numbers)."""


def _options(lang: str, rows: int) -> dict[str, Any]:
    """What every table shares: a fixed page size, words in lang, height from its rows."""
    return {
        "pagination": True,
        "paginationPageSize": rows,
        "paginationPageSizeSelector": False,
        "domLayout": "autoHeight",
        "suppressMultiSort": True,
        "suppressCellFocus": True,
        "rowHeight": 30,
        "headerHeight": 34,
        "localeText": grid_locale(lang),
        # A cell or header too narrow for its words ends in an ellipsis with the whole text as
        # the browser's own tooltip (a title attribute), so nothing is cut off unseen.
        "enableBrowserTooltips": True,
    }


def fitted(field: str, name: str, flex: float = 1, **extra: Any) -> dict[str, Any]:
    """A column that shares the panel's width by flex: the table never scrolls sideways."""
    return {
        "field": field,
        "headerName": name,
        "headerTooltip": name,
        "tooltipField": field,
        "flex": flex,
    } | extra


# What every column shares: sorting, headers that wrap rather than cut, a floor on width.
COLUMN_DEFAULTS = {
    "sortable": True,
    "filter": False,
    "minWidth": 56,
    "resizable": False,  # flex columns share the width; a dragged one would push it out
    "wrapHeaderText": True,
    "autoHeaderHeight": True,
}


def case_count(total: int, lang: str) -> str:
    """How many cases the table's filters match: 共 1,234 件 / 1,234 cases."""
    return t("case_count_one" if total == 1 else "case_count", lang, n=fmt_number(total, lang))


def case_columns(text: CatalogText, lang: str) -> list[dict[str, Any]]:
    """The case table's columns; each sorts on the server by SORT_FIELDS."""
    f = text.field
    names = {
        "code": f("incident", "code", lang),
        "category": f("incident", "category", lang),
        "severity": f("incident", "severity", lang),
        "status": f("incident", "status", lang),
        "reported_at": f("incident", "reported_at", lang),
        "time_to_due": t("time_to_due", lang),
    }
    # Shares of the width: the deadline and the times need the most room. The age is the
    # report time's tooltip (a column of its own would squeeze the deadline out of 527 px).
    extra: dict[str, dict[str, Any]] = {
        "code": {"flex": 1.2, "cellRenderer": "CaseLink"},  # to /case/<code> (twin_case.js)
        "severity": {"flex": 1.1},
        "status": {"flex": 0.9},
        "reported_at": {"flex": 1.4, "tooltipField": "reported_tip"},
        "time_to_due": {"flex": 1.5, "sort": "asc"},  # as the server orders an unsorted request
    }
    columns = [fitted(k, v, **extra.get(k, {})) for k, v in names.items()]
    # The quick actions its status allows, each asking for confirmation (twin.app.cases).
    actions = t("actions", lang)
    return [
        *columns,
        fitted("actions", actions, 1.4, sortable=False, cellRenderer="CaseActions")
        | {"tooltipField": None, "headerTooltip": actions},
    ]


def case_grid(text: CatalogText, lang: str) -> AgGrid:
    """The unit's cases: the grid asks the server for each page (infinite row model)."""
    return AgGrid(
        id=ids.INCIDENTS,
        columnDefs=case_columns(text, lang),
        defaultColDef=COLUMN_DEFAULTS,
        rowModelType="infinite",
        dashGridOptions=_options(lang, CASE_PAGE_ROWS)
        | {
            "cacheBlockSize": CASE_PAGE_ROWS,  # one request per page
            "maxBlocksInCache": 10,
            "maxConcurrentDatasourceRequests": 1,
            "sortingOrder": ["desc", "asc"],
        },
        rowClassRules={"case-overdue": "params.data && params.data.overdue"},
        className="twin-table",
    )


def page_rows(request: Any) -> tuple[int, int]:
    """The first row and the row count an AG Grid rows request asks for, bounded."""
    start, end = (
        request.get(k) if isinstance(request, dict) else None for k in ("startRow", "endRow")
    )
    if not (_whole(start) and _whole(end)):
        raise PageRequestError(f"startRow and endRow must be whole numbers, not {start!r}, {end!r}")
    if start < 0 or not 1 <= end - start <= MAX_PAGE_ROWS:
        raise PageRequestError(f"rows {start}..{end}: ask for 1..{MAX_PAGE_ROWS} from row 0 on")
    return start, end - start


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def sort_order(request: dict[str, Any]) -> tuple[str, bool]:
    """The stored field and direction (descending?) a request's first sorted column means."""
    sort = request.get("sortModel") or [{}]
    first = sort[0] if isinstance(sort, list) and isinstance(sort[0], dict) else {}
    # Unsorted, the nearest deadline first: overdue cases (due longest ago) lead.
    field, flip = SORT_FIELDS.get(str(first.get("colId", "time_to_due")), ("due_at", False))
    return field, (first.get("sort", "asc") == "desc") != flip


def scope_statuses(scope: Any, chosen: tuple[str, ...], cases: Layer) -> tuple[str, ...] | None:
    """The statuses a scope and the status dropdown leave: () for any, None for none at all."""
    status = cases.field("status")
    scope = CASE_SCOPES[0] if scope is None else scope  # a request without one: the default
    if scope not in CASE_SCOPES:
        raise ValueError(f"unknown case scope {scope!r}; expected one of {', '.join(CASE_SCOPES)}")
    if bad := [c for c in chosen if c not in status.allowed]:
        raise ValueError(f"unknown filter value(s): {', '.join(bad)}")
    if scope == "all":
        return chosen
    wanted = (
        status.open_values
        if scope == "open"
        else tuple(v for v in status.allowed if v not in status.open_values)
    )
    left = tuple(v for v in wanted if not chosen or v in chosen)
    return left or None


def case_filter(
    request: Any, filters: list[Any], cases: Layer, scope: Any = None
) -> IncidentFilter | None:
    """The store filter for one AG Grid rows request, the scope and the three dropdowns above
    it (their values checked against the cases layer); None when no case can match."""
    offset, limit = page_rows(request)
    field, descending = sort_order(request)
    chosen, categories, severities = (tuple(f or ()) for f in filters)
    statuses = scope_statuses(scope, chosen, cases)
    if statuses is None:
        return None
    return IncidentFilter(
        statuses=statuses,
        categories=categories,
        severities=tuple(int(s) for s in severities),
        sort=field,
        descending=descending,
        limit=limit,
        offset=offset,
    ).checked(cases)


def device_grid(
    table_id: str, rows: list[dict[str, Any]], columns: list[tuple[str, str]], lang: str
) -> AgGrid:
    """A device table (already capped by the store): sorted and paged in the browser."""
    return AgGrid(
        id=table_id,
        rowData=rows,
        columnDefs=[fitted(c, n) for c, n in columns],
        defaultColDef=COLUMN_DEFAULTS,
        dashGridOptions=_options(lang, 10),
        className="twin-table",
    )


def children_grid(rows: list[dict[str, Any]], lang: str) -> AgGrid:
    """A unit's children ranked by attention, each name a link to its page."""
    keys = (
        "status",
        "score",
        "open",
        "overdue",
        "open_severity_1",
        "camera_online_rate",
        "reasons",
    )
    status_classes = {f"status-{c}": f"params.data.composite == '{c}'" for c in ("red", "yellow")}
    # The reasons wrap onto more lines (each row as tall as its words): they are the point.
    wide: dict[str, dict[str, Any]] = {
        "name": {"flex": 1.6, "minWidth": 80, "cellRenderer": "UnitLink"},
        "status": {"minWidth": 52},
        "reasons": {"flex": 2.4, "wrapText": True, "autoHeight": True, "minWidth": 110},
    }
    columns = [fitted(k, t(k, lang), **wide.get(k, {})) for k in ("name", *keys)]
    columns[1]["cellClassRules"] = status_classes
    return AgGrid(
        id=ids.CHILDREN,
        rowData=rows,
        columnDefs=columns,
        defaultColDef=COLUMN_DEFAULTS,
        dashGridOptions=_options(lang, 12),
        className="twin-table",
    )
