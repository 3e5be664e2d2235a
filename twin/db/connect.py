"""Resolve the database twin talks to and open connections and pools to it."""

from __future__ import annotations

import psycopg
from psycopg_pool import ConnectionPool

from twin.db.cluster import Cluster
from twin.settings import Settings


class DatabaseError(RuntimeError):
    """The database is unreachable or lacks what twin needs."""


def database_url(settings: Settings) -> str:
    """TWIN_DATABASE_URL when set, else the embedded cluster's URL (started if need be)."""
    if settings.database_url:
        return settings.database_url
    return Cluster(settings.pgdata).start().url


def connect(url: str, **kwargs: object) -> psycopg.Connection:
    """One connection, with an error that says which server could not be reached."""
    try:
        return psycopg.connect(url, **kwargs)  # type: ignore[arg-type]
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"cannot reach the database at {redact(url)}: {exc}") from exc


def open_pool(url: str, max_size: int, statement_timeout_ms: int = 0) -> ConnectionPool:
    """A connection pool, opened and checked; its statements stop after statement_timeout_ms
    (0: no limit), so one slow page cannot hold a connection for ever. Each connection is
    checked again when handed out, so one the server dropped (a restart) is replaced
    instead of failing a request."""
    given = psycopg.conninfo.conninfo_to_dict(url).get("options") or ""  # kept, not replaced
    options = f"{given} -c statement_timeout={statement_timeout_ms}".strip()
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        open=False,
        kwargs={"options": options},
        check=ConnectionPool.check_connection,
    )
    try:
        pool.open(wait=True, timeout=10)
    except Exception as exc:
        pool.close()
        raise DatabaseError(f"cannot reach the database at {redact(url)}: {exc}") from exc
    return pool


def redact(url: str) -> str:
    """The URL with its password hidden, for messages."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    if "password" in info:
        info["password"] = "***"
    return psycopg.conninfo.make_conninfo(**info)  # type: ignore[arg-type]
