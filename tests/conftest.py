"""Shared fixtures: a real PostGIS for the session, a fresh migrated database per test.

TWIN_TEST_DATABASE_URL points the tests at an existing server (a superuser URL); otherwise
the tests start twin's own embedded cluster in a temporary directory. No server is a
failure, never a skip.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import conninfo, sql

from twin.db.cluster import Cluster
from twin.db.migrate import migrate

TEMPLATE = "twin_test_template"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Groups for pytest-xdist's loadgroup (make test runs two workers): a file's tests stay on
    one worker, so its module fixtures are made once; every browser test runs on one worker,
    one file after another, since two servers and two Chromiums at once on two cores made
    their waits race."""
    for item in items:
        path = item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group("browser" if "tests/e2e/" in path else path))


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A superuser URL of a running PostGIS server (maintenance database)."""
    if os.environ.get("TWIN_TEST_DATABASE_URL"):
        yield os.environ["TWIN_TEST_DATABASE_URL"]
        return
    tmp = Path(tempfile.mkdtemp(prefix="twin-test-"))
    os.chmod(tmp, 0o755)  # the postgres user must reach the data directory when we are root
    cluster = Cluster(tmp / "pg")
    running = cluster.start()
    try:
        yield conninfo.make_conninfo(running.url, dbname="postgres")
    finally:
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def template_url(server_url: str) -> str:
    """A migrated database that each test's database is copied from."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(TEMPLATE)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
    url = conninfo.make_conninfo(server_url, dbname=TEMPLATE)
    with psycopg.connect(url) as conn:
        migrate(conn)
    return url


@contextmanager
def fresh_database(server_url: str, template: str = TEMPLATE) -> Iterator[str]:
    """A new database copied from a template (the migrated one unless told); dropped
    afterwards."""
    name = f"twin_test_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    try:
        yield conninfo.make_conninfo(server_url, dbname=name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def db_url(server_url: str, template_url: str) -> Iterator[str]:
    """A fresh, migrated, empty database for one test."""
    with fresh_database(server_url) as url:
        yield url


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection]:
    """An autocommit connection to the test's database."""
    with psycopg.connect(db_url, autocommit=True) as c:
        yield c


@pytest.fixture
def reachable_tmp() -> Iterator[Path]:
    """A temporary directory the postgres user can reach (pytest's tmp_path is root-only)."""
    tmp = Path(tempfile.mkdtemp(prefix="twin-test-"))
    os.chmod(tmp, 0o755)
    yield tmp
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def unit_index_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Bulk assignment keeps its unit indexes in a directory of the session's, never in the
    checkout (a test of the cache itself points TWIN_CACHE_DIR at its own)."""
    path = tmp_path_factory.mktemp("unit-index-cache")
    before = os.environ.get("TWIN_CACHE_DIR")
    os.environ["TWIN_CACHE_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("TWIN_CACHE_DIR", None)
    else:
        os.environ["TWIN_CACHE_DIR"] = before
