"""One unit's drill-down in one round trip: the statement, and frames built from its JSON.

The head (unit, lineage, counts, children) is twin/sql/queries/unit_detail.sql; the case page
and each device layer's points are composed here, because their columns and order come from
the filter and the catalog. fetch_incidents and fetch_unit_points run the same statements on
their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from psycopg import sql

from twin.catalog import Layer
from twin.db.queries import query

if TYPE_CHECKING:
    from twin.store import IncidentFilter

INCIDENT_COLUMNS = (
    "code",
    "category",
    "severity",
    "source",
    "status",
    "reported_at",
    "dispatched_at",
    "started_at",
    "escalated_at",
    "resolved_at",
    "closed_at",
    "due_at",
    "department",
)
# The case page's columns in the drill-down statement (each an array, named with the prefix).
CASE_COLUMNS = (*INCIDENT_COLUMNS, "lon", "lat", "total")
CASE_PREFIX = "case_"
# Where the one-round-trip statement finds the unit (its code is the only parameter).
UNIT_BY_CODE = sql.SQL("(SELECT id FROM grid WHERE code = %(code)s)")


def point_list_fields(layer: Layer) -> tuple[str, ...]:
    """The fields a list of a layer's points shows: its code and what its popup shows."""
    return tuple(dict.fromkeys(("code", *layer.style.popup)))


def incident_where(flt: IncidentFilter, prefix: str = "") -> tuple[sql.Composable, dict[str, Any]]:
    """The filter's conditions on incident i of unit u, and their parameters (named with
    prefix, so two statements can share one parameter set)."""
    where: list[sql.Composable] = [sql.SQL("i.grid_id = u.grid_id")]
    params: dict[str, Any] = {}
    for column, values in (
        ("status", flt.statuses),
        ("category", flt.categories),
        ("severity", flt.severities),
    ):
        if values:
            where.append(
                sql.SQL("{} = ANY({})").format(
                    sql.Identifier("i", column), sql.Placeholder(prefix + column)
                )
            )
            params[prefix + column] = list(values)
    return sql.SQL(" AND ").join(where), params


def incident_page_sql(
    flt: IncidentFilter, unit: sql.Composable, prefix: str = ""
) -> tuple[sql.Composed, dict[str, Any]]:
    """A page of a unit's incidents and how many match: INCIDENT_COLUMNS, lon, lat, id,
    total and k (the sort key), in the page's order; unit is the SQL of the unit's id."""
    where, params = incident_where(flt, prefix)
    params |= {prefix + "limit": flt.limit, prefix + "offset": flt.offset}
    # Driven unit by unit through (grid_id, reported_at): with a LIMIT the planner would
    # otherwise walk the city-wide reported_at index past a million rows (2.8 s for a street).
    direction = sql.SQL("DESC" if flt.descending else "ASC")
    # In report order, each unit needs only its first offset + limit cases, straight from the
    # (grid_id, reported_at) index; the count then reads no heap rows it need not.
    per_unit: sql.Composable = sql.SQL("")
    if flt.sort == "reported_at":
        per_unit = sql.SQL("ORDER BY i.reported_at {} LIMIT {}").format(
            direction, sql.Placeholder(prefix + "depth")
        )
        params[prefix + "depth"] = flt.offset + flt.limit
    stmt = sql.SQL(
        "WITH units AS MATERIALIZED ("
        "  SELECT grid_id FROM grid_ancestor WHERE ancestor_id = {unit}),"
        " hits AS MATERIALIZED ("  # only the id and the sort key: a district has 100k+ cases
        "  SELECT i.id, i.k FROM units u"
        "  CROSS JOIN LATERAL"
        "    (SELECT i.id, i.{sort} AS k FROM incident i WHERE {where} {per_unit}) i),"
        " page AS (SELECT id, k FROM hits ORDER BY k {direction}, id"
        "  LIMIT {limit} OFFSET {offset})"
        " SELECT {cols}, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.id,"
        "  (SELECT count(*) FROM units u CROSS JOIN LATERAL"
        "    (SELECT 1 FROM incident i WHERE {where}) x) AS total, p.k"
        " FROM page p JOIN incident i ON i.id = p.id ORDER BY p.k {direction}, p.id"
    ).format(
        unit=unit,
        cols=sql.SQL(", ").join(sql.Identifier("i", c) for c in INCIDENT_COLUMNS),
        where=where,
        per_unit=per_unit,
        sort=sql.Identifier(flt.sort),
        direction=direction,
        limit=sql.Placeholder(prefix + "limit"),
        offset=sql.Placeholder(prefix + "offset"),
    )
    return stmt, params


def unit_points_sql(
    layer: Layer, unit: sql.Composable, prefix: str = ""
) -> tuple[sql.Composed, dict[str, Any]]:
    """A point layer's list fields, lon and lat inside a unit, and rank (NULL for a layer
    without attention values): those needing attention first, then by code. The limit is
    the parameter prefix + 'limit'; unit is the SQL of the unit's id."""
    fields = point_list_fields(layer)
    colour = layer.style.color_by
    attention = list(layer.field(colour).attention_values) if colour else []
    rank: sql.Composable = sql.SQL("NULL::integer")
    if colour and attention:
        rank = sql.SQL("array_position({}::text[], p.{}::text)").format(
            sql.Placeholder(prefix + "attention"), sql.Identifier(colour)
        )
    stmt = sql.SQL(
        "SELECT {cols}, ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat, {rank} AS rank"
        " FROM {table} p JOIN grid_ancestor a ON a.grid_id = p.grid_id"
        " WHERE a.ancestor_id = {unit} ORDER BY rank NULLS LAST, p.code LIMIT {limit}"
    )
    return stmt.format(
        cols=sql.SQL(", ").join(sql.Identifier("p", f) for f in fields),
        rank=rank,
        table=sql.Identifier(layer.table),
        unit=unit,
        limit=sql.Placeholder(prefix + "limit"),
    ), {prefix + "attention": attention}


