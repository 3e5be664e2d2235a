"""Coordinates the CSV parser reads as numbers are the very doubles the text reading gives,
and a file it cannot read so is read as text from that chunk on, no row lost or repeated."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from twin.ingest import csv_rows

DIGITS = st.text("0123456789", min_size=1, max_size=22)
DECIMALS = st.builds(
    lambda sign, whole, point, part, exp: f"{sign}{whole}{point}{part}{exp}",
    st.sampled_from(["", "-", "+", " ", " +"]),
    DIGITS,
    st.sampled_from([".", ".", ""]),
    st.one_of(DIGITS, st.just("")),
    st.sampled_from(["", "", "e5", "E-3", "e+308", "e-330", "e400"]),
)
ODD = st.sampled_from(
    ["", "1,5", "abc", "nan", "NaN", "inf", "-inf", "Infinity", "1_000", "0x1p3", "1e", ".",
     "-", "١٢", "１２", "1 2", "--1", "+-1", "4.9e-324", "1.7976931348623159e308", " 7 "]
)  # fmt: skip
VALUES = st.one_of(st.floats(allow_nan=False).map(repr), DECIMALS, ODD)
COLUMN = st.lists(VALUES, min_size=1, max_size=12)


def _csv(lon: list[str], lat: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["lon", "lat", "name"])
    writer.writerows([x, y, f"n{i}"] for i, (x, y) in enumerate(zip(lon, lat, strict=True)))
    return out.getvalue().encode()


def _opened(data: bytes) -> csv_rows.Opened:
    @contextmanager
    def opened() -> Iterator[IO[bytes]]:
        yield io.BytesIO(data)

    return opened


def _read(data: bytes, size: int, coordinates: tuple[str, ...]) -> tuple[pd.DataFrame, ...]:
    parts = list(csv_rows.frames(_opened(data), size, None, coordinates))
    rows = pd.concat([f for f, _, _ in parts], ignore_index=True)
    xs = np.concatenate([x for _, x, _ in parts])
    ys = np.concatenate([y for _, _, y in parts])
    return rows, pd.Series(xs), pd.Series(ys)


def _same_doubles(a: pd.Series, b: np.ndarray) -> None:
    a = a.to_numpy(dtype=np.float64)
    assert a.tobytes() == np.asarray(b, dtype=np.float64).tobytes() or (
        np.array_equal(a, b, equal_nan=True) and (np.signbit(a) == np.signbit(b)).all()
    )


@settings(max_examples=400, deadline=None)
@given(COLUMN, st.data(), st.integers(1, 5))
@example(["+40038645.03963780289", "1.5"], None, 1)
@example(["1.5", "2.5", "abc", "3.5"], None, 2)
def test_coordinates_read_as_numbers_are_the_text_readings_doubles(
    lon: list[str], data: st.DataObject | None, size: int
) -> None:
    lat = data.draw(st.lists(VALUES, min_size=len(lon), max_size=len(lon))) if data else lon
    raw = _csv(lon, lat)
    rows, x, y = _read(raw, size, ("lon", "lat"))
    text, _, _ = _read(raw, size, ())
    assert rows["name"].tolist() == [f"n{i}" for i in range(len(lon))]  # each row once, in order
    _same_doubles(x, csv_rows.as_number(text["lon"]))
    _same_doubles(y, csv_rows.as_number(text["lat"]))
    pd.testing.assert_frame_equal(
        rows.drop(columns=["lon", "lat"]), text.drop(columns=["lon", "lat"])
    )


@given(COLUMN)
@example(["+40038645.03963780289", "-00", " +901000000.0000001", "+-1"])
def test_a_coordinate_as_text_is_what_to_numeric_read_at_most_a_unit_off_after_a_sign(
    values: list[str],
) -> None:
    column = pd.Series(values, dtype=str).where(pd.Series(values) != "")
    got = csv_rows.as_number(column)
    before = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
    signed = column.str[:1].isin(["+", "-"]).to_numpy(dtype=bool)
    _same_doubles(pd.Series(got[~signed]), before[~signed])
    assert (np.isnan(got) == np.isnan(before)).all()
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf, the spacing of inf
        near = np.abs(got - before) <= np.spacing(np.abs(before))
    assert (near | np.isnan(got) | (got == before))[signed].all()


def test_a_clean_file_is_never_read_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(column: pd.Series) -> np.ndarray:
        raise AssertionError("read as text")

    monkeypatch.setattr(csv_rows, "as_number", refused)
    raw = _csv(["114.25", "-0.0", "", "1e-3"], ["30.5", "", "2", "+7.25"])
    rows, x, y = _read(raw, 3, ("lon", "lat"))
    assert rows["lon"].dtype == np.float64
    _same_doubles(x, np.array([114.25, -0.0, np.nan, 1e-3]))
    _same_doubles(y, np.array([30.5, np.nan, 2.0, 7.25]))


def test_a_word_for_a_coordinate_reads_the_rest_as_text_and_is_missing() -> None:
    raw = _csv(["1", "2", "3", "east", "5"], ["1", "2", "3", "4", "5,5"])
    rows, x, y = _read(raw, 2, ("lon", "lat"))
    assert rows["name"].tolist() == ["n0", "n1", "n2", "n3", "n4"]
    _same_doubles(x, np.array([1.0, 2.0, 3.0, np.nan, 5.0]))
    _same_doubles(y, np.array([1.0, 2.0, 3.0, 4.0, np.nan]))


def test_a_line_the_parser_refuses_is_refused_without_a_second_reading() -> None:
    raw = b"lon,lat,name\n1,2,a\n3,4,b,extra\n"
    opened = 0

    @contextmanager
    def counted() -> Iterator[IO[bytes]]:
        nonlocal opened
        opened += 1
        yield io.BytesIO(raw)

    with pytest.raises(pd.errors.ParserError):
        list(csv_rows.frames(counted, 1, None, ("lon", "lat")))
    assert opened == 1
