"""Named SQL files shipped inside the package (twin/sql/queries/NAME.sql)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def query(name: str) -> str:
    """The text of the named query; its header says its parameters and columns."""
    return (resources.files("twin") / "sql" / "queries" / f"{name}.sql").read_text("utf-8")
