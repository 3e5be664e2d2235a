"""Every index a load must maintain earns its place: no two indexes of a point table read
the same key under the same condition (a backward scan serves the other direction)."""

from __future__ import annotations

import psycopg
import pytest

SAME_KEYS = """
SELECT a.indexrelid::regclass::text, b.indexrelid::regclass::text
FROM pg_index a JOIN pg_index b
  ON a.indrelid = b.indrelid AND a.indexrelid < b.indexrelid
 AND (a.indkey::int2[])[0:a.indnkeyatts - 1] = (b.indkey::int2[])[0:b.indnkeyatts - 1]
 AND pg_get_expr(a.indpred, a.indrelid) IS NOT DISTINCT FROM pg_get_expr(b.indpred, b.indrelid)
 AND pg_get_expr(a.indexprs, a.indrelid) IS NOT DISTINCT FROM pg_get_expr(b.indexprs, b.indrelid)
WHERE a.indrelid = %s::regclass
"""


@pytest.mark.parametrize("table", ["incident", "camera", "sensor"])
def test_no_two_indexes_of_a_point_table_read_the_same_key(
    conn: psycopg.Connection, table: str
) -> None:
    assert conn.execute(SAME_KEYS, [table]).fetchall() == []
