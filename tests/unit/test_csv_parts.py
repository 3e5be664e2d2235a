"""A CSV cut in two reads, part after part, exactly as the whole file does: the same rows,
numbered the same, whatever its last line and its byte order mark."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from twin.ingest import csv_parts
from twin.ingest.read import open_source

HEADER = "lon,lat,code,description\n"


def chunks(source: object) -> tuple[list[int], pd.DataFrame]:
    """Each chunk's first feature number, and every row read."""
    got = list(source.chunks(size=3))  # type: ignore[attr-defined]
    return [c.first for c in got], pd.concat([c.attributes for c in got], ignore_index=True)


@pytest.mark.parametrize("ending", ["\n", "", "\r\n"])
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_the_parts_read_as_the_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: str, bom: bytes
) -> None:
    monkeypatch.setattr(csv_parts, "SPLIT_FROM", 0)
    monkeypatch.setattr(csv_parts, "room_for_a_second_reader", lambda: True)
    lines = [f"{100 + i / 10},{30 + i / 10},C{i},说明 {i}" for i in range(1, 22)]
    path = tmp_path / "a.csv"
    newline = "\r\n" if ending == "\r\n" else "\n"
    path.write_bytes(bom + (HEADER + newline.join(lines) + ending).encode())
    source = open_source(path, None, {})
    parts = csv_parts.split(source)
    assert len(parts) == 2 and sum(p.rows for p in parts) == 21
    _, whole = chunks(source)
    firsts, rows = zip(*(chunks(p.source) for p in parts), strict=True)
    assert pd.concat(rows, ignore_index=True).equals(whole)
    later = parts[1].source.first
    assert firsts[0][0] == 1 and firsts[1][0] == later == parts[0].rows + 1


@pytest.fixture
def two_rows(tmp_path: Path) -> Path:
    """A CSV of two rows."""
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "100,30,C1,x\n100,30,C2,y\n", "utf-8")
    return path


def test_a_small_or_compressed_file_is_not_cut(two_rows: Path) -> None:
    path = two_rows
    assert csv_parts.split(open_source(path, None, {})) == []


def test_one_core_or_little_memory_leaves_the_file_whole(
    two_rows: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = two_rows
    monkeypatch.setattr(csv_parts, "SPLIT_FROM", 0)
    monkeypatch.setattr(csv_parts.os, "sched_getaffinity", lambda pid: {0})
    assert not csv_parts.room_for_a_second_reader()
    assert csv_parts.split(open_source(path, None, {})) == []
    monkeypatch.setattr(csv_parts.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(csv_parts, "SPARE_MEMORY", 1 << 60)
    assert not csv_parts.room_for_a_second_reader()


def test_one_reader_when_the_settings_say_so(
    two_rows: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = two_rows
    monkeypatch.setattr(csv_parts, "SPLIT_FROM", 0)
    monkeypatch.setattr(csv_parts, "room_for_a_second_reader", lambda: True)
    assert len(csv_parts.split(open_source(path, None, {}))) == 2
    monkeypatch.setenv("TWIN_LOAD_READERS", "1")
    assert csv_parts.split(open_source(path, None, {})) == []
