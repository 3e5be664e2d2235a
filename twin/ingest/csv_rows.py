"""A CSV's rows in chunks, every field as text but the two coordinate columns, which the
parser reads as numbers itself: at 1M rows that is a quarter of the reading's work (no
string made for each coordinate, no second pass to convert it). A coordinate the parser
cannot read as a number (a word, a decimal comma) makes the rest of the file read as text
from that chunk on, its coordinates converted as they always were: what is not a number
is NaN, and validation reports it."""

from __future__ import annotations

import gzip
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import IO

import numpy as np
import pandas as pd

Bytes = IO[bytes] | gzip.GzipFile
Opened = Callable[[], AbstractContextManager[Bytes]]  # the rows' bytes, from their start


def frames(
    opened: Opened, size: int, names: list[str] | None, coordinates: tuple[str, ...]
) -> Iterator[tuple[pd.DataFrame, np.ndarray, np.ndarray]]:
    """(rows, x, y) size rows at a time: names are the columns of a part with no header
    (None: the first line holds them); x and y are empty arrays when no coordinate
    columns are given (coordinates: () or (lon, lat))."""
    done = 0
    try:
        with opened() as fh:
            for frame in _reader(fh, size, names, coordinates):
                x, y = _numbers(frame, coordinates)
                yield frame, x, y
                done += len(frame)
        return
    except ValueError as exc:
        # A parse error (a ParserError, a UnicodeDecodeError) would only come again as text.
        if not coordinates or isinstance(exc, (pd.errors.ParserError, UnicodeDecodeError)):
            raise
    with opened() as fh:
        seen = 0
        for frame in _reader(fh, size, names, ()):
            seen += len(frame)
            if seen > done:  # chunks fall on the same rows: the first new one is whole
                yield frame, as_number(frame[coordinates[0]]), as_number(frame[coordinates[1]])


def _reader(
    fh: Bytes, size: int, names: list[str] | None, numeric: tuple[str, ...]
) -> Iterator[pd.DataFrame]:
    # Empty fields are missing, read so by the parser itself.
    types: defaultdict[str, type] = defaultdict(lambda: str, {c: np.float64 for c in numeric})
    return iter(
        pd.read_csv(
            fh,
            dtype=types,
            keep_default_na=False,
            na_values=[""],
            chunksize=size,
            encoding="utf-8-sig",
            header=None if names is not None else "infer",
            names=names,
        )
    )


def _numbers(frame: pd.DataFrame, coordinates: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    if not coordinates:
        return np.empty(0), np.empty(0)
    lon, lat = coordinates
    return frame[lon].to_numpy(dtype=np.float64), frame[lat].to_numpy(dtype=np.float64)


def as_number(column: pd.Series) -> np.ndarray:
    """A coordinate column read as text, as numbers (NaN where a value is not one), each the
    very double the parser reads from it."""
    numbers = np.array(pd.to_numeric(column, errors="coerce"), dtype=np.float64)
    # pandas' to_numeric reads a leading + by a routine of its own, a unit in the last place
    # off at 17 digits, and -0 as an integer (0): read as the parser reads them (a + first,
    # not after a space: the parser too reads " +1.5" by that routine).
    sign = column.str[:1].fillna("").to_numpy(dtype=object)
    plus = (sign == "+") & ~np.isnan(numbers)
    if plus.any():
        numbers[plus] = pd.to_numeric(column[plus].str[1:], errors="coerce").to_numpy()
    numbers[(sign == "-") & (numbers == 0)] = -0.0
    return numbers
