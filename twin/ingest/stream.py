"""A file's chunks made ready for COPY (a CSV's in a child process) and written one by one,
with what was found on the way summed up."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass

from tqdm import tqdm

from twin.catalog import Layer
from twin.ingest.child import in_child
from twin.ingest.read import Source, SourceError
from twin.ingest.validate import Options, Problem

PROGRESS_OVER = 5_000  # features; smaller loads finish before a bar would help


@dataclass(frozen=True)
class Reading:
    """What a load reads: the file, for which layer, how, the layer's fields it gives."""

    layer: Layer
    source: Source
    opts: Options
    provided: tuple[str, ...]
    progress: bool


@dataclass
class Ready:
    """One chunk checked and encoded as COPY data, with what was found on the way."""

    read: int
    problems: list[Problem]
    repairs: list[str]
    flattened: list[int]
    binary: bool
    blocks: list[bytes | str]


@dataclass
class Streamed:
    """What reading a file found: problems, repairs, features flattened, features read."""

    problems: list[Problem]
    repairs: list[str]
    flattened: list[int]
    read: int


Make = Callable[[], Generator[Ready, None, None]]


def stream(reading: Reading, makers: Sequence[Make], write: Callable[[Ready], None]) -> Streamed:
    """Write the chunks each maker yields, a chunk of each in turn; for a CSV each maker runs
    in a child process of its own. Raise SourceError when the file held no feature."""
    source, progress = reading.source, reading.progress
    found = Streamed([], [], [], 0)
    bar = tqdm(
        total=source.total,
        unit=" features",
        disable=not progress or (source.total or 0) < PROGRESS_OVER,
    )
    with bar, contextlib.ExitStack() as readers:
        # Only CSV (read by pandas) in a child process: GDAL's messages reach Python's
        # warnings (and so the report) only from the thread that imported pyogrio.
        # closing: a failed write ends the children now, not when the traceback is freed.
        made = [
            readers.enter_context(contextlib.closing(in_child(m) if source.csv_geometry else m()))
            for m in makers
        ]
        for done in _in_turn(made):
            found.problems += done.problems
            found.repairs += done.repairs
            found.flattened += done.flattened
            found.read += done.read
            write(done)
            bar.update(done.read)
    if found.read == 0:
        raise SourceError(_nothing_read(source))
    return found


def _in_turn(made: list[Generator[Ready, None, None]]) -> Iterator[Ready]:
    """An item of each generator in turn, until all are done."""
    left = list(made)
    while left:
        for items in list(left):
            item = next(items, None)
            if item is None:
                left.remove(items)
            else:
                yield item


def _nothing_read(source: Source) -> str:
    where = f" match --where {source.where!r}" if source.where else ""
    layer = f" in layer {source.layer!r}" if source.layer else ""
    return f"{source.path}: no features{layer}{where}: nothing to load"
