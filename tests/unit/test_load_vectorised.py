"""The loader's vectorised steps say what the per-value code they replaced said."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from twin.bench.loads import scaled_csv
from twin.ingest.bulk import to_csv_text
from twin.ingest.validate import HAS_OFFSET, has_offset

OFFSETS = ["Z", "z", "+08:00", "-0500", "+8:00", "+08:0", "+0８:00", "-05:30", ""]
TAILS = st.sampled_from([*OFFSETS, "Z\n", "\x00Z", "Z\x00"])  # $ before a newline; NULs
TEXTS = st.lists(st.builds(str.__add__, st.text(max_size=30), TAILS), max_size=30)


@given(TEXTS)
def test_offsets_are_found_as_the_expression_finds_them(texts: list[str]) -> None:
    expected = [bool(HAS_OFFSET.search(t)) for t in texts]
    assert has_offset(pd.Series(texts, dtype=object)).tolist() == expected


def test_a_long_text_is_read_by_the_expression() -> None:
    texts = ["x" * 60 + "+08:00", "x" * 60, "2026-11-20T08:00:00Z"]
    assert has_offset(pd.Series(texts, dtype=object)).tolist() == [True, False, True]


def test_surrogates_empty_texts_and_control_tails_are_read_as_the_expression_reads_them() -> None:
    texts = ["\ud800Z", "x\udfff+08:00", "", "\x00Z", "Z\x00", "a\nZ", "+0８:00", "\t-0500"]
    expected = [bool(HAS_OFFSET.search(t)) for t in texts]
    assert has_offset(pd.Series(texts, dtype=object)).tolist() == expected
    assert has_offset(pd.Series(["", ""], dtype=object)).tolist() == [False, False]


def test_the_copy_text_reads_back_as_the_frame() -> None:
    frame = pd.DataFrame(
        {
            "feature": [1, 2, 3],
            "text": ['a, "b"', None, "line\nbreak"],
            "when": pd.to_datetime(
                ["2026-11-20T08:00:00.1234565", None, "2026-11-21"], format="ISO8601"
            ),
            "x": [114.12345678901234, np.nan, -0.0],
        }
    )
    back = pd.read_csv(
        io.StringIO(to_csv_text(frame)), header=None, names=list(frame.columns), dtype=str
    )
    assert back["text"].tolist()[0] == 'a, "b"' and back["text"].tolist()[2] == "line\nbreak"
    assert pd.isna(back["text"][1]) and pd.isna(back["when"][1]) and pd.isna(back["x"][1])
    assert back["when"][0] == "2026-11-20T08:00:00.123456"  # rounded half to even, as PostgreSQL
    assert float(back["x"][0]) == 114.12345678901234


def test_a_scaled_csv_repeats_the_rows_under_new_codes(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text("lon,lat,code,name\n1,2,A,x\n3,4,B,y\n", "utf-8")
    assert scaled_csv(source, tmp_path / "b.csv", 5) == 5
    assert (tmp_path / "b.csv").read_text("utf-8").splitlines() == [
        "lon,lat,code,name",
        "1,2,A,x",
        "3,4,B,y",
        "1,2,A-1,x",
        "3,4,B-1,y",
        "1,2,A-2,x",
    ]
