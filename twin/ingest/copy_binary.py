"""Frames as PostgreSQL's binary COPY stream, built column by column with numpy: the server
then parses no text, and Python formats no cell (only text is encoded, one call a value)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # no flags, no header extension
TRAILER = b"\xff\xff"
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in microseconds since 1970-01-01
INTEGERS = {"smallint": ">i2", "integer": ">i4", "bigint": ">i8"}
FIXED = {**INTEGERS, "double precision": ">f8", "boolean": "u1", "timestamp with time zone": ">i8"}
SUPPORTED = {*FIXED, "text"}
EWKB_POINT = np.dtype(
    [("order", "u1"), ("kind", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")]
)
EWKB_POINT_WITH_SRID = 0x20000001  # little-endian 2-D point, SRID present


def encodable(frame: pd.DataFrame, types: Sequence[str]) -> bool:
    """Whether every column (types: PostgreSQL's format_type names) has a binary encoder and
    every integer fits its column. Otherwise the caller sends text, so that a value out of
    range meets the server's own error, as before, rather than wrapping around."""
    if not all(t in SUPPORTED for t in types):
        return False
    for column, pg_type in zip(frame.columns, types, strict=True):
        if pg_type in INTEGERS:
            ints = _integers(frame[column].dropna())
            info = np.iinfo(np.dtype(INTEGERS[pg_type]).newbyteorder("="))
            if ints is None or (len(ints) and (ints.min() < info.min or ints.max() > info.max)):
                return False
    return True


Field = tuple[np.ndarray, np.ndarray]  # each value's byte length (-1: NULL), their bytes


def encode(frame: pd.DataFrame, types: Sequence[str], points: Field | None = None) -> bytes:
    """The rows of an encodable frame as binary COPY tuples (the stream is SIGNATURE, the
    tuples of every block, TRAILER), each column as its PostgreSQL type; missing values
    (None, NaN, NaT) as NULL; points (point_field) as one more column, last."""
    n = len(frame)
    fields = [_field(frame[c], t) for c, t in zip(frame.columns, types, strict=True)]
    fields += [points] if points is not None else []
    sizes = [np.maximum(size, 0) + 4 for size, _ in fields]
    row_bytes = 2 + np.sum(sizes, axis=0, dtype=np.int64) if fields else np.full(n, 2)
    starts = np.concatenate(([0], np.cumsum(row_bytes)[:-1])).astype(np.int64)
    buf = np.empty(int(row_bytes.sum()), dtype=np.uint8)
    count = np.array([len(fields)], dtype=">i2").view(np.uint8)
    buf[starts], buf[starts + 1] = count[0], count[1]
    at = starts + 2
    for (size, data), width in zip(fields, sizes, strict=True):
        _scatter(buf, at, size.astype(">i4").view(np.uint8).reshape(n, 4))
        present = size > 0
        if present.any():
            lengths = size[present]
            begins = at[present] + 4
            shift = np.repeat(begins - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
            buf[shift + np.arange(int(lengths.sum()))] = data
        at = at + width
    return buf.tobytes()


def point_field(x: np.ndarray, y: np.ndarray, srid: int) -> Field:
    """Points as a geometry column's binary values (EWKB with the SRID, the very doubles
    given, as ST_SetSRID(ST_MakePoint(x, y)) makes them); NULL where x or y is NaN."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    present = ~(np.isnan(x) | np.isnan(y))
    out = np.empty(int(present.sum()), dtype=EWKB_POINT)
    out["order"], out["kind"], out["srid"] = 1, EWKB_POINT_WITH_SRID, srid
    out["x"], out["y"] = x[present], y[present]
    size = np.where(present, EWKB_POINT.itemsize, -1).astype(np.int64)
    return size, out.view(np.uint8)


def _scatter(buf: np.ndarray, at: np.ndarray, rows: np.ndarray) -> None:
    buf[at[:, None] + np.arange(rows.shape[1])] = rows


def _field(values: pd.Series, pg_type: str) -> tuple[np.ndarray, np.ndarray]:
    """Each value's byte length (-1: NULL) and the present values' bytes, concatenated."""
    missing = values.isna().to_numpy()
    if pg_type == "text":
        return _text_field(values, missing)
    raw = _fixed_values(values, missing, pg_type)
    assert raw is not None  # encodable() said the integers are integers
    dtype = FIXED[pg_type]
    size = np.where(missing, -1, np.dtype(dtype).itemsize).astype(np.int64)
    return size, np.ascontiguousarray(raw.astype(dtype)).view(np.uint8)


def _fixed_values(values: pd.Series, missing: np.ndarray, pg_type: str) -> np.ndarray | None:
    """The present values as the numbers a fixed-width column's binary form holds."""
    if pg_type == "timestamp with time zone" and _aware_micros(values.dtype):
        return values.array.asi8[~missing] - PG_EPOCH_US  # microseconds since 1970 already
    present = values[~missing]
    if pg_type == "timestamp with time zone":
        # Rounded to the microsecond as PostgreSQL rounds finer text input (half to even).
        stamps = pd.to_datetime(present, utc=True).dt.round("us").dt.tz_localize(None)
        return stamps.to_numpy().astype("datetime64[us]").astype(np.int64) - PG_EPOCH_US
    if pg_type == "boolean":
        return present.astype(bool).to_numpy()
    if pg_type == "double precision":
        return present.to_numpy(dtype=np.float64)
    return _integers(present)


def _aware_micros(dtype: object) -> bool:
    """Whether a column holds time-zone-aware microseconds (UTC-based, as stored)."""
    return isinstance(dtype, pd.DatetimeTZDtype) and dtype.unit == "us"


def _text_field(values: pd.Series, missing: np.ndarray) -> Field:
    """A text column's field: its values joined by NUL and encoded in one call, then cut
    at the NULs (a value never holds one: PostgreSQL's text cannot); one call a value only
    when a value does, so that the server refuses it as before."""
    present = values.to_numpy(dtype=object)[~missing].tolist()
    try:
        text = "\x00".join(present)
    except TypeError:  # not all str (numbers staged in a text column): their text
        present = [v if type(v) is str else str(v) for v in present]
        text = "\x00".join(present)
    size = np.full(len(values), -1, dtype=np.int64)
    joined = np.frombuffer(text.encode(), dtype=np.uint8)
    cuts = np.flatnonzero(joined == 0)
    if len(present) == 0 or len(cuts) != len(present) - 1:
        encoded = [v.encode() for v in present]
        size[~missing] = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        return size, np.frombuffer(b"".join(encoded), dtype=np.uint8)
    size[~missing] = np.diff(cuts, prepend=-1, append=len(joined)) - 1
    return size, joined[joined != 0]


def _integers(present: pd.Series) -> np.ndarray | None:
    """The values as int64: integers as they are, texts of plain digits (an enum of numbers,
    staged in an integer column) as PostgreSQL reads them; None for anything else."""
    if pd.api.types.is_integer_dtype(present.dtype):
        return present.to_numpy(dtype=np.int64)
    if len(present) == 0:
        return np.zeros(0, dtype=np.int64)
    if pd.api.types.infer_dtype(present, skipna=False) != "string":
        return None
    text = present.astype(str).tolist()
    if not plain_digits(text):
        return None
    return np.array(text, dtype=np.int64)


def plain_digits(texts: list[str]) -> bool:
    """Whether every text is an optional sign and 1 to 18 ASCII digits (what int8in reads
    without spaces, short of overflow), checked on their bytes joined by commas."""
    joined = np.frombuffer(",".join(texts).encode(), dtype=np.uint8)
    comma = joined == ord(",")
    cuts = np.flatnonzero(comma)
    if len(cuts) != len(texts) - 1:  # a text holds a comma itself
        return False
    sign = (joined == ord("+")) | (joined == ord("-"))
    digit = (joined >= ord("0")) & (joined <= ord("9"))
    starts = np.concatenate(([0], cuts + 1))
    lengths = np.diff(cuts, prepend=-1, append=len(joined)) - 1
    if not (digit | comma | sign).all() or (lengths == 0).any():
        return False
    signed = sign[starts]
    if int(sign.sum()) != int(signed.sum()):  # a sign inside a text
        return False
    digits = lengths - signed
    return bool(((digits >= 1) & (digits <= 18)).all())
