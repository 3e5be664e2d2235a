"""The dashboard reaches the database only through the store's query functions."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "twin" / "app"
FORBIDDEN_IMPORTS = ("twin.db.queries", "psycopg.sql")


def test_no_app_module_runs_sql_of_its_own() -> None:
    found = []
    for path in sorted(APP.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
                if any(n in FORBIDDEN_IMPORTS for n in names):
                    found.append(f"{path.name}:{node.lineno} imports {node.module}")
            call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if call and node.func.attr in ("execute", "executemany"):  # type: ignore[attr-defined]
                found.append(f"{path.name}:{node.lineno} calls .{node.func.attr}()")
    assert found == []
