"""Counts no writer can make drift: TRUNCATE zeroes them, and the bulk loader's session
switches are honoured for the bulk loader alone, never for an ordinary role that sets them."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo, sql

from tests.db.test_new_layer import HYDRANT
from tests.gridworld import add_incident, point
from twin.catalog import load_catalog
from twin.ingest.bulk import begin_bulk, end_bulk
from twin.ingest.schema import create_point_table
from twin.settings import Settings


def counts(conn: psycopg.Connection, column: str = "incidents") -> dict[str, int]:
    """A grid_stat column per unit code ('' for the unassigned row)."""
    rows = conn.execute(
        sql.SQL(
            "SELECT coalesce(g.code, ''), s.{} FROM grid_stat s"
            " LEFT JOIN grid g ON g.id = s.grid_id"
        ).format(sql.Identifier(column))
    ).fetchall()
    return dict(rows)


@pytest.fixture
def writer_url(conn: psycopg.Connection, db_url: str) -> Iterator[str]:
    """A login role that may read, insert and update incidents and nothing else (no superuser)."""
    role, password = f"twin_writer_{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    conn.execute(
        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(password)
        )
    )
    grant = sql.SQL("GRANT SELECT, INSERT, UPDATE ON incident TO {}")
    conn.execute(grant.format(sql.Identifier(role)))
    try:
        yield conninfo.make_conninfo(db_url, user=role, password=password)
    finally:
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def writer_insert(
    url: str, code: str, x: float, y: float, settings: dict[str, str], grid_id: int | None = None
) -> None:
    """One incident inserted by the ordinary role, with session settings (and a grid_id)."""
    with psycopg.connect(url) as w:
        for name, value in settings.items():
            w.execute(sql.SQL("SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
        w.execute(
            "INSERT INTO incident (code, category, severity, source, due_at, geom, grid_id)"
            " VALUES (%s, 'sanitation', 3, 'patrol', now() + interval '1 day', %s, %s)",
            [code, point(x, y), grid_id],
        )


def test_truncate_of_a_point_table_zeroes_its_counts(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    add_incident(conn, "E1", 0.5, 0.5)
    add_incident(conn, "E2", 5.0, 5.0)  # unassigned
    conn.execute("INSERT INTO camera (code, name, geom) VALUES ('K1', 'k', %s)", [point(0.5, 0.5)])
    assert counts(conn)["G1"] == 1 and counts(conn)["D"] == 1 and counts(conn)[""] == 1
    conn.execute("TRUNCATE incident")
    assert set(counts(conn).values()) == {0}
    assert set(counts(conn, "open").values()) == {0}
    assert counts(conn, "cameras")["G1"] == 1  # other layers keep theirs
    add_incident(conn, "E3", 0.5, 0.5)
    assert counts(conn)["G1"] == 1


def test_an_ordinary_writer_setting_defer_stats_is_still_counted(
    conn: psycopg.Connection, world: dict[str, int], writer_url: str
) -> None:
    writer_insert(writer_url, "W1", 0.5, 0.5, {"twin.defer_stats": "on"})
    assert counts(conn)["G1"] == 1
    assert counts(conn)["D"] == 1


def test_an_ordinary_writer_cannot_forge_the_bulk_mark(
    conn: psycopg.Connection, world: dict[str, int], writer_url: str
) -> None:
    with psycopg.connect(writer_url) as w, pytest.raises(psycopg.errors.InsufficientPrivilege):
        w.execute("INSERT INTO twin_bulk_txn VALUES (pg_current_xact_id())")
    with psycopg.connect(writer_url) as w:
        # A temporary table of the same name shadows nothing the triggers read.
        w.execute("CREATE TEMP TABLE twin_bulk_txn (xid xid8)")
        w.execute("INSERT INTO twin_bulk_txn VALUES (pg_current_xact_id())")
        w.execute("SET LOCAL twin.defer_stats = 'on'")
        w.execute("SET LOCAL twin.bulk_assigned = 'on'")
        w.execute(
            "INSERT INTO incident (code, category, severity, source, due_at, geom)"
            " VALUES ('W2', 'sanitation', 3, 'patrol', now() + interval '1 day', %s)",
            [point(1.5, 0.5)],
        )
    assert counts(conn)["G2"] == 1
    got = conn.execute("SELECT grid_id FROM incident WHERE code = 'W2'").fetchone()
    assert got == (world["G2"],)


def test_an_ordinary_writer_setting_bulk_assigned_still_gets_the_rule(
    conn: psycopg.Connection, world: dict[str, int], writer_url: str
) -> None:
    wrong = world["G3"]
    writer_insert(writer_url, "W1", 0.5, 0.5, {"twin.bulk_assigned": "on"}, grid_id=wrong)
    assert conn.execute("SELECT grid_id FROM incident WHERE code = 'W1'").fetchone() == (
        world["G1"],
    )
    assert (counts(conn)["G1"], counts(conn)["G3"], counts(conn)["C"]) == (1, 0, 1)
    # An update that forges a grid is put right the same way.
    with psycopg.connect(writer_url) as w:
        w.execute("SET twin.bulk_assigned = 'on'")
        w.execute("UPDATE incident SET grid_id = %s WHERE code = 'W1'", [wrong])
    assert conn.execute("SELECT grid_id FROM incident WHERE code = 'W1'").fetchone() == (
        world["G1"],
    )
    assert (counts(conn)["G1"], counts(conn)["G3"], counts(conn)[""]) == (1, 0, 0)


def test_the_bulk_loader_still_skips_the_per_row_work(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    # Inside a marked transaction the switches hold: a grid given by the (set-based) bulk
    # path is kept as given, and deferred counts stay unwritten until the recount.
    with conn.transaction():
        marked = begin_bulk(conn)
        conn.execute("SET LOCAL twin.bulk_assigned = 'on'")
        conn.execute("SET LOCAL twin.defer_stats = 'on'")
        conn.execute(
            "INSERT INTO incident (code, category, severity, source, due_at, geom, grid_id)"
            " VALUES ('B1', 'sanitation', 3, 'patrol', now() + interval '1 day', %s, %s)",
            [point(0.5, 0.5), world["G2"]],
        )
        assert counts(conn)["G2"] == 0 and counts(conn)["G1"] == 0
        end_bulk(conn, marked)
    assert conn.execute("SELECT grid_id FROM incident WHERE code = 'B1'").fetchone() == (
        world["G2"],
    )
    assert conn.execute("SELECT count(*) FROM twin_bulk_txn").fetchone() == (0,)


def test_a_catalog_layer_gets_the_same_guards(
    conn: psycopg.Connection, world: dict[str, int], tmp_path: Path
) -> None:
    layers_dir = tmp_path / "layers"
    shutil.copytree(Settings().layers_dir, layers_dir)
    (layers_dir / "hydrant.toml").write_text(HYDRANT, "utf-8")
    assert create_point_table(conn, load_catalog(layers_dir)["hydrant"])
    conn.execute("SET twin.bulk_assigned = 'on'")  # set, but this is no bulk loader
    conn.execute(
        "INSERT INTO hydrant (code, status, geom, grid_id) VALUES ('H1', 'ok', %s, %s)",
        [point(0.5, 0.5), world["G4"]],
    )
    conn.execute("RESET twin.bulk_assigned")
    assert conn.execute("SELECT grid_id FROM hydrant").fetchone() == (world["G1"],)
    assert (counts(conn, "hydrants")["G1"], counts(conn, "hydrants")["G4"]) == (1, 0)
    conn.execute("TRUNCATE hydrant")
    assert set(counts(conn, "hydrants").values()) == {0}
