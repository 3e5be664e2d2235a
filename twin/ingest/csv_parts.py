"""A large plain CSV cut in two at a line end past its middle, so that two reading processes
share its parsing and checks. A cut is only right when every line of the file is one row
(no field holds a line break, no line is blank): each part says how many rows it then
holds, and a reader that read another count hands the load over (twin.ingest.direct)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from twin.ingest.read import Source
from twin.settings import Settings

SPLIT_FROM = 64 << 20  # bytes: a smaller CSV is read before a second process pays off
BLOCK = 1 << 20
# A second reading process takes about 350 MB (measured at 1M rows, the same at 10M): cut
# only where that leaves the machine room, and a core for it to run on.
SPARE_MEMORY = 2 << 30  # bytes the kernel must say are available


@dataclasses.dataclass(frozen=True)
class Part:
    """A span of the file, read as a Source of its own, and the rows it holds when every
    line is one row."""

    source: Source
    rows: int


def split(source: Source) -> list[Part]:
    """The CSV in two parts, or [] when it is compressed, in an archive, or small."""
    path = source.path
    if not source.csv_geometry or source.csv_member or path.suffix.lower() != ".csv":
        return []
    size = path.stat().st_size
    if size < SPLIT_FROM or Settings.from_env().load_readers < 2:
        return []
    if not room_for_a_second_reader():
        return []
    with path.open("rb") as fh:
        fh.seek(size // 2)
        fh.readline()  # to the end of the line the middle falls in
        cut = fh.tell()
        fh.seek(size - 1)
        unended = fh.read(1) != b"\n"  # the last row has no line break of its own
    if cut >= size:
        return []
    first_lines = _line_ends(path, cut)  # the header's included
    assert source.total is not None  # a CSV's line breaks are counted when it is opened
    later_lines = source.total + 1 - first_lines + unended
    return [
        Part(dataclasses.replace(source, span=(0, cut), total=first_lines - 1), first_lines - 1),
        Part(
            dataclasses.replace(source, span=(cut, size), total=later_lines, first=first_lines),
            later_lines,
        ),
    ]


def room_for_a_second_reader() -> bool:
    """Whether this process may use two cores and the machine has SPARE_MEMORY available."""
    if len(os.sched_getaffinity(0)) < 2:
        return False
    try:
        meminfo = Path("/proc/meminfo").read_text()
    except OSError:
        return False
    for line in meminfo.splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024 >= SPARE_MEMORY
    return False


def _line_ends(path: Path, end: int) -> int:
    """How many line breaks the file's first end bytes hold."""
    count, left = 0, end
    with path.open("rb") as fh:
        while left > 0:
            block = fh.read(min(BLOCK, left))
            if not block:
                break
            count += block.count(b"\n")
            left -= len(block)
    return count
