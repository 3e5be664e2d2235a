"""`twin load`: a GIS file into a catalog layer, validated whole, written all-or-nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import psycopg
from pyproj import CRS
from pyproj.exceptions import CRSError
from tqdm import tqdm

from twin.catalog import Layer
from twin.db.queries import query
from twin.ingest import bulk, grids
from twin.ingest.read import open_source
from twin.ingest.schema import ensure_point_table
from twin.ingest.validate import Options, Problem, convert_chunk, resolve_columns

PROGRESS_OVER = 5_000  # features; smaller loads finish before a bar would help


class LoadRefused(ValueError):
    """The file was not loaded; every problem found is listed, nothing was written."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path, self.problems = path, problems
        super().__init__(f"{path}: {len(problems)} problem(s); nothing was loaded")


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

    @property
    def rate(self) -> float:
        """Features per second."""
        return self.features / self.seconds if self.seconds else float("inf")


def _refuse(path: Path, field: str, reason: str) -> NoReturn:
    raise LoadRefused(path, [Problem(None, None, field, reason)])


def source_crs(file_crs: CRS | None, given: str | None, path: Path) -> CRS:
    """The CRS to read the file in: its own, or --crs when it declares none; the two may
    not disagree."""
    declared = None
    if given:
        try:
            declared = CRS.from_user_input(f"EPSG:{given}" if given.isdigit() else given)
        except CRSError as exc:
            _refuse(path, "--crs", f"unknown CRS {given!r}: {exc}")
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
    progress: bool = False,
) -> LoadReport:
    """Load a file into a layer in one transaction (give an autocommit connection); raise
    LoadRefused with every problem, and write nothing, when anything is wrong."""
    start = time.perf_counter()
    mapping = mapping or {}
    source = open_source(path, layer_name, mapping)
    columns, problems = resolve_columns(layer, source.columns, mapping)
    opts = Options(source_crs(source.crs, crs, path), columns, fix, gcj02)
    if problems:
        raise LoadRefused(path, problems)
    provided = tuple(f for f in layer.field_names if f in columns)
    geometry_columns = ["lon", "lat"] if layer.kind == "point" else ["wkb"]
    repairs: list[str] = []
    with conn.transaction():
        created = layer.kind == "point" and ensure_point_table(conn, layer)
        if layer.kind == "point":
            bulk.create_point_stage(conn, layer.table, provided)
        else:
            grids.create_grid_stage(conn)
        bar = tqdm(
            total=source.total,
            unit=" features",
            disable=not progress or source.total < PROGRESS_OVER,
        )
        with bar:
            for chunk in source.chunks():
                frame, found, fixed = convert_chunk(layer, chunk, opts)
                problems += found
                repairs += fixed
                # Staged even with problems (rolled back then), so duplicate codes are
                # found across the whole file in the same pass.
                frame = frame[["feature", *provided, *geometry_columns]]
                bulk.copy_frame(conn, bulk.in_z_order(frame) if layer.kind == "point" else frame)
                bar.update(len(chunk.attributes))
        problems += duplicate_codes(conn)
        if layer.kind == "grid" and not problems:
            problems += grids.check_grids(conn, layer.level or "", layer.parent)
        if problems:
            raise LoadRefused(path, problems)  # leaving the block rolls everything back
        try:
            if layer.kind == "point":
                bulk.index_point_stage(conn)
                inserted, updated = bulk.upsert_points(conn, layer.table, provided)
            else:
                inserted, updated = grids.upsert_grids(
                    conn, layer.level or "", layer.parent, provided
                )
        except (psycopg.errors.CheckViolation, psycopg.errors.NotNullViolation) as exc:
            # The row dump in the detail carries geometry hex; the message and hint are the
            # readable part (the lifecycle trigger names the case and the allowed moves).
            reason = exc.diag.message_primary or str(exc)
            hint = f" ({exc.diag.message_hint})" if exc.diag.message_hint else ""
            raise LoadRefused(path, [Problem(None, None, "database", reason + hint)]) from exc
    return LoadReport(
        layer.name, source.total, inserted, updated, time.perf_counter() - start, repairs, created
    )


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


def duplicate_codes(conn: psycopg.Connection) -> list[Problem]:
    """A problem for each feature that repeats a code another feature of the file has."""
    problems = []
    for code, features in conn.execute(query("stage_duplicate_codes")):
        others = ", ".join(map(str, features))
        for f in features:
            problems.append(
                Problem(f, code, "code", f"duplicate code in the file (features {others})")
            )
    return problems
