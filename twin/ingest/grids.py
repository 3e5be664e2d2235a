"""Staging, parent derivation, topology checks and upsert of one level of the hierarchy."""

from __future__ import annotations

import math

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from twin.db.queries import query
from twin.ingest.bulk import STAGE
from twin.ingest.validate import Problem

# Catalog fields of grid layers and the grid table's columns they fill.
GRID_FIELDS = ("code", "name", "parent_code", "officer", "population", "households")
TOLERANCE_M2 = 1.0  # gaps and overlaps smaller than this are float noise, not planning errors
HOLDS = 0.99  # a derived parent holds at least this share of its child's area
TOUCHES = 0.01  # a unit sharing less of a child's area than this is a neighbour, not a parent
ORPHANS = sql.Identifier("twin_stage_orphan")  # the staged units whose parent is to be found


def create_grid_stage(conn: psycopg.Connection) -> None:
    """A temporary stage for one level's units (geometry as hex WKB in WGS 84); derived
    marks a parent the loader found by containment rather than read from the file."""
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(STAGE))
    conn.execute(
        sql.SQL(
            "CREATE TEMP TABLE {} (feature int, code text, name text, parent_code text,"
            " officer text, population int, households int, wkb text,"
            " derived boolean NOT NULL DEFAULT false) ON COMMIT DROP"
        ).format(STAGE)
    )


def levels_above(conn: psycopg.Connection, level: str) -> list[str]:
    """The coarser levels that hold units, nearest first."""
    rows = conn.execute(query("grid_levels_above"), {"level": level}).fetchall()
    return [r[0] for r in rows]


def derive_parents(conn: psycopg.Connection, level: str) -> list[Problem]:
    """Give each staged unit without a parent code the unit above that holds the largest
    share of its area (on the nearest level above that it touches); a problem for each unit
    no parent holds at least HOLDS of. No level above loaded: the units stay under the city."""
    above = levels_above(conn, level)
    if not above:
        return []
    conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(ORPHANS))
    made = conn.execute(
        sql.SQL(
            "CREATE TEMP TABLE {} ON COMMIT DROP AS SELECT feature, code,"
            " ST_GeomFromWKB(decode(wkb, 'hex'), 4326) AS geom FROM {} WHERE parent_code IS NULL"
        ).format(ORPHANS, STAGE)
    )
    rows = []
    if made.rowcount:
        conn.execute(sql.SQL("CREATE INDEX ON {} USING gist (geom)").format(ORPHANS))
        conn.execute(sql.SQL("ANALYZE {}").format(ORPHANS))
        params = {"levels": above, "holds": HOLDS, "touches": TOUCHES}
        with conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(query("grid_derive_parents"), params).fetchall()
    conn.execute(sql.SQL("DROP TABLE {}").format(ORPHANS))
    problems = []
    for r in rows:
        if r["share"] is None:
            reason = f"lies in no {_either(above)}; give its parent_code"
        else:
            most = math.floor(r["share"] * 1000) / 10  # never rounded up to the threshold
            reason = (
                f"no parent holds {HOLDS:.0%} of it: the most is {most:.1f}%, by "
                f"{r['level']} {r['parent']}; give its parent_code"
            )
        problems.append(Problem(r["feature"], r["code"], "parent_code", reason))
    return problems


def check_grids(conn: psycopg.Connection, level: str) -> list[Problem]:
    """Derive the parents the file leaves out, then every way the staged level breaks the
    hierarchy: unknown parents, codes taken at another level, units outside the parent the
    file names, overlaps, and gaps inside such a parent."""
    problems = derive_parents(conn, level)
    above = levels_above(conn, level)
    params = {
        "level": level,
        "above": _either(above) or f"unit above the {level} level (none is loaded)",
        "tolerance_m2": TOLERANCE_M2,
    }
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(query("grid_check_parents"), params).fetchall()
        rows += cur.execute(query("grid_check_topology"), params).fetchall()
        problems += [Problem(r["feature"], r["code"], r["field"], r["reason"]) for r in rows]
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


def upsert_grids(conn: psycopg.Connection, level: str, fields: tuple[str, ...]) -> tuple[int, int]:
    """Move the staged level into the grid table by code; only the fields the file provides
    change on update, and the parent (named or derived) always. Returns (inserted, updated)."""
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
    updates += [sql.SQL("geom = excluded.geom"), sql.SQL("parent_id = excluded.parent_id")]
    # Codes are unique across levels, and the checks made sure a named parent is coarser.
    stmt = sql.SQL(
        "INSERT INTO grid (code, level, parent_id, geom{cols}) "
        "SELECT s.code, %(level)s, p.id,"
        " ST_Multi(ST_GeomFromWKB(decode(s.wkb, 'hex'), 4326)){vals} "
        "FROM {stage} s LEFT JOIN grid p ON p.code = s.parent_code "
        "ORDER BY s.code "
        "ON CONFLICT (code) DO UPDATE SET {updates} "
        "RETURNING xmax = 0"
    ).format(
        cols=sql.SQL("").join(sql.SQL(", {}").format(sql.Identifier(c)) for c in columns),
        vals=sql.SQL("").join(sql.SQL(", {}").format(values[c]) for c in columns),
        stage=STAGE,
        updates=sql.SQL(", ").join(updates),
    )
    rows = conn.execute(stmt, {"level": level}).fetchall()
    conn.execute(sql.SQL("DROP TABLE {}").format(STAGE))
    inserted = sum(1 for (fresh,) in rows if fresh)
    return inserted, len(rows) - inserted


def placement_notes(conn: psycopg.Connection) -> list[str]:
    """What derive_parents did to the stage, in words (nothing when every parent was named)."""
    counts = conn.execute(query("grid_derived_counts")).fetchall()
    if not counts:
        return []
    where = ", ".join(f"{n} under a {level}" for level, n in counts)
    total = sum(n for _, n in counts)
    return [f"{total} unit(s) without a parent_code placed by containment: {where}"]


def adopt_children(conn: psycopg.Connection, level: str) -> list[str]:
    """Re-parent finer units that stand under the city, or under a unit above this level,
    to the unit of this level holding at least HOLDS of them (a level loaded after the
    levels below it); what moved, in words."""
    cur = conn.execute(query("grid_adopt_children"), {"level": level, "holds": HOLDS})
    if not cur.rowcount:
        return []
    return [f"{cur.rowcount} unit(s) of finer levels moved under the {level} units holding them"]


def _either(levels: list[str]) -> str:
    """'community, street or district'."""
    return " or ".join(filter(None, [", ".join(levels[:-1]), *levels[-1:]]))
