"""A scratch database for a benchmark, so a run never touches the user's store."""

from __future__ import annotations

import psycopg
from psycopg import conninfo, sql

from twin.db.migrate import migrate


def scratch_database(url: str, name: str) -> str:
    """A new, migrated database of that name on url's server (dropped first if there)."""
    admin = conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    scratch = conninfo.make_conninfo(url, dbname=name)
    with psycopg.connect(scratch) as conn:
        migrate(conn)
    return scratch


def scratch_copy(url: str, name: str) -> str:
    """A copy, under that name, of url's database (dropped first if there): a benchmark that
    writes (adds plans) runs there, never on the user's store. The store must have no other
    sessions while it is copied (CREATE DATABASE ... TEMPLATE)."""
    source = conninfo.conninfo_to_dict(url).get("dbname")
    admin = conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(str(source))
            )
        )
    return conninfo.make_conninfo(url, dbname=name)


def drop_database(url: str, name: str) -> None:
    """Drop a scratch database of url's server."""
    admin = conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
