"""The living demo's simulator refuses any store but the demo city's (its run over HTTP:
tests/app/test_simulator.py)."""

from __future__ import annotations

import psycopg

from tests.db.test_cli import twin
from twin.ops.simulate import is_demo


def test_the_simulator_refuses_a_store_that_is_not_the_demo(
    db_url: str, conn: psycopg.Connection, world: dict[str, int]
) -> None:
    assert not is_demo(conn)
    refused = twin("simulate", "--rate", "60", env={"TWIN_DATABASE_URL": db_url})
    assert refused.returncode == 2
    assert "the simulator runs only over `twin demo`'s" in refused.stderr
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (0,)
