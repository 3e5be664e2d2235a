"""`twin bench --loads`: load rates of a 1M-point CSV (10M with --rows) and a 5,000-polygon
GeoPackage through `twin load`, beside GDAL's `ogr2ogr` on the same CSV and row-by-row
INSERTs, in a scratch database on the same server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psycopg
import pyogrio
from psycopg import conninfo, sql

from twin.bench.scratch import scratch_database
from twin.bench.table import Row, format_table
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.export import export_layer, fetch_features
from twin.settings import Settings
from twin.synth.load import load_demo

SCRATCH = "twin_bench_load"
OGR_TABLE = "bench_ogr_incident"  # where ogr2ogr writes its copy of the CSV
ROW_BY_ROW_SAMPLE = 20_000
POLY_SAMPLE = 500


def _cli_load(url: str, layer: str, path: Path, *extra: str) -> tuple[float, float]:
    """Seconds and peak memory (MB, the larger of the load's and its reading process's, as
    `twin load` reports them) of a load in a child process.

    Not getrusage(RUSAGE_CHILDREN): that counts the fork's copy of this (large) process."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "twin.cli", "load", layer, str(path), *extra],
        env=os.environ | {"TWIN_DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"twin load {layer} failed:\n{done.stderr[-3000:]}")
    # A CSV's reading process (a fork) peaks on its own: the larger of the two is the figure.
    found = re.search(r"peak memory ([\d,]+) MB(?: \(reading process ([\d,]+) MB\))?", done.stdout)
    peaks = [float(v.replace(",", "")) for v in found.groups() if v] if found else []
    return time.perf_counter() - start, max(peaks) if peaks else float("nan")


def _peak_run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Seconds, peak memory (MB, the child's own VmHWM, sampled) and stderr of a command."""
    start = time.perf_counter()
    child = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0.0
    status = Path(f"/proc/{child.pid}/status")
    while child.poll() is None:
        try:
            hwm = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
            peak = max(peak, int(hwm.split()[1]) / 1024)
        except (OSError, StopIteration, ValueError):
            pass
        time.sleep(0.05)
    _, err = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed:\n{err.decode(errors='replace')[-3000:]}")
    return time.perf_counter() - start, peak, err.decode(errors="replace")


def _ogr2ogr(url: str, path: Path) -> tuple[float, float] | None:
    """Seconds and peak MB of GDAL's own import of the CSV (COPY, a GiST index, no checks),
    or None where ogr2ogr is not installed (`make bench-load` installs gdal-bin)."""
    exe = shutil.which("ogr2ogr")
    if exe is None:
        return None
    info = conninfo.conninfo_to_dict(url)
    pg = "PG:" + " ".join(
        f"{key}={info[name]}"
        for key, name in (
            ("host", "host"),
            ("port", "port"),
            ("user", "user"),
            ("dbname", "dbname"),
        )
        if info.get(name)
    )
    env = os.environ | ({"PGPASSWORD": str(info["password"])} if info.get("password") else {})
    cmd = [exe, "-f", "PostgreSQL", pg, str(path), "-nln", OGR_TABLE, "-overwrite"]
    cmd += ["-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-a_srs", "EPSG:4326"]
    cmd += ["-lco", "SPATIAL_INDEX=GIST", "--config", "PG_USE_COPY", "YES"]
    seconds, peak, _ = _peak_run(cmd, env)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(OGR_TABLE)))
    return seconds, peak


def scaled_csv(source: Path, target: Path, rows: int) -> int:
    """A CSV of that many rows: the source's rows again and again, each pass's codes made
    new with a suffix (the code is a column of the source); the rows written."""
    with open(source, encoding="utf-8") as src:
        header = src.readline()
        body = src.readlines()
    position = header.rstrip("\n").split(",").index("code")
    written = 0
    with open(target, "w", encoding="utf-8") as out:
        out.write(header)
        for round_ in range(-(-rows // len(body))):
            for line in body[: rows - written]:
                if round_:
                    cells = line.split(",", position + 1)
                    cells[position] += f"-{round_}"
                    line = ",".join(cells)
                out.write(line)
            written = min(rows, written + len(body))
    return written


def _row_by_row(url: str, table: str, frame: pd.DataFrame, columns: list[str]) -> float:
    """Rows per second for plain INSERTs, one per feature, the trigger assigning each grid."""
    stmt = sql.SQL("INSERT INTO {} ({}, geom) VALUES ({}, ST_GeomFromText(%s, 4326))").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)),
    )
    subset = frame[[*columns, "wkt"]]
    rows = [
        tuple(r) for r in subset.astype(object).where(subset.notna(), None).itertuples(index=False)
    ]
    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany(stmt, rows)
        seconds = time.perf_counter() - start
        conn.rollback()  # measured, not kept
    return len(rows) / seconds


