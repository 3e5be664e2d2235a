"""The app over the hand-made grid world, with three cases (one overdue, one severity 1),
and the same with a unit whose code and name are hostile."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from dash import Dash

from tests import gridworld
from tests.gridworld import add_incident
from twin.app.server import create_app
from twin.db.connect import open_pool
from twin.settings import Settings

CODE = "G/3&x#中 ?%"  # every character a URL gives a meaning to
SCRIPT = "<img src=x onerror=alert(1)>"


@pytest.fixture
def app(db_url: str, conn: psycopg.Connection) -> Iterator[Dash]:
    gridworld.build(conn)
    for i, (x, y) in enumerate([(0.5, 0.5), (0.4, 0.6), (1.5, 0.5)]):
        add_incident(conn, f"E{i}", x, y, severity=1 if i == 2 else 3)
    conn.execute(
        "UPDATE incident SET reported_at = now() - interval '4 days',"
        " due_at = now() - interval '1 day' WHERE code = 'E0'"
    )
    pool = open_pool(db_url, 2)
    try:
        # A snapshot lives half a refresh: 0.5 s here, so a test can see a newer one.
        yield create_app(Settings(lang="en", refresh_seconds=1), pool)
    finally:
        pool.close()


@pytest.fixture
def hostile(app: Dash, conn: psycopg.Connection) -> Dash:
    """The app with grid G3 recoded to CODE and named SCRIPT, holding a case."""
    conn.execute("UPDATE grid SET code = %s, name = %s WHERE code = 'G3'", [CODE, SCRIPT])
    add_incident(conn, "E-G3", 0.5, 1.5)
    return app
