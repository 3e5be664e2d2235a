"""`twin load`: a GIS file into a catalog layer, validated whole, written all-or-nothing."""

from __future__ import annotations

import functools
import resource
import time
import warnings
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn, ParamSpec, TypeVar

import psycopg
from pyproj import CRS
from pyproj.exceptions import CRSError

from twin.catalog import Layer
from twin.db.queries import query
from twin.ingest import bulk, direct, grids, topology
from twin.ingest.convert import WGS84
from twin.ingest.defaults import fill_stage_defaults, missing_field_defaults
from twin.ingest.read import open_source
from twin.ingest.schema import create_point_table
from twin.ingest.stream import Reading, Ready, Streamed, stream
from twin.ingest.validate import Options, Problem, convert_chunk, resolve_columns
from twin.plans.versions import record_version
from twin.spatial import assign_memory

WARNINGS_SHOWN = 5  # GDAL warns once per column and chunk: the first few say what it is
P = ParamSpec("P")
T = TypeVar("T")


class LoadRefused(ValueError):
    """The file was not loaded; every problem found is listed, nothing was written."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path, self.problems = path, problems
        super().__init__(f"{path}: {len(problems)} problem(s); nothing was loaded")

    def __reduce__(self) -> tuple[type[LoadRefused], tuple[Path, list[Problem]]]:
        return LoadRefused, (self.path, self.problems)  # whole, from a reading process


@dataclass
class LoadReport:
    """What a load did and how fast."""

    layer: str
    features: int
    inserted: int
    updated: int
    seconds: float
    repairs: list[str] = field(default_factory=list)
    created_table: bool = False
    notes: list[str] = field(default_factory=list)  # what was assumed or left out, not repaired
    replaced: int | None = None  # a reference layer's features before it was replaced

    @property
    def rate(self) -> float:
        """Features per second."""
        return self.features / self.seconds if self.seconds else float("inf")


def _refuse(path: Path, field: str, reason: str) -> NoReturn:
    raise LoadRefused(path, [Problem(None, None, field, reason)])


@dataclass(frozen=True)
class Tolerance:
    """How forgiving a load of boundaries is: --snap, --fix-below, --merge-parts."""

    snap_m: float | None = None  # snap vertices to neighbours' within this many metres
    fix_below_m2: float = topology.FIX_BELOW_M2  # --fix resolves overlaps and gaps below this
    merge_parts: bool = False  # dissolve features that share a code into one unit


def source_crs(
    file_crs: CRS | None, given: str | None, path: Path, assume_wgs84: bool = False
) -> CRS:
    """The CRS to read the file in: its own, or --crs when it declares none (a CSV that
    declares none is WGS 84); the two may not disagree."""
    declared = None
    if given:
        try:
            declared = CRS.from_user_input(f"EPSG:{given}" if given.isdigit() else given)
        except CRSError as exc:
            _refuse(path, "--crs", f"unknown CRS {given!r}: {exc}")
    if file_crs is None and declared is None and assume_wgs84:
        return WGS84
    if file_crs is None and declared is None:
        _refuse(
            path,
            "crs",
            "the file declares no CRS: say which with --crs EPSG (e.g. --crs 4326 or --crs 4490)",
        )
    if file_crs is not None and declared is not None and not file_crs.equals(declared):
        _refuse(
            path,
            "crs",
            f"the file says {file_crs.to_string()} but --crs says {declared.to_string()}",
        )
    crs = declared or file_crs
    assert crs is not None
    return crs


def warnings_as_notes(load: Callable[P, LoadReport]) -> Callable[P, LoadReport]:
    """GDAL and pandas speak through Python warnings: what they say goes into the report,
    not onto the terminal."""

    @functools.wraps(load)
    def recorded(*args: P.args, **kwargs: P.kwargs) -> LoadReport:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            report = load(*args, **kwargs)
        said = list(dict.fromkeys(str(w.message) for w in caught))
        report.notes += [f"the reader warned: {m}" for m in said[:WARNINGS_SHOWN]]
        if len(said) > WARNINGS_SHOWN:
            report.notes.append(f"the reader warned {len(said) - WARNINGS_SHOWN:,} more time(s)")
        return report

    return recorded


@warnings_as_notes
def load_file(
    conn: psycopg.Connection,
    layer: Layer,
    path: Path,
    *,
    layer_name: str | None = None,
    crs: str | None = None,
    mapping: dict[str, str] | None = None,
    fix: bool = False,
    gcj02: bool = False,
    where: str | None = None,
    tolerance: Tolerance | None = None,
    progress: bool = False,
) -> LoadReport:
    """Load a file into a layer in one transaction (give an autocommit connection); raise
    LoadRefused with every problem, and write nothing, when anything is wrong."""
    tolerance = tolerance or Tolerance()
    mapping = mapping or {}
    start = time.perf_counter()
    if layer.kind == "reference":
        _refuse(path, "layer", f"{layer.name} is a reference layer: twin.ingest.reference loads it")
    if layer.kind == "point" and (tolerance.snap_m or tolerance.merge_parts):
        option = "--snap" if tolerance.snap_m else "--merge-parts"
        _refuse(path, option, f"applies to boundary layers; {layer.name} is a point layer")
    source = open_source(path, layer_name, mapping, where)
    columns, problems = resolve_columns(layer, source.columns, mapping)
    is_csv = bool(source.csv_geometry)
    read_crs = source_crs(source.crs, crs, path, assume_wgs84=is_csv)
    assumed = is_csv and source.crs is None and not crs
    opts = Options(read_crs, columns, fix, gcj02, assumed)
    if problems:
        raise LoadRefused(path, problems)
    provided = tuple(f for f in layer.field_names if f in columns)
    notes = ["the CSV declares no CRS: read as WGS 84 (EPSG:4326); say --crs otherwise"] * assumed
    created = layer.kind == "point" and create_point_table(conn, layer)
    with conn.transaction():
        reading = Reading(layer, source, opts, provided, progress)
        straight = direct.load(conn, reading)
        loaded = (
            _Loaded(straight[0], straight[1], 0, straight[0].repairs, [])
            if straight
            else _load_staged(conn, reading, tolerance, fix)
        )
        notes += loaded.notes
        if loaded.streamed.flattened:
            notes.append(_flattened_note(loaded.streamed.flattened))
        if loaded.inserted:
            notes += missing_field_defaults(conn, layer, provided, loaded.inserted)
    if layer.kind == "grid":  # the grid moved: the next point load finds its index built
        assign_memory.prepare_unit_index(conn)
    return LoadReport(
        layer.name,
        loaded.streamed.read,
        loaded.inserted,
        loaded.updated,
        time.perf_counter() - start,
        loaded.repairs,
        created,
        notes,
    )


@dataclass
class _Loaded:
    """What a load read and wrote, and what it noted on the way."""

    streamed: Streamed
    inserted: int
    updated: int
    repairs: list[str]
    notes: list[str]


def _load_staged(
    conn: psycopg.Connection, reading: Reading, tolerance: Tolerance, fix: bool
) -> _Loaded:
    """Stage the file, check it whole, and upsert it into the layer; raise LoadRefused with
    every problem found."""
    layer, source, provided = reading.layer, reading.source, reading.provided
    streamed = _stage(conn, reading)
    problems = list(streamed.problems)
    found, fixed = _check_stage(conn, layer, tolerance if not problems else None, fix)
    problems += found
    repairs = streamed.repairs + fixed
    if problems:
        raise LoadRefused(source.path, problems)  # the caller's block rolls everything back
    notes: list[str] = []
    try:
        if layer.kind == "point":
            notes += fill_stage_defaults(conn, layer, provided)
            bulk.index_point_stage(conn)
            inserted, updated = bulk.upsert_points(conn, layer.table, provided)
        else:
            notes += grids.placement_notes(conn)
            inserted, updated = grids.upsert_grids(conn, layer.level or "", provided)
            notes += grids.adopt_children(conn, layer.level or "")
            note = f"{layer.name}: {source.path.name}"
            record_version(conn, "load", effective_at=None, note=note)
    except (psycopg.errors.CheckViolation, psycopg.errors.NotNullViolation) as exc:
        # The row dump in the detail carries geometry hex; the message and hint are the
        # readable part (the lifecycle trigger names the case and the allowed moves).
        reason = exc.diag.message_primary or str(exc)
        hint = f" ({exc.diag.message_hint})" if exc.diag.message_hint else ""
        raise LoadRefused(source.path, [Problem(None, None, "database", reason + hint)]) from exc
    return _Loaded(streamed, inserted, updated, repairs, notes)


def _stage(conn: psycopg.Connection, reading: Reading) -> Streamed:
    """Read, check and convert the file chunk by chunk into the stage."""
    layer, provided = reading.layer, reading.provided
    if layer.kind == "point":
        bulk.create_point_stage(conn, layer.table, provided)
    else:
        grids.create_grid_stage(conn)
    geometry_columns = ["lon", "lat"] if layer.kind == "point" else ["wkb"]
    columns = ["feature", *provided, *geometry_columns]
    types = bulk.stage_types(conn, columns)
    make = functools.partial(_ready_chunks, reading, columns, types)

    def write(done: Ready) -> None:
        # Staged even with problems (rolled back then), so duplicate codes are found across
        # the whole file in the same pass.
        bulk.write_blocks(conn, columns, done.binary, done.blocks)

    return stream(reading, [make], write)


def _ready_chunks(
    reading: Reading, columns: list[str], types: list[str]
) -> Generator[Ready, None, None]:
    """The file's chunks checked, converted and encoded for these stage columns; needs no
    database, so a child process can make them."""
    for chunk in reading.source.chunks():
        done = convert_chunk(reading.layer, chunk, reading.opts)
        frame = done.frame[columns]
        frame = bulk.in_z_order(frame) if reading.layer.kind == "point" else frame
        binary, blocks = bulk.copy_blocks(frame, types)
        yield Ready(
            len(chunk.attributes), done.problems, done.repairs, done.flattened, binary, blocks
        )


def _check_stage(
    conn: psycopg.Connection, layer: Layer, tolerance: Tolerance | None, fix: bool
) -> tuple[list[Problem], list[str]]:
    """Problems across the staged file (duplicate codes; a level's topology) and the
    tolerance repairs made first; tolerance None when rows already have problems."""
    if layer.kind == "point" or tolerance is None:
        return duplicate_codes(conn), []
    repairs: list[str] = []
    if tolerance.merge_parts:
        problems, repairs = topology.merge_parts(conn)  # names the codes it cannot merge
    else:
        problems = duplicate_codes(conn)
    if not problems:
        level = layer.level or ""
        below = tolerance.fix_below_m2 if fix else None
        repairs += topology.repair_stage(conn, level, layer.parent, tolerance.snap_m, below)
        problems += grids.check_grids(conn, level)
    return problems, repairs


def _flattened_note(features: list[int]) -> str:
    shown = ", ".join(map(str, features[:5])) + (", …" if len(features) > 5 else "")
    return (
        f"{len(features):,} feature(s) had Z (height) values, dropped: twin stores 2-D "
        f"geometry (features {shown})"
    )


def abandon_when_client_dies(conn: psycopg.Connection) -> None:
    """Have the server notice within a second when this client is gone (killed), and roll
    back there and then: otherwise its backend runs the load's statement to the end,
    holding its locks, before it finds nobody to answer (PostgreSQL 14+ on Linux)."""
    if conn.info.server_version >= 140000:
        conn.execute("SET client_connection_check_interval = '1s'")


def peak_memory_mb() -> float | None:
    """This process's peak resident memory (Linux VmHWM: per address space, so a forked
    parent's pages do not count), or None where /proc is not there."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reader_peak_memory_mb() -> float | None:
    """The peak resident memory of the reading process a CSV load forks (twin.ingest.child),
    or None when none ran: the largest of this process's finished children."""
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak_kb / 1024 if peak_kb else None


def duplicate_codes(conn: psycopg.Connection) -> list[Problem]:
    """A problem for each feature that repeats a code another feature of the file has."""
    problems = []
    row = conn.execute("SELECT current_setting('work_mem')").fetchone()
    assert row is not None  # a setting always has a value
    conn.execute("SET LOCAL work_mem = '256MB'")  # the count per code of 1M codes in memory
    found = conn.execute(query("stage_duplicate_codes")).fetchall()
    conn.execute("SELECT set_config('work_mem', %s, true)", [row[0]])  # the caller's back
    for code, features in found:
        others = ", ".join(map(str, features))
        for f in features:
            problems.append(
                Problem(f, code, "code", f"duplicate code in the file (features {others})")
            )
    return problems
