"""Staging, topology checks and upsert of one level of the grid hierarchy."""

from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from twin.db.queries import query
from twin.ingest.bulk import STAGE
from twin.ingest.validate import Problem

# Catalog fields of grid layers and the grid table's columns they fill.
GRID_FIELDS = ("code", "name", "parent_code", "officer", "population", "households")
TOLERANCE_M2 = 1.0  # gaps and overlaps smaller than this are float noise, not planning errors


def create_grid_stage(conn: psycopg.Connection) -> None:
    """A temporary stage for one level's grids (geometry as hex WKB in WGS 84)."""
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(STAGE))
    conn.execute(
        sql.SQL(
            "CREATE TEMP TABLE {} (feature int, code text, name text, parent_code text,"
            " officer text, population int, households int, wkb text) ON COMMIT DROP"
        ).format(STAGE)
    )


def check_grids(conn: psycopg.Connection, level: str, parent: str | None) -> list[Problem]:
    """Every way the staged level breaks the hierarchy (parent: the catalog's level above):
    unknown parents, codes taken at another level, grids outside their parent, overlaps,
    and gaps inside a parent."""
    params = {"level": level, "parent_level": parent, "tolerance_m2": TOLERANCE_M2}
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query("grid_check_parents"), params).fetchall()
        rows += cur.execute(query("grid_check_topology"), params).fetchall()
        problems = [Problem(r["feature"], r["code"], r["field"], r["reason"]) for r in rows]
        if parent:
            for gap in cur.execute(query("grid_check_gaps"), params):
                problems.append(
                    Problem(
                        None,
                        gap["parent_code"],
                        "geometry",
                        f"gap of {gap['area_m2']} m² inside parent {gap['parent_code']} "
                        f"that no {level} covers, near ({gap['lon']}, {gap['lat']})"
                        + (f", next to {gap['next_to']}" if gap["next_to"] else ""),
                    )
                )
    return problems


def upsert_grids(
    conn: psycopg.Connection, level: str, parent: str | None, fields: tuple[str, ...]
) -> tuple[int, int]:
    """Move the staged level into the grid table by code (parent: the catalog's level above);
    only the fields the file provides change on update. Returns (inserted, updated)."""
    columns = [f for f in fields if f not in ("code", "parent_code")]
    values = {
        "name": sql.SQL("s.name"),
        "officer": sql.SQL("s.officer"),
        "population": sql.SQL("s.population"),
        "households": sql.SQL("s.households"),
    }
    updates: list[sql.Composable] = [
        sql.SQL("{0} = excluded.{0}").format(sql.Identifier(c)) for c in columns
    ]
    updates += [sql.SQL("geom = excluded.geom")]
    if "parent_code" in fields:
        updates.append(sql.SQL("parent_id = excluded.parent_id"))
    stmt = sql.SQL(
        "INSERT INTO grid (code, level, parent_id, geom{cols}) "
        "SELECT s.code, %(level)s, p.id,"
        " ST_Multi(ST_GeomFromWKB(decode(s.wkb, 'hex'), 4326)){vals} "
        "FROM {stage} s LEFT JOIN grid p ON p.code = s.parent_code AND p.level = %(parent)s "
        "ORDER BY s.code "
        "ON CONFLICT (code) DO UPDATE SET {updates} "
        "RETURNING xmax = 0"
    ).format(
        cols=sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(c)) for c in columns),
        vals=sql.SQL("").join(sql.SQL(", {}").format(values[c]) for c in columns),
        stage=STAGE,
        updates=sql.SQL(", ").join(updates),
    )
    rows = conn.execute(stmt, {"level": level, "parent": parent}).fetchall()
    conn.execute(sql.SQL("DROP TABLE {}").format(STAGE))
    inserted = sum(1 for (fresh,) in rows if fresh)
    return inserted, len(rows) - inserted
