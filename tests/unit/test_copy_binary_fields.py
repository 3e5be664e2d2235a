"""The binary COPY encoder's vectorised pieces say what one value at a time says: which
texts are plain integers, and each text's bytes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from twin.ingest import copy_binary

PLAIN = re.compile(r"[+-]?[0-9]{1,18}")
NUMBERISH = st.text(st.sampled_from("0123456789+-, ٣x"), max_size=21)
INTEGER_TEXT = st.one_of(
    NUMBERISH,
    st.integers(-(10**19), 10**19).map(str),
    st.integers(0, 10**18).map(lambda n: f"+{n:019d}"),
)


@given(st.lists(INTEGER_TEXT, min_size=1, max_size=30))
def test_plain_digits_agrees_with_the_pattern_read_one_at_a_time(texts: list[str]) -> None:
    assert copy_binary.plain_digits(texts) == all(PLAIN.fullmatch(t) for t in texts)


@given(st.lists(st.one_of(st.none(), st.text(), st.integers()), max_size=30))
def test_a_text_field_holds_each_value_encoded_alone(values: list[object]) -> None:
    series = pd.Series(values, dtype=object)
    missing = series.isna().to_numpy()
    size, data = copy_binary._text_field(series, missing)
    expected = [str(v).encode() for v in values if v is not None]
    assert size.tolist() == [-1 if v is None else len(str(v).encode()) for v in values]
    assert data.tobytes() == b"".join(expected)


def test_integers_from_plain_texts_read_as_postgresql_reads_them() -> None:
    texts = pd.Series(["+5", "-0", "007", "-123456789012345678"], dtype=object)
    assert copy_binary._integers(texts).tolist() == [5, 0, 7, -123456789012345678]
    assert copy_binary._integers(pd.Series(["5", " 5"], dtype=object)) is None
    assert copy_binary._integers(pd.Series(["٣"], dtype=object)) is None
    assert np.array_equal(copy_binary._integers(pd.Series([], dtype=object)), [])
