"""`twin hotspots`: Gi* hotspots per unit written to a CSV, GeoPackage or GeoJSON file."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from twin.hotspots.filters import STEPS, FilterError, Filters, Window, hex_size

# The analyses load geopandas and scipy, and every `twin` command builds this parser.
if TYPE_CHECKING:
    from twin.hotspots.analysis import HotspotResult
    from twin.hotspots.emerging import EmergingResult

OUT_COLUMNS = ["code", "count", "gi_z", "p_value", "p_fdr", "class"]
EMERGING_COLUMNS = [*OUT_COLUMNS, "category", "trend_z", "trend_p"]
FORMATS = {".csv": "CSV", ".gpkg": "GPKG", ".geojson": "GeoJSON"}
# A FilterError names a filter field; the user typed an option.
OPTION_OF = {
    "layer": "--layer",
    "category": "--category",
    "source": "--source",
    "severity": "--severity",
    "status": "--status",
    "window": "--window",
    "unit": "--level",
    "weights": "--weights",
    "permutations": "--permutations",
    "step": "--step",
    "lags": "--lags",
}


def _window(text: str) -> Window:
    try:
        return Window.parse(text)
    except FilterError as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc


def _level(text: str) -> str:
    try:
        hex_size(text)
    except FilterError as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc
    return text


def _weights(text: str) -> str:
    from twin.hotspots.weights import parse_weights  # (scipy: loaded only when asked)

    try:
        return str(parse_weights(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _out(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in FORMATS:
        raise argparse.ArgumentTypeError(f"{text}: write {', '.join(FORMATS)}")
    return path


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number, 0 or more")
    return value


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: an ISO date and time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """The `twin hotspots` subcommand and its options."""
    p = sub.add_parser("hotspots", help="Getis-Ord Gi* hotspots per unit, to a file")
    p.add_argument("--layer", default="incident", help="a point layer of the catalog")
    p.add_argument("--category", nargs="+", action="extend", default=[], metavar="C")
    p.add_argument("--source", nargs="+", action="extend", default=[], metavar="S")
    p.add_argument("--severity", nargs="+", action="extend", default=[], type=int, metavar="N")
    p.add_argument("--status", choices=["all", "open"], default="all")
    p.add_argument(
        "--level", type=_level, default="grid", help="grid|community|street|district|hex:METRES"
    )
    p.add_argument("--weights", type=_weights, default="queen", help="queen|band:METRES|knn:K")
    p.add_argument(
        "--window", type=_window, default=Window("30d"), help="24h|7d|30d|90d|all|FROM/TO"
    )
    p.add_argument(
        "--permutations", type=_count, default=0, help="permutation p-value draws, e.g. 999"
    )
    p.add_argument("--seed", type=_count, default=0, help="seed of the permutation draws")
    p.add_argument(
        "--emerging", action="store_true", help="emerging hotspots: Gi* per step, trend, category"
    )
    p.add_argument("--step", choices=list(STEPS), help="the step of --emerging (default 7d)")
    p.add_argument(
        "--lags", type=_count, default=0, help="--emerging: previous steps in each neighbourhood"
    )
    p.add_argument("--now", type=_moment, help="the clock's now (ISO; default: the real clock)")
    p.add_argument("--out", type=_out, required=True, help="FILE.csv, FILE.gpkg or FILE.geojson")
    return p


def write_result(
    result: HotspotResult | EmergingResult, out: Path, columns: list[str] = OUT_COLUMNS
) -> None:
    """The table's columns of the issue, one row per unit; with outlines unless a CSV."""
    import geopandas as gpd
    import pandas as pd

    table = result.table[columns]
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        table.to_csv(out, index=False)
        return
    frame = gpd.GeoDataFrame(
        pd.DataFrame(table), geometry=list(result.units.geoms_lonlat), crs="EPSG:4326"
    )
    frame.to_file(out, driver=FORMATS[out.suffix.lower()], engine="pyogrio")


def summary(result: HotspotResult) -> str:
    """One line: units, hot and cold counts, islands, points left out."""
    classes = result.table["class"]
    hot = int(classes.str.startswith("hot").sum())
    cold = int(classes.str.startswith("cold").sum())
    line = (
        f"{len(classes):,} units ({result.filters.unit}, {result.weights}): {hot:,} hot, "
        f"{cold:,} cold, {int(result.table['count'].sum()):,} points"
    )
    if result.islands:
        shown = ", ".join(result.islands[:10]) + (" …" if len(result.islands) > 10 else "")
        line += f"; {len(result.islands):,} islands without neighbours (no class): {shown}"
    if result.unassigned:
        line += f"; {result.unassigned:,} points in no unit"
    return line


def filters_of(args: argparse.Namespace) -> Filters:
    """The filters the options ask for."""
    return Filters(
        layer=args.layer,
        categories=tuple(args.category),
        sources=tuple(args.source),
        severities=tuple(args.severity),
        status=args.status,
        window=args.window,
        unit=args.level,
    )


def emerging_summary(result: EmergingResult) -> str:
    """One line: units, steps, and how many units fall in each category that occurs."""
    found = result.table["category"].value_counts()
    mix = ", ".join(f"{n:,} {c or 'islands'}" for c, n in found.items() if c != "none")
    return (
        f"{len(result.table):,} units × {len(result.edges) - 1} steps of {result.step}: "
        f"{mix or 'no pattern anywhere'}"
    )


def run_emerging_command(conn: psycopg.Connection, args: argparse.Namespace) -> str:
    """Run the emerging analysis the options ask for, write it, return the summary line."""
    from twin.hotspots.emerging import run_emerging

    if args.permutations:
        raise ValueError("--permutations: not with --emerging (normal p per step)")
    now = args.now or datetime.now(UTC)
    try:
        result = run_emerging(
            conn, filters_of(args), now, args.step or "7d", args.weights, lags=args.lags
        )
    except FilterError as exc:
        raise ValueError(f"{OPTION_OF.get(exc.field, exc.field)}: {exc.message}") from exc
    write_result(result, args.out, EMERGING_COLUMNS)
    return f"{emerging_summary(result)}; written to {args.out}"


def run_command(conn: psycopg.Connection, args: argparse.Namespace) -> str:
    """Run the analysis the options ask for, write it, return the summary line."""
    from twin.hotspots.analysis import run_hotspots

    if args.emerging:
        return run_emerging_command(conn, args)
    if args.step or args.lags:
        raise ValueError(f"{'--step' if args.step else '--lags'}: only with --emerging")
    now = args.now or datetime.now(UTC)
    try:
        result = run_hotspots(
            conn, filters_of(args), now, args.weights, args.permutations, args.seed
        )
    except FilterError as exc:
        raise ValueError(f"{OPTION_OF.get(exc.field, exc.field)}: {exc.message}") from exc
    write_result(result, args.out)
    return f"{summary(result)}; written to {args.out}"
