"""`twin db verify`: recount every grid_stat column and every point's unit from scratch and
compare with what the incremental machinery (write-time assignment, stat triggers) stored."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from twin.catalog.model import Layer
from twin.db.queries import query
from twin.reference.check import check_reference

UNASSIGNED = "(unassigned)"
STALE = (
    "counting trigger: its body is not the one twin_stat_column gives "
    "(SELECT twin_stat_compile() rewrites it)"
)

# Counts per unit from the layer's rows alone: the closure is derived from grid.parent_id
# here (not read from grid_ancestor, which the triggers maintain), and each column counts
# its predicate. Rows are counted where their stored grid_id puts them; whether that grid_id
# is right is the assignment check's question.
RECOUNT = sql.SQL("""
    WITH RECURSIVE up AS (
        SELECT id AS grid_id, id AS ancestor_id, parent_id FROM grid
        UNION ALL
        SELECT up.grid_id, g.id, g.parent_id FROM up JOIN grid g ON g.id = up.parent_id
    ), recount AS (
        SELECT coalesce(up.ancestor_id, 0) AS grid_id, {counts}
        FROM {layer} r LEFT JOIN up ON up.grid_id = r.grid_id
        GROUP BY 1
    ), units AS (
        SELECT id FROM grid UNION SELECT 0
    )
    SELECT coalesce(g.code, {unassigned}), m.col, m.stored, m.recounted
    FROM units u
    LEFT JOIN grid g ON g.id = u.id
    LEFT JOIN grid_stat s ON s.grid_id = u.id
    LEFT JOIN recount c ON c.grid_id = u.id
    CROSS JOIN LATERAL (VALUES {pairs}) m (col, stored, recounted)
    WHERE m.stored IS DISTINCT FROM m.recounted
    ORDER BY u.id <> 0, g.code, m.col
""")

# Each point's stored unit against the one the assignment rule names now (whatever
# twin_grid_at's definition is), as codes.
MISASSIGNED = sql.SQL("""
    SELECT p.code, coalesce(s.code, '#' || p.grid_id), c.code
    FROM (SELECT code, grid_id, twin_grid_at(geom) AS correct_id FROM {layer}) p
    LEFT JOIN grid s ON s.id = p.grid_id
    LEFT JOIN grid c ON c.id = p.correct_id
    WHERE p.grid_id IS DISTINCT FROM p.correct_id
    ORDER BY p.code
""")


@dataclass(frozen=True)
class CountDrift:
    """A unit's stored count that its rows do not give (stored None: no grid_stat row)."""

    unit: str
    column: str
    stored: int | None
    recounted: int

    def __str__(self) -> str:
        stored = "no row" if self.stored is None else f"{self.stored:,}"
        return (
            f"count: unit {self.unit}, column {self.column}: stored {stored}, "
            f"recounted {self.recounted:,}"
        )


@dataclass(frozen=True)
class Misassigned:
    """A point whose stored unit is not the one the assignment rule gives it."""

    layer: str
    code: str
    stored: str | None
    correct: str | None

    def __str__(self) -> str:
        return (
            f"assignment: {self.layer} {self.code}: stored in {self.stored or UNASSIGNED}, "
            f"belongs to {self.correct or UNASSIGNED}"
        )


@dataclass
class Verification:
    """What was recounted, and every disagreement found."""

    units: int = 0
    columns: int = 0
    points: int = 0
    layers: int = 0
    drifts: list[CountDrift] = field(default_factory=list)
    misassigned: list[Misassigned] = field(default_factory=list)
    reference: list[str] = field(default_factory=list)  # reference features the catalog refuses
    stale_trigger: bool = False  # the counting trigger counts other columns than listed

    @property
    def problems(self) -> list[CountDrift | Misassigned | str]:
        """Every disagreement: a stale counting trigger, counts, points, reference features."""
        stale = [STALE] if self.stale_trigger else []
        reference = [f"reference: {r}" for r in self.reference]
        return [*stale, *self.drifts, *self.misassigned, *reference]

    def summary(self) -> str:
        """One line: what was checked and whether it all agrees."""
        checked = (
            f"{self.units:,} units × {self.columns} counts and {self.points:,} points "
            f"in {self.layers} layers"
        )
        if not self.problems:
            return f"verified {checked}: all agree"
        return f"{len(self.problems):,} problem(s) in {checked}"


def verify(conn: psycopg.Connection, layers: Mapping[str, Layer] | None = None) -> Verification:
    """Recount every count column and every assignment in one snapshot of the store; with a
    catalog, also check the reference features against its reference layers."""
    result = Verification()
    with conn.transaction():
        # One snapshot for every query: a write landing between two of them cannot look
        # like drift.
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        row = conn.execute(query("verify_sizes")).fetchone()
        result.units = int(row[0]) if row else 0
        columns: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for layer, name, predicate in conn.execute(query("verify_stat_columns")):
            columns[layer].append((name, predicate))
        result.columns = sum(len(c) for c in columns.values())
        current = conn.execute(query("verify_stat_trigger")).fetchone()
        result.stale_trigger = not (current and current[0])
        for layer, counted in columns.items():
            result.drifts += recount(conn, layer, counted)
        tables = [r[0] for r in conn.execute(query("verify_point_tables"))]
        result.layers = len(tables)
        for layer in tables:
            found, points = reassign(conn, layer)
            result.misassigned += found
            result.points += points
        if layers is not None:
            result.reference = check_reference(conn, layers)
    return result


def recount(
    conn: psycopg.Connection, layer: str, columns: list[tuple[str, str]]
) -> list[CountDrift]:
    """The units where a layer's stored counts and its recount differ, per column."""
    # Predicates are SQL the migrations and the catalog wrote into twin_stat_column (only
    # the owner can), the same text the stat triggers evaluate.
    counts = sql.SQL(", ").join(
        sql.SQL("count(*) FILTER (WHERE {}) AS {}").format(sql.SQL(pred), sql.Identifier(name))
        for name, pred in columns
    )
    pairs = sql.SQL(", ").join(
        sql.SQL("({}, s.{}, coalesce(c.{}, 0))").format(
            sql.Literal(name), sql.Identifier(name), sql.Identifier(name)
        )
        for name, _ in columns
    )
    stmt = RECOUNT.format(
        counts=counts, layer=sql.Identifier(layer), unassigned=sql.Literal(UNASSIGNED), pairs=pairs
    )
    return [
        CountDrift(unit, column, None if stored is None else int(stored), int(recounted))
        for unit, column, stored, recounted in conn.execute(stmt)
    ]


def reassign(conn: psycopg.Connection, layer: str) -> tuple[list[Misassigned], int]:
    """A layer's points whose stored unit is wrong, and how many points were checked."""
    found = [
        Misassigned(layer, code, stored, correct)
        for code, stored, correct in conn.execute(MISASSIGNED.format(layer=sql.Identifier(layer)))
    ]
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(layer))).fetchone()
    return found, int(row[0]) if row else 0
