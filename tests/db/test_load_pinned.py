"""Speed changes no stored value: files loaded by today's loader store exactly what the
loader before issue #15 stored (every column of every row, pinned in tests/data), and are
refused with exactly the problems it listed."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from twin.catalog import Layer
from twin.ingest.load import LoadRefused, load_file

PINNED = Path(__file__).parent.parent / "data" / "pinned_load"
# Every column but the row ids, the grid by its code, the geometry as exact EWKB, the
# timestamps in UTC: a row compares equal only if every stored value is the same.
DUMP = """
SELECT (to_jsonb(t) - 'id' - 'grid_id' - 'geom')
       || jsonb_build_object('grid', g.code, 'geom', encode(ST_AsEWKB(t.geom), 'hex'))
FROM incident t LEFT JOIN grid g ON g.id = t.grid_id ORDER BY t.code
"""


def dump(conn: psycopg.Connection) -> list[dict[str, object]]:
    """Every stored incident as a dict of text-comparable values, by code."""
    with conn.transaction():
        conn.execute("SET LOCAL TimeZone = 'UTC'")
        return [row[0] for row in conn.execute(DUMP)]


def expected(name: str) -> object:
    """What the loader before #15 stored (or listed) for a pinned file."""
    return json.loads((PINNED / name).read_text("utf-8"))


@pytest.mark.parametrize("name", ["incidents.csv", "incidents.geojson"])
def test_a_file_stores_what_the_loader_before_it_stored(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], name: str
) -> None:
    report = load_file(conn, layers["incident"], PINNED / name)
    stored, pinned = dump(conn), expected(name + ".rows.json")
    assert report.inserted == len(stored)
    # Columns added by later issues (live operations' stage deadlines, officer, rule) hold
    # nothing for a loaded file; every pinned column holds exactly what it held.
    assert isinstance(pinned, list)
    old = set(pinned[0])
    assert [{k: v for k, v in row.items() if k in old} for row in stored] == pinned
    assert {k: v for row in stored for k, v in row.items() if k not in old and v is not None} == {}


def test_a_bad_file_lists_the_problems_the_loader_before_it_listed(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer]
) -> None:
    with pytest.raises(LoadRefused) as err:
        load_file(conn, layers["incident"], PINNED / "bad.csv")
    assert [str(p) for p in err.value.problems] == expected("bad.csv.problems.json")
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (0,)