def run_load_bench(
    conn: psycopg.Connection, url: str, size: str, seed: int, rows: int | None = None
) -> str:
    """Export the demo of that size to files, load them into a scratch database, report;
    rows makes the CSV that long (the demo's incidents repeated under new codes)."""
    load_demo(conn, size, seed, progress=True)
    layers = load_catalog(Settings.from_env().layers_dir)
    levels = Terms.of(layers).levels
    work = Path(tempfile.mkdtemp(prefix="twin-bench-"))
    gpkg, csv = work / "grids.gpkg", work / "incidents.csv"
    for level in levels:
        grids = fetch_features(conn, layers[level])
        keep = [*layers[level].field_names, "geometry"]
        pyogrio.write_dataframe(grids[keep], gpkg, layer=level, append=gpkg.exists())
    n_points = export_layer(conn, layers["incident"], csv)
    if rows is not None and rows != n_points:
        exported, csv = csv, work / f"incidents-{rows}.csv"
        n_points = scaled_csv(exported, csv, rows)
        exported.unlink()
    n_grids = int(pyogrio.read_info(gpkg, layer="grid")["features"])
    scratch = scratch_database(url, SCRATCH)
    for level in levels[:-1]:
        _cli_load(scratch, level, gpkg, "--layer-name", level)
    grid_s, grid_mb = _cli_load(scratch, "grid", gpkg, "--layer-name", "grid")
    # Row by row while the store holds grids only, as a planner loads them (before points).
    polys = fetch_features(conn, layers["grid"])[["code", "name", "geometry"]].head(POLY_SAMPLE)
    polys = pd.DataFrame(
        {
            "code": "RB" + polys["code"],
            "name": polys["name"],
            "level": "district",
            "wkt": polys.geometry.to_wkt(),
        }
    )
    naive_polys = _row_by_row(scratch, "grid", polys, ["code", "name", "level"])
    point_s, point_mb = _cli_load(scratch, "incident", csv, "--crs", "4326")
    ogr = _ogr2ogr(scratch, csv)
    sample = pd.read_csv(csv, nrows=ROW_BY_ROW_SAMPLE, dtype=str).rename(columns=str.strip)
    sample = sample.assign(
        wkt="POINT(" + sample["lon"] + " " + sample["lat"] + ")", code="RB" + sample["code"]
    )
    point_cols = list(layers["incident"].field_names)
    naive_points = _row_by_row(scratch, "incident", sample, point_cols)
    table = (
        [
            Row(
                f"load {n_points:,}-point CSV (validated, all-or-nothing)",
                n_points / point_s,
                n_points / ogr[0],
                f"ogr2ogr, COPY + GiST, no checks ({ogr[0]:,.1f} s, peak {ogr[1]:,.0f} MB)",
                "points/s",
            )
        ]
        if ogr
        else []
    )
    table += [
        Row(
            f"load {n_points:,}-point CSV (validated, all-or-nothing)",
            n_points / point_s,
            naive_points,
            f"row-by-row INSERT + trigger (rate on {len(sample):,})",
            "points/s",
        ),
        Row(
            f"load {n_grids:,}-polygon GeoPackage (topology checked)",
            n_grids / grid_s,
            naive_polys,
            f"row-by-row INSERT, no checks (rate on {len(polys):,})",
            "polygons/s",
        ),
    ]
    missing = "" if ogr else "; ogr2ogr not installed (make bench-load installs gdal-bin)"
    header = (
        f"twin bench --loads — size {size}: {csv.stat().st_size / 1e6:,.0f} MB CSV, "
        f"{gpkg.stat().st_size / 1e6:,.0f} MB GeoPackage (in {work}); peak memory of "
        f"`twin load` (its process or its reading process, the larger): CSV {point_mb:,.0f} MB, "
        f"GeoPackage {grid_mb:,.0f} MB; "
        f"CSV {point_s:,.1f} s, grids {grid_s:,.1f} s{missing}"
    )
    return format_table(table, header)