# Composing and rendering the statement costs about 1 ms of Python, and the driver's parse of
# its named placeholders more than the rest of the page's Python: both done once per shape.
_RENDERED: dict[tuple[Any, ...], tuple[str, tuple[str, ...], dict[str, Any]]] = {}
_NAMED = re.compile(r"%\((\w+)\)s")


def detail_statement(
    children: bool, devices: Sequence[Layer], flt: IncidentFilter | None, device_limit: int
) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """detail_sql rendered for a raw cursor, kept per shape (the layers' list fields and
    attention values, the filter, the limit): the text with $1, $2, ... placeholders, the
    parameter each stands for, and the parameters known so far (code and at are the
    caller's). A page is drawn with the same few shapes again and again."""
    key = (
        children,
        tuple((d.name, d.table, point_list_fields(d), _attention(d)) for d in devices),
        flt,
        device_limit,
    )
    if key not in _RENDERED:
        if len(_RENDERED) > 256:  # filters come from clients: keep the cache bounded
            _RENDERED.clear()
        stmt, params = detail_sql(children, devices, flt, device_limit)
        names: dict[str, int] = {}
        text = _NAMED.sub(
            lambda m: f"${names.setdefault(m.group(1), len(names) + 1)}", stmt.as_string()
        )
        _RENDERED[key] = (text.replace("%%", "%"), tuple(names), params)
    text, order, params = _RENDERED[key]
    return text, order, dict(params)


def _attention(layer: Layer) -> tuple[str | None, tuple[str, ...]]:
    colour = layer.style.color_by
    return colour, tuple(layer.field(colour).attention_values) if colour else ()


def detail_sql(
    children: bool, devices: Sequence[Layer], flt: IncidentFilter | None, device_limit: int
) -> tuple[sql.Composed, dict[str, Any]]:
    """The whole drill-down as one statement returning one row of JSON (none: no such unit):
    unit_detail's columns, children (unit_children's; NULL when not asked or none), devices
    ({layer: rows as arrays of its list fields, lon, lat}) and, unless flt is None, the case
    page column by column: an array for each of CASE_COLUMNS, named with CASE_PREFIX, in the
    page's order (NULL when nothing matches)."""
    params: dict[str, Any] = {}
    incidents: sql.Composable = sql.SQL("")
    if flt is not None:
        page, params = incident_page_sql(flt, UNIT_BY_CODE, "case_")
        # Typed arrays, not JSON: the driver reads a page's timestamps in C, where parsing
        # them from JSON text in Python cost more than the query. The page comes sorted, and
        # a plain aggregate over one subquery keeps its order: an ORDER BY in each of the 16
        # aggregates would sort the page 16 times (PostgreSQL 15 sorts each apart).
        incidents = sql.SQL(
            " LEFT JOIN LATERAL (SELECT {cols} FROM ({page}) x) cases ON true"
        ).format(
            cols=sql.SQL(", ").join(
                sql.SQL("array_agg({}) AS {}").format(
                    sql.Identifier("x", c), sql.Identifier(CASE_PREFIX + c)
                )
                for c in CASE_COLUMNS
            ),
            page=page,
        )
    found: list[sql.Composable] = []
    for n, layer in enumerate(devices):
        points, more = unit_points_sql(layer, UNIT_BY_CODE, f"device{n}_")
        params |= more | {f"device{n}_limit": device_limit}
        cols = [*point_list_fields(layer), "lon", "lat"]
        found += [
            sql.Literal(layer.name),
            sql.SQL(
                "(SELECT coalesce(json_agg(json_build_array({cols})"
                " ORDER BY x.rank NULLS LAST, x.code), '[]') FROM ({points}) x)"
            ).format(cols=sql.SQL(", ").join(sql.Identifier("x", c) for c in cols), points=points),
        ]
    stmt = sql.SQL(
        "WITH head AS ({head}) SELECT head.*, {children} AS children,"
        " json_build_object({found}) AS devices{cases} FROM head{incidents}"
    ).format(
        head=_named("unit_detail"),
        children=sql.SQL("({})").format(_named("unit_children")) if children else sql.NULL,
        incidents=incidents,
        cases=sql.SQL("").join(
            sql.SQL(", cases.{}").format(sql.Identifier(CASE_PREFIX + c))
            for c in (CASE_COLUMNS if flt is not None else ())
        ),
        found=sql.SQL(", ").join(found),
    )
    return stmt, params


def _named(name: str) -> sql.SQL:
    """A named query as a part of a composed statement (its header kept, its ; dropped)."""
    return sql.SQL(query(name).rstrip().removesuffix(";") + "\n")


def to_records(
    rows: Sequence[Sequence[Any]], columns: Sequence[str], times: frozenset[str], tz: tzinfo
) -> list[dict[str, Any]]:
    """JSON rows as records of the values a cursor would give: the columns in times hold ISO
    timestamps, read back as datetimes in tz (no frame: pandas would cost more than the
    query for a page of 50 rows)."""
    stamps = [i for i, c in enumerate(columns) if c in times]
    out = []
    for row in rows:
        values = list(row)
        for i in stamps:
            if values[i] is not None:
                values[i] = datetime.fromisoformat(values[i]).astimezone(tz)
        out.append(dict(zip(columns, values, strict=True)))
    return out
