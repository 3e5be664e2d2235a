"""`twin layers check`: the catalog against the live database."""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

from twin.catalog.model import Layer
from twin.catalog.terms import Terms
from twin.reference.check import check_reference

COMPATIBLE = {
    "text": {"text", "character varying"},
    "enum": {"text", "character varying", "smallint", "integer", "bigint"},
    "int": {"smallint", "integer", "bigint"},
    "float": {"double precision", "real", "numeric"},
    "bool": {"boolean"},
    "timestamp": {"timestamp with time zone"},
}
# The geometry column's declared type per layer kind: a reference layer's table holds every
# shape (the catalog's `geometry` is checked on the rows, by twin.reference.check).
GEOMETRY_TYPE = {"point": "POINT", "grid": "MULTIPOLYGON", "reference": "Geometry"}
# Grid-layer fields stored under another name (the parent is a reference, not a code).
GRID_COLUMN = {"parent_code": "parent_id"}


def check_layer(conn: psycopg.Connection, layer: Layer) -> list[str]:
    """Every way the database differs from what the layer file says."""
    where = f"{layer.source} ({layer.name})"
    columns: dict[str, str] = dict(
        conn.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s",
            [layer.table],
        ).fetchall()
    )
    if not columns:
        hint = " (a new point layer's table is created by its first `twin load`)"
        return [
            f"{where}: table {layer.table!r} does not exist{hint if layer.kind == 'point' else ''}"
        ]
    errors = []
    for f in layer.fields:
        column = GRID_COLUMN.get(f.name, f.name) if layer.kind == "grid" else f.name
        if column not in columns:
            errors.append(f"{where}: field {f.name!r}: no column {column!r} in {layer.table}")
        elif column == f.name and columns[column] not in COMPATIBLE[f.type]:
            errors.append(
                f"{where}: field {f.name!r} is {f.type} but the column is {columns[column]}"
            )
    geom = conn.execute(
        # geometry_columns reads a type out of a CHECK that names one: the reference table's
        # CHECK names six, so its declared type (the typmod) is read instead.
        "SELECT postgis_typmod_type(atttypmod), postgis_typmod_srid(atttypmod)"
        " FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attname = 'geom'"
        if layer.kind == "reference"
        else "SELECT type, srid FROM geometry_columns WHERE f_table_schema = current_schema() "
        "AND f_table_name = %s AND f_geometry_column = 'geom'",
        [layer.table],
    ).fetchone()
    want = (GEOMETRY_TYPE[layer.kind], 4326)
    if geom is None or tuple(geom) != want:
        errors.append(f"{where}: geometry should be {want[0]} in EPSG:{want[1]}, found {geom}")
    if layer.kind == "grid":
        level = conn.execute(
            "SELECT parent FROM grid_level WHERE level = %s", [layer.level]
        ).fetchone()
        if level is None:
            errors.append(f"{where}: level {layer.level!r} is not in grid_level")
        elif level[0] != layer.parent:
            errors.append(
                f"{where}: level {layer.level!r} has the parent {layer.parent!r} here but"
                f" {level[0]!r} in grid_level"
            )
    elif layer.kind == "reference":
        if "layer" not in columns:
            errors.append(f"{where}: no column 'layer' in {layer.table}")
    else:
        errors += [
            f"{where}: field {f.name!r}: the database allows {', '.join(sorted(db))}, the"
            f" catalog {', '.join(sorted(f.allowed))}"
            for f in layer.fields
            if f.type == "enum" and f.name in columns
            for db in [enum_in_database(conn, layer.table, f.name)]
            if db is not None and db != set(f.allowed)
        ]
    if layer.kind == "point" and layer.rollup:
        stat = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM twin_stat_column WHERE layer = %s", [layer.table]
            )
        }
        for column in layer.stat_columns():
            if column not in stat:
                errors.append(f"{where}: grid_stat has no count column {column!r}")
    return errors


def enum_in_database(conn: psycopg.Connection, table: str, column: str) -> set[str] | None:
    """The values the database lets a column hold, when it says: the quoted values of a
    CHECK on that column alone (col IN (...)), or the keys of the table a foreign key names.
    None when neither is there (a numeric range, say, is not compared)."""
    rows = conn.execute(
        "SELECT c.contype, pg_get_constraintdef(c.oid), c.confrelid::regclass::text,"
        " (SELECT attname FROM pg_attribute WHERE attrelid = c.confrelid"
        "  AND attnum = c.confkey[1])"
        " FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid"
        " AND a.attnum = c.conkey[1]"
        " WHERE c.conrelid = to_regclass(%s) AND cardinality(c.conkey) = 1"
        " AND a.attname = %s AND c.contype IN ('c', 'f')",
        [table, column],
    ).fetchall()
    for kind, definition, ref_table, ref_column in rows:
        if kind == "f":
            found = conn.execute(
                sql.SQL("SELECT {}::text FROM {}").format(
                    sql.Identifier(ref_column), sql.Identifier(ref_table)
                )
            )
            return {r[0] for r in found}
        values = re.findall(r"'((?:[^']|'')*)'", definition)
        if values:
            return {v.replace("''", "'") for v in values}
    return None


def check_levels(conn: psycopg.Connection, layers: dict[str, Layer]) -> list[str]:
    """Whether grid_level holds the catalog's levels and no other."""
    stored = [r[0] for r in conn.execute("SELECT level FROM grid_level ORDER BY depth")]
    levels = Terms.of(layers).levels
    if stored == list(levels):
        return []
    return [f"the catalog's levels are {', '.join(levels)}; grid_level holds {', '.join(stored)}"]


def check_catalog(conn: psycopg.Connection, layers: dict[str, Layer]) -> list[str]:
    """check_layer for every layer, then the levels as a whole, then what the reference
    table holds."""
    errors = [e for layer in layers.values() for e in check_layer(conn, layer)]
    return errors + check_levels(conn, layers) + check_reference(conn, layers)
