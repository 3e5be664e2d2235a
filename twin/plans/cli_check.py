"""The `twin plan` subcommands of this part of planning (see twin.plans.command): check, fix,
impact, diff, import, export."""

from __future__ import annotations

import argparse
import csv
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from twin.activity import Clock
from twin.plans.model import Problem
from twin.plans.rules import MEASURES, Rules, rules_for
from twin.settings import Settings


def add_commands(plans: argparse._SubParsersAction) -> None:
    """Add this part's subcommands."""
    check = plans.add_parser("check", help="validate a plan's map (exit 1 on problems)")
    check.add_argument("name")
    check.set_defaults(func=cmd_check)
    fix = plans.add_parser("fix", help="give a plan's slivers and small gaps to neighbours")
    fix.add_argument("name")
    fix.add_argument("--actor", help="who does it (default: the login name)")
    fix.set_defaults(func=cmd_fix)
    imp = plans.add_parser("impact", help="what a plan moves: counts, cases, workload")
    imp.add_argument("name")
    imp.add_argument("--out", type=Path, metavar="FILE.csv", help="one row per touched unit")
    imp.set_defaults(func=cmd_impact)
    dif = plans.add_parser("diff", help="compare two plans or versions")
    dif.add_argument("a", metavar="A", help="a plan name or a version number")
    dif.add_argument("b", metavar="B", help="a plan name or a version number")
    dif.add_argument(
        "--out", type=Path, metavar="FILE", help=".csv: the table; .gpkg/.geojson: the areas"
    )
    dif.set_defaults(func=cmd_diff)
    load = plans.add_parser("import", help="a plan from a file of one level's units")
    load.add_argument("name")
    load.add_argument("file", type=Path)
    load.add_argument("--level", help="the level the file holds (default: the finest loaded)")
    load.add_argument("--layer-name", help="the file's layer (files with several)")
    load.add_argument(
        "--map", action="append", default=[], metavar="F=C", help="field F from column C"
    )
    load.add_argument("--actor", help="who does it (default: the login name)")
    load.set_defaults(func=cmd_import)
    out = plans.add_parser("export", help="a plan's map and problems to a GeoPackage")
    out.add_argument("name")
    out.add_argument("file", type=Path)
    out.set_defaults(func=cmd_export)


@contextmanager
def _session(settings: Settings) -> Iterator[tuple[psycopg.Connection, Rules, Clock]]:
    from twin.cli import _ready_url
    from twin.db.connect import connect

    rules = rules_for(settings.layers_dir)
    with connect(_ready_url(settings), autocommit=True) as conn:
        yield conn, rules, Clock.current(settings.timezone)


def format_problem(p: Problem) -> str:
    """One line per problem: kind, units, area, where, why."""
    detail = f"  {p.detail}" if p.detail else ""
    return (
        f"{p.kind:<18} {','.join(p.codes):<24} {p.area_m2:>14,.1f} m²  at {p.lon},{p.lat}{detail}"
    )


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Print every problem of the plan's map; exit 1 when there is any."""
    from twin.plans import store
    from twin.plans.checks import validate_plan

    with _session(settings) as (conn, rules, _):
        problems = validate_plan(conn, store.get_plan(conn, args.name), rules)
    for p in problems:
        print(format_problem(p))
    print(
        f"plan {args.name}: {len(problems)} problem(s)"
        if problems
        else f"plan {args.name}: no problem"
    )
    return 1 if problems else 0


def cmd_fix(args: argparse.Namespace, settings: Settings) -> int:
    """Repair the small problems, list each repair and what is left."""
    from twin.plans import store
    from twin.plans.checks import fix_plan

    with _session(settings) as (conn, rules, clock):
        plan = store.get_plan(conn, args.name)
        fixed = fix_plan(conn, plan, rules, args.actor or getpass.getuser(), clock)
    for r in fixed.repairs:
        print(f"{r.kind:<18} -> {r.to_code:<12} {r.area_m2:>12,.1f} m²  {r.detail}")
    for p in fixed.problems:
        print(format_problem(p))
    print(
        f"plan {args.name}: {len(fixed.repairs)} repair(s), revision {fixed.revision}, "
        f"{len(fixed.problems)} problem(s) left"
    )
    return 0


