"""The unit page's tables in AG Grid: cases paged, sorted and filtered by the server; devices
and children, small and capped, sorted and paged in the browser."""

from __future__ import annotations

from typing import Any, TypeGuard

from dash_ag_grid import AgGrid

from twin.app import ids
from twin.app.i18n import grid_locale, t
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
        # Columns as wide as their words, scrolling sideways in a narrow side panel.
        "autoSizeStrategy": {"type": "fitCellContents"},
    }


def case_columns(text: CatalogText, lang: str) -> list[dict[str, Any]]:
    """The case table's columns; each sorts on the server by SORT_FIELDS."""
    f = text.field
    names = {
        "code": f("incident", "code", lang),
        "category": f("incident", "category", lang),
        "severity": f("incident", "severity", lang),
        "status": f("incident", "status", lang),
        "reported_at": f("incident", "reported_at", lang),
        "age": t("age", lang),
        "time_to_due": t("time_to_due", lang),
    }
    newest_first = {"reported_at": {"sort": "desc"}}  # as the server orders an unsorted request
    return [{"field": k, "headerName": v, **newest_first.get(k, {})} for k, v in names.items()]


def case_grid(text: CatalogText, lang: str) -> AgGrid:
    """The unit's cases: the grid asks the server for each page (infinite row model)."""
    return AgGrid(
        id=ids.INCIDENTS,
        columnDefs=case_columns(text, lang),
        defaultColDef={"sortable": True, "filter": False, "minWidth": 90},
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
    field, flip = SORT_FIELDS.get(str(first.get("colId", "reported_at")), ("reported_at", False))
    return field, (first.get("sort", "desc") == "desc") != flip


def case_filter(request: Any, filters: list[Any], cases: Layer) -> IncidentFilter:
    """The store filter for one AG Grid rows request and the three dropdowns above it (their
    values checked against the cases layer)."""
    offset, limit = page_rows(request)
    field, descending = sort_order(request)
    statuses, categories, severities = (tuple(f or ()) for f in filters)
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
        columnDefs=[{"field": c, "headerName": n} for c, n in columns],
        defaultColDef={"sortable": True, "filter": False, "minWidth": 90},
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
    columns: list[dict[str, Any]] = [
        {"field": "name", "headerName": t("name", lang), "cellRenderer": "UnitLink"},
        *({"field": k, "headerName": t(k, lang)} for k in keys),
    ]
    columns[1]["cellClassRules"] = status_classes
    return AgGrid(
        id=ids.CHILDREN,
        rowData=rows,
        columnDefs=columns,
        defaultColDef={"sortable": True, "filter": False, "minWidth": 80},
        dashGridOptions=_options(lang, 12),
        className="twin-table",
    )
