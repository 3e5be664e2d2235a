"""Timestamps read from their bytes are the instants pandas' parser reads, or left to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from twin.ingest.stamps import parse_fixed
from twin.ingest.validate import parsed_timestamps, timestamps


def pieces(right: list[str], wrong: list[str]) -> st.SearchStrategy[str]:
    """A piece of a timestamp: mostly right, so that many columns are of the fixed forms."""
    return st.sampled_from(right * 6 + wrong)


# Each piece right or nearly right: the edges of the forms, the dates and the offsets.
YEARS = pieces(["2026", "1999", "2024", "0001", "9999", "1900", "2000"], ["0000", "２026", "226"])
MONTHS = pieces(["01", "02", "12"], ["00", "13", "1"])
DAYS = pieces(["01", "28", "29", "30", "31"], ["00", "32"])
HOURS = pieces(["00", "23", "07"], ["24"])
MINUTES = pieces(["00", "59"], ["60"])
SEPARATORS = pieces(["T", " "], ["t", "_"])
TAILS = pieces(
    ["", "Z", "+08:00", "-05:30", "+23:59", "-00:00"],
    ["z", "+24:00", "-00:60", "+0800", "+08", " ", "Z ", "+08:0"],
)
TEXTS = st.builds(
    lambda y, mo, d, sep, h, mi, s, tail: f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}{tail}",
    YEARS, MONTHS, DAYS, SEPARATORS, HOURS, MINUTES, MINUTES, TAILS,
)  # fmt: skip
NEAR = st.lists(st.one_of(TEXTS, st.none()), max_size=8)
COLUMNS = st.one_of(NEAR, st.lists(st.one_of(TEXTS, st.none(), st.text(max_size=25)), max_size=8))


EDGES = [
    "2026-01-01T24:00:00", "2026-01-01T00:60:00", "2026-01-01T00:00:60", "2026-13-01T00:00:00",
    "2026-00-01T00:00:00", "2026-04-31T00:00:00", "2026-02-29T00:00:00", "1900-02-29T00:00:00",
    "2000-02-29T00:00:00", "2024-02-29T23:59:59", "0000-01-01T00:00:00", "0001-01-01T00:00:00",
    "9999-12-31T23:59:59", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+23:60",
    "2026-01-01T00:00:00-23:59", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00z",
]  # fmt: skip


@given(COLUMNS)
@example([None, *EDGES[:1]])
@example(EDGES)
@example(EDGES[6:10])
def test_what_is_read_from_bytes_is_what_pandas_reads(column: list[str | None]) -> None:
    raw = pd.Series(column, dtype=object)
    expected, bad = parsed_timestamps(raw)
    fixed = parse_fixed(raw)
    if fixed is not None:
        assert not bad.any()
        pd.testing.assert_series_equal(fixed, expected)
    got, got_bad = timestamps(raw)
    pd.testing.assert_series_equal(got, expected)
    assert got_bad.tolist() == bad.tolist()


MOMENTS = st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30))  # an offset stays in range
OFFSETS = st.sampled_from([None, "Z", "+08:00", "-05:30", "+00:00", "+23:59"])


@given(st.lists(st.tuples(MOMENTS, st.sampled_from("T "), OFFSETS), min_size=1))
@example([(datetime(2000, 2, 29), "T", None), (datetime(2024, 2, 29, 23, 59, 59), " ", "-05:30")])
def test_the_usual_forms_are_read_from_bytes(stamps: list[tuple[datetime, str, Any]]) -> None:
    texts = [m.replace(microsecond=0).isoformat(sep) + (off or "") for m, sep, off in stamps]
    fixed = parse_fixed(pd.Series(texts, dtype=object))
    assert fixed is not None  # every one of them, mixed widths or not
    for (moment, _, off), got in zip(stamps, fixed, strict=True):
        hours, minutes = (
            (8, 0)
            if off is None
            else (0, 0)
            if off == "Z"
            else (int(off[:3]), int(off[0] + off[4:]))
        )
        utc = moment.replace(microsecond=0) - timedelta(hours=hours, minutes=minutes)
        assert got.to_pydatetime() == utc.replace(tzinfo=UTC)


@pytest.mark.parametrize("text", EDGES)
def test_each_edge_is_read_as_pandas_reads_it(text: str) -> None:
    test_what_is_read_from_bytes_is_what_pandas_reads.hypothesis.inner_test([text])


def test_an_all_missing_column_and_other_forms_are_left_to_pandas() -> None:
    for column in ([None, None], ["2026-11-20T08:00:00.5Z"], [" 2026-11-20T08:00:00Z"], [1.5]):
        assert parse_fixed(pd.Series(column, dtype=object)) is None