def cmd_impact(args: argparse.Namespace, settings: Settings) -> int:
    """Print (and with --out, write as CSV) the impact of a plan."""
    from twin.plans import store
    from twin.plans.impact import impact_of

    with _session(settings) as (conn, rules, clock):
        result = impact_of(conn, store.get_plan(conn, args.name), clock, rules)
    rows = [r.flat() for r in result.rows]
    columns = ["code", "change"] + [f"{m}_{w}" for m in MEASURES for w in ("before", "after")]
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    for row in rows:
        pairs = " ".join(f"{m} {_n(row[f'{m}_before'])}→{_n(row[f'{m}_after'])}" for m in MEASURES)
        print(f"{row['code']:<12} {row['change']:<20} {pairs}")
    print(f"{len(result.moved)} point(s) change unit; {len(result.inherited)} open case(s) move")
    for case in result.inherited:
        print(f"  case {case.code}: {case.from_code} → {case.to_code}, officer {case.to_officer}")
    for when, b in (("before", result.balance_before), ("after", result.balance_after)):
        ratio = "-" if b.max_min_ratio is None else f"{b.max_min_ratio:.2f}"
        cv = "-" if b.cv is None else f"{b.cv:.3f}"
        print(f"workload {when}: {len(b.per_officer)} officer(s), max/min {ratio}, CV {cv}")
    return 0


def _n(v: object) -> str:
    return "-" if v is None else str(v)


def cmd_diff(args: argparse.Namespace, settings: Settings) -> int:
    """Print the diff of two plans or versions; --out writes the table or the areas."""
    from twin.plans.checks import diff_of

    with _session(settings) as (conn, _, _):
        d = diff_of(conn, args.a, args.b)
    for r in d.rows:
        print(
            f"{r.code:<12} {r.level:<10} {'+'.join(r.changes):<30} "
            f"{r.area_before_m2:,.0f} → {r.area_after_m2:,.0f} m²"
        )
    for e in d.exchanges:
        print(
            f"  {e.level}: {e.from_code or '(none)'} → {e.to_code or '(none)'} {e.area_m2:,.1f} m²"
        )
    print(f"{len(d.rows)} unit(s) differ; {len(d.exchanges)} area(s) changed hands")
    if args.out:
        write_diff(d, args.out)
    return 0


def write_diff(d: object, path: Path) -> None:
    """A diff's table (.csv) or its exchanged areas (.gpkg, .geojson)."""
    import geopandas as gpd

    from twin.plans.diff import Diff

    assert isinstance(d, Diff)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["code", "level", "changes", "area_before_m2", "area_after_m2"])
            for r in d.rows:
                writer.writerow(
                    [r.code, r.level, "+".join(r.changes), r.area_before_m2, r.area_after_m2]
                )
        return
    drivers = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON"}
    if suffix not in drivers:
        raise ValueError(f"{path}: --out takes .csv (the table), .gpkg or .geojson (the areas)")
    frame = gpd.GeoDataFrame(
        {
            "level": [e.level for e in d.exchanges],
            "from_code": [e.from_code for e in d.exchanges],
            "to_code": [e.to_code for e in d.exchanges],
            "area_m2": [e.area_m2 for e in d.exchanges],
        },
        geometry=[e.geom for e in d.exchanges],
        crs="EPSG:4326",
    )
    path.unlink(missing_ok=True)
    frame.to_file(path, driver=drivers[suffix], layer="exchanges")


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """Make a plan's units of a level those of a file."""
    from twin.catalog import load_catalog
    from twin.cli import _mapping
    from twin.plans.transfer import import_plan

    layers = load_catalog(settings.layers_dir)
    with _session(settings) as (conn, _, clock):
        done = import_plan(
            conn,
            args.name,
            args.file,
            args.level,
            args.layer_name,
            _mapping(args.map),
            args.actor or getpass.getuser(),
            clock,
            layers,
        )
    print(
        f"plan {args.name} ({done.level}): {len(done.added)} added, {len(done.changed)} changed, "
        f"{len(done.removed)} removed; revision {done.revision}"
    )
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write a plan's map and its problems to a GeoPackage."""
    from twin.plans.transfer import export_plan

    with _session(settings) as (conn, rules, _):
        written = export_plan(conn, args.name, args.file, rules)
    said = ", ".join(f"{layer} {n}" for layer, n in written.items())
    print(f"{args.file}: {said}", file=sys.stdout)
    return 0
