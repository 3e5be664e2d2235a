"""Fixtures shared by the database tests."""

from __future__ import annotations

import psycopg
import pytest

from tests import gridworld
from twin.catalog import Layer, load_catalog
from twin.settings import Settings


@pytest.fixture
def layers() -> dict[str, Layer]:
    """The built-in layer catalog."""
    return load_catalog(Settings().layers_dir)


@pytest.fixture
def world(conn: psycopg.Connection) -> dict[str, int]:
    """The hand-made grid world, built; code -> id."""
    return gridworld.build(conn)
