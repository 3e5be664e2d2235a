"""Fields a file leaves empty that the table fills: each default taken is reported, never
silent (a camera with no status is stored as online, and the report says so)."""

from __future__ import annotations

import psycopg
from psycopg import sql

from twin.catalog import Layer
from twin.db.queries import query
from twin.ingest.bulk import STAGE


def _shown(features: list[int]) -> str:
    return ", ".join(map(str, features[:5])) + (", …" if len(features) > 5 else "")


def _readable(expression: str) -> str:
    # 'online'::text reads better as 'online'; now() stays as it is.
    return expression.split("::", 1)[0]


def fill_stage_defaults(
    conn: psycopg.Connection, layer: Layer, provided: tuple[str, ...]
) -> list[str]:
    """Empty values of the file's columns that the table refuses NULL for: a stored row
    keeps its value, a new row takes the table's default. One note per column and case."""
    table = sql.Identifier(layer.table)
    notes = []
    for name, expression, not_null in conn.execute(
        query("column_defaults"), {"table": layer.table}
    ):
        if name not in provided or not not_null:
            continue
        column = sql.Identifier(name)
        empty = conn.execute(
            sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE {} IS NULL)").format(STAGE, column)
        ).fetchone()
        if not (empty and empty[0]):
            continue  # the usual case: one scan of the stage, no join with the table
        kept = conn.execute(
            sql.SQL(
                "UPDATE {stage} s SET {col} = t.{col} FROM {table} t "
                "WHERE t.code = s.code AND s.{col} IS NULL RETURNING s.feature"
            ).format(stage=STAGE, col=column, table=table)
        ).fetchall()
        if kept:
            features = sorted(f for (f,) in kept)
            notes.append(
                f"{name}: {len(features):,} feature(s) without a value kept the stored one "
                f"(features {_shown(features)})"
            )
        # The expression is the table's own default as PostgreSQL prints it, never input.
        filled = conn.execute(
            sql.SQL(
                "UPDATE {stage} s SET {col} = {default} WHERE s.{col} IS NULL RETURNING s.feature"
            ).format(stage=STAGE, col=column, default=sql.SQL(expression))
        ).fetchall()
        if filled:
            features = sorted(f for (f,) in filled)
            notes.append(
                f"{name}: {len(features):,} feature(s) without a value stored with the default "
                f"{_readable(expression)} (features {_shown(features)})"
            )
    return notes


def missing_field_defaults(
    conn: psycopg.Connection, layer: Layer, provided: tuple[str, ...], inserted: int
) -> list[str]:
    """A note for each catalog field the file lacks that its new rows took a default for."""
    table = "grid" if layer.kind == "grid" else layer.table
    defaults = {
        name: expression
        for name, expression, _ in conn.execute(query("column_defaults"), {"table": table})
    }
    return [
        f"{name}: not in the file; {inserted:,} new feature(s) stored with the default "
        f"{_readable(defaults[name])}"
        for name in layer.field_names
        if name not in provided and name in defaults
    ]
