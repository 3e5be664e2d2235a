"""The catalog is the one source of levels and enums; the SQL's own copies (constraints, the
level table, partial indexes and the queries that must match them) agree with it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import psycopg

from twin.catalog import Layer, load_catalog
from twin.catalog.check import check_catalog
from twin.catalog.terms import Terms
from twin.settings import Settings

SQL = Path(__file__).resolve().parents[2] / "twin" / "sql"
# A literal list of statuses in SQL: status IN ('a', 'b') or status = ANY (ARRAY['a'::text, ...]).
STATUS_LIST = re.compile(
    r"status\s+(?:NOT\s+)?IN\s*\(([^)]*)\)|status\s*=\s*ANY\s*\(ARRAY\[([^\]]*)\]",
    re.IGNORECASE,
)
QUOTED = re.compile(r"'([^']*)'")


def literal_status_lists(text: str) -> list[set[str]]:
    """Every literal list of quoted statuses in a SQL text."""
    return [set(QUOTED.findall(a or b)) for a, b in STATUS_LIST.findall(text)]


def test_the_built_in_catalog_matches_the_database(
    conn: psycopg.Connection, layers: dict[str, Layer]
) -> None:
    # Levels (grid_level), every enum's CHECK or foreign key, the count columns.
    assert check_catalog(conn, layers) == []
    terms = Terms.of(layers)
    stored = conn.execute("SELECT status FROM incident_status WHERE is_open ORDER BY stage")
    assert tuple(r[0] for r in stored) == terms.open_statuses


def test_layers_check_names_an_enum_or_level_the_database_does_not_hold(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    target = tmp_path / "layers"
    shutil.copytree(Settings().layers_dir, target)
    camera = target / "camera.toml"
    camera.write_text(
        camera.read_text("utf-8").replace('value = "fault"', 'value = "broken"'), "utf-8"
    )
    incident = target / "incident.toml"
    incident.write_text(
        incident.read_text("utf-8").replace('value = "closed"', 'value = "archived"'), "utf-8"
    )
    grid = target / "grid.toml"
    grid.write_text(grid.read_text("utf-8").replace('parent = "community"', ""), "utf-8")
    (target / "community.toml").unlink()
    (target / "street.toml").unlink()
    (target / "district.toml").unlink()
    errors = check_catalog(conn, load_catalog(target))
    assert errors == [
        "layers/camera.toml (camera): field 'status': the database allows fault, offline,"
        " online, the catalog broken, offline, online",
        "layers/camera.toml (camera): grid_stat has no count column 'camera_status_broken'",
        "layers/grid.toml (grid): level 'grid' has the parent None here but 'community' in"
        " grid_level",
        "layers/incident.toml (incident): field 'status': the database allows closed,"
        " dispatched, escalated, in_progress, reported, resolved, the catalog archived,"
        " dispatched, escalated, in_progress, reported, resolved",
        "layers/incident.toml (incident): grid_stat has no count column 'incident_status_archived'",
        "the catalog's levels are grid; grid_level holds district, street, community, grid",
    ]


def test_sql_that_names_open_statuses_names_the_catalogs(
    conn: psycopg.Connection, layers: dict[str, Layer]
) -> None:
    """Partial indexes need the statuses as literals (DESIGN): each such list, in the
    migrations, the queries, the benchmark and the live indexes and count predicates, is the
    open set."""
    open_statuses = set(Terms.of(layers).open_statuses)
    all_statuses = set(layers["incident"].field("status").allowed)
    lists: list[tuple[str, set[str]]] = []
    # The benchmark's naive queries spell the statuses out too, as a naive reader would.
    for path in [*sorted(SQL.glob("*/*.sql")), *sorted((SQL.parent / "bench").glob("*.py"))]:
        lists += [(path.name, found) for found in literal_status_lists(path.read_text("utf-8"))]
    for name, definition in conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'incident'"
    ):
        lists += [(name, found) for found in literal_status_lists(definition)]
    for name, predicate in conn.execute("SELECT name, predicate FROM twin_stat_column"):
        lists += [(name, found) for found in literal_status_lists(predicate)]
    checked = 0
    for name, found in lists:
        if not found & all_statuses:  # a camera's or sensor's (layers check compares those)
            continue
        if found <= {"resolved", "closed"}:  # the lifecycle's own checks on closed cases
            continue
        assert found == open_statuses, (name, sorted(found))
        checked += 1
    assert checked > 10  # the partial indexes, the overdue reads, the open counts


def test_the_literal_finder_finds_both_spellings() -> None:
    sql = "WHERE status IN ('a', 'b') AND x AND status = ANY (ARRAY['c'::text])"
    assert literal_status_lists(sql) == [{"a", "b"}, {"c"}]  # ANY(ARRAY[...]): pg_indexes'

    assert literal_status_lists("i.status IN ('reported')") == [{"reported"}]
