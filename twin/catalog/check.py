"""`twin layers check`: the catalog against the live database."""

from __future__ import annotations

import psycopg

from twin.catalog import Layer

COMPATIBLE = {
    "text": {"text", "character varying"},
    "enum": {"text", "character varying", "smallint", "integer", "bigint"},
    "int": {"smallint", "integer", "bigint"},
    "float": {"double precision", "real", "numeric"},
    "bool": {"boolean"},
    "timestamp": {"timestamp with time zone"},
}
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
        "SELECT type, srid FROM geometry_columns WHERE f_table_schema = current_schema() "
        "AND f_table_name = %s AND f_geometry_column = 'geom'",
        [layer.table],
    ).fetchone()
    want = ("POINT" if layer.kind == "point" else "MULTIPOLYGON", 4326)
    if geom is None or tuple(geom) != want:
        errors.append(f"{where}: geometry should be {want[0]} in EPSG:{want[1]}, found {geom}")
    if layer.kind == "grid":
        level = conn.execute("SELECT 1 FROM grid_level WHERE level = %s", [layer.level]).fetchone()
        if level is None:
            errors.append(f"{where}: level {layer.level!r} is not in grid_level")
    elif layer.rollup:
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


def check_catalog(conn: psycopg.Connection, layers: dict[str, Layer]) -> list[str]:
    """check_layer for every layer."""
    return [e for layer in layers.values() for e in check_layer(conn, layer)]
