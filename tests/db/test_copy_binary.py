"""Binary COPY stages exactly what the CSV text COPY staged: every column of every row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin.catalog import Layer
from twin.ingest import bulk, copy_binary
from twin.ingest.convert import WGS84
from twin.ingest.read import open_source
from twin.ingest.validate import Options, convert_chunk, resolve_columns

PINNED_CSV = Path(__file__).parent.parent / "data" / "pinned_load" / "incidents.csv"
DUMP = "SELECT to_jsonb(s) - 'sid' FROM twin_stage s ORDER BY feature"


def staged_both_ways(conn: psycopg.Connection, frame: pd.DataFrame) -> tuple[list, list]:
    """The stage's rows after a binary COPY of the frame, and after a text COPY of it."""
    conn.execute("SET TimeZone = 'UTC'")
    bulk.copy_frame(conn, frame)
    binary = [r[0] for r in conn.execute(DUMP)]
    conn.execute("TRUNCATE twin_stage")
    bulk.copy_text(conn, frame)
    text = [r[0] for r in conn.execute(DUMP)]
    return binary, text


def incident_frame(layers: dict[str, Layer]) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The pinned CSV converted as a load converts it, with the columns a load stages."""
    layer = layers["incident"]
    source = open_source(PINNED_CSV, None, {})
    columns, _ = resolve_columns(layer, source.columns, {})
    provided = tuple(f for f in layer.field_names if f in columns)
    chunk = next(source.chunks())
    done = convert_chunk(layer, chunk, Options(WGS84, columns))
    return done.frame[["feature", *provided, "lon", "lat"]], provided


def test_a_converted_file_is_staged_in_binary_as_it_was_in_text(
    conn: psycopg.Connection, layers: dict[str, Layer]
) -> None:
    frame, provided = incident_frame(layers)
    with conn.transaction():
        bulk.create_point_stage(conn, "incident", provided)
        assert copy_binary.encodable(frame, bulk.stage_types(conn, list(frame.columns)))
        binary, text = staged_both_ways(conn, frame)
        assert len(binary) == len(frame)
        assert binary == text


def test_an_integer_out_of_its_column_range_is_sent_as_text(
    conn: psycopg.Connection, layers: dict[str, Layer]
) -> None:
    frame, provided = incident_frame(layers)
    frame = frame.assign(severity=pd.array([70000] * len(frame), dtype="Int64"))
    with conn.transaction():
        bulk.create_point_stage(conn, "incident", provided)
        assert not copy_binary.encodable(frame, bulk.stage_types(conn, list(frame.columns)))


TEXT = st.one_of(st.none(), st.text(st.characters(blacklist_categories=["Cs"], min_codepoint=1)))
FLOAT = st.one_of(st.none(), st.floats(allow_nan=False, width=64))
STAMP = st.one_of(
    st.none(),
    st.integers(min_value=-(10**18), max_value=4 * 10**18).map(
        lambda ns: pd.Timestamp(ns, unit="ns", tz="UTC")
    ),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(TEXT, FLOAT, STAMP, st.one_of(st.none(), st.booleans())), max_size=40))
def test_any_values_stage_alike_in_binary_and_in_text(
    conn: psycopg.Connection, rows: list[tuple[object, ...]]
) -> None:
    frame = pd.DataFrame(
        {
            "feature": np.arange(1, len(rows) + 1),
            "t": pd.Series([r[0] for r in rows], dtype=object),
            "x": pd.Series([r[1] for r in rows], dtype="float64"),
            "at": pd.to_datetime(pd.Series([r[2] for r in rows], dtype=object), utc=True),
            # As the loader reads timestamps (microseconds): their integers are sent as they are.
            "au": pd.to_datetime(pd.Series([r[2] for r in rows], dtype=object), utc=True)
            .dt.floor("us")
            .dt.as_unit("us"),
            "ok": pd.Series([r[3] for r in rows], dtype=object),
            "n": pd.array([None if i % 3 == 0 else i * 7 - 50 for i in range(len(rows))], "Int64"),
        }
    )
    with conn.transaction():
        conn.execute("DROP TABLE IF EXISTS twin_stage")
        conn.execute(
            "CREATE TEMP TABLE twin_stage (sid int GENERATED ALWAYS AS IDENTITY, feature int,"
            " t text, x float8, at timestamptz, au timestamptz, ok boolean, n smallint)"
            " ON COMMIT DROP"
        )
        assert copy_binary.encodable(frame, bulk.stage_types(conn, list(frame.columns)))
        binary, text = staged_both_ways(conn, frame)
        assert binary == text
