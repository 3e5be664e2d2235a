"""Apply the ordered SQL migrations in twin/sql/migrations, each once, each in one transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import psycopg

from twin.db.connect import DatabaseError

LOCK_KEY = 7_420_001  # advisory lock: two processes migrating together take turns
NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    """One migration file."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """Every migration shipped with the package, in order."""
    found = []
    for entry in (resources.files("twin") / "sql" / "migrations").iterdir():
        m = NAME.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text("utf-8")))
    return sorted(found, key=lambda mig: mig.version)


def migrate(conn: psycopg.Connection) -> list[str]:
    """Apply the migrations not yet recorded; return the names applied."""
    conn.autocommit = True
    check_postgis_available(conn)
    conn.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS twin_migration ("
            " version int PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM twin_migration")}
        applied = []
        for mig in migrations():
            if mig.version in done:
                continue
            with conn.transaction():
                conn.execute(mig.sql.encode())  # bytes: no placeholders in migrations
                conn.execute(
                    "INSERT INTO twin_migration (version, name) VALUES (%s, %s)",
                    [mig.version, mig.name],
                )
            applied.append(f"{mig.version:03d}_{mig.name}")
        return applied
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def check_postgis_available(conn: psycopg.Connection) -> None:
    """Fail with the package to install when the server has no PostGIS."""
    row = conn.execute(
        "SELECT default_version FROM pg_available_extensions WHERE name = 'postgis'"
    ).fetchone()
    if row is None:
        version = conn.execute("SHOW server_version_num").fetchone()
        major = int(version[0]) // 10000 if version else 15
        raise DatabaseError(
            "PostGIS is not available on this PostgreSQL server: "
            f"install it (Debian: apt-get install postgresql-{major}-postgis-3)"
        )
