"""The `twin` command: db, demo, serve, bench, load, export, hotspots, layers, plan, ops."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from twin.catalog import CatalogError, Layer, load_catalog
from twin.db.cluster import Cluster, ClusterError
from twin.db.connect import DatabaseError, connect, database_url, open_pool, redact
from twin.db.migrate import migrate
from twin.hotspots.command import add_parser as add_hotspots_parser
from twin.ingest.topology import FIX_BELOW_M2
from twin.ops.command import DEFAULT_RATE, add_simulate_parser
from twin.ops.command import add_parser as add_ops_parser
from twin.ops.command import rate as simulate_rate
from twin.performance.command import add_parser as add_report_parser
from twin.plans.command import add_parser as add_plan_parser
from twin.settings import Settings, SettingsError
from twin.synth.city import SIZES

MAX_PROBLEMS = 200  # printed one by one; beyond that, summarised by kind
# Errors raised by these libraries are the user's file, CRS or database talking: one line,
# never a traceback.
LIBRARIES = ("psycopg", "psycopg_pool", "pyogrio", "pyproj", "shapely", "fiona")


def _ready_url(settings: Settings) -> str:
    """The database URL, started and migrated."""
    url = database_url(settings)
    with connect(url) as conn:
        migrate(conn)
    return url


def say_data_dir(settings: Settings) -> None:
    """Print where the embedded cluster keeps its data (relative to the current directory)."""
    if not settings.database_url:
        print(f"embedded PostGIS data: {settings.pgdata.absolute()} (TWIN_PGDATA)", flush=True)


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """Manage the embedded cluster, or migrate whichever database is configured."""
    if args.action == "migrate":
        with connect(database_url(settings)) as conn:
            applied = migrate(conn)
        print("applied: " + ", ".join(applied) if applied else "schema is up to date")
        return 0
    if args.action == "verify":
        return db_verify(settings)
    if args.action == "maintain":
        from twin.db.maintain import maintain

        with connect(_ready_url(settings), autocommit=True) as conn:
            print(maintain(conn, everything=True).summary())
        return 0
    if settings.database_url:
        print(
            f"TWIN_DATABASE_URL is set ({redact(settings.database_url)}): "
            "twin does not manage that server"
        )
        return 0 if args.action == "status" else 1
    cluster = Cluster(settings.pgdata)
    if args.action == "start":
        running = cluster.start()
        print(f"embedded PostGIS running on 127.0.0.1:{running.port} (data: {cluster.pgdata})")
    elif args.action == "stop":
        print("stopped" if cluster.stop() else "not running")
    else:
        found = cluster.status()
        if found is None:
            print(f"not running (data: {cluster.pgdata})")
            return 3
        print(f"running on 127.0.0.1:{found.port}, pid {found.pid} (data: {cluster.pgdata})")
    return 0


def db_verify(settings: Settings) -> int:
    """Recount every count and assignment; exit 1 naming each disagreement."""
    from twin.db.verify import verify

    with connect(_ready_url(settings), autocommit=True) as conn:
        result = verify(conn, load_catalog(settings.layers_dir))
    for problem in result.problems:
        print(f"  {problem}", file=sys.stderr)
    print(result.summary(), file=sys.stderr if result.problems else sys.stdout)
    return 1 if result.problems else 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Load the demo city (once; again with --reload), then serve it."""
    from twin.synth.load import load_demo

    say_data_dir(settings)
    url = _ready_url(settings)
    with connect(url, autocommit=True) as conn:
        layers = load_catalog(settings.layers_dir)
        loaded = load_demo(
            conn, args.size, args.seed, replace=args.reload, progress=True, layers=layers
        )
    print(
        f"demo city '{args.size}' (seed {args.seed}) " + ("loaded" if loaded else "already loaded")
    )
    if args.no_serve:
        return 0
    return serve(settings, url, simulate_per_minute=0 if args.no_simulate else args.rate)


def cmd_serve(_: argparse.Namespace, settings: Settings) -> int:
    """Serve the dashboard over whatever the store holds."""
    say_data_dir(settings)
    return serve(settings, _ready_url(settings))


def serve(settings: Settings, url: str, simulate_per_minute: float = 0) -> int:
    """Run the Dash app until interrupted (with the simulator only when `twin demo` asks)."""
    import threading

    import waitress

    from twin.activity import Clock
    from twin.app.push import CONNECTIONS, THREADS
    from twin.app.server import create_app
    from twin.ops.sweep import start_sweeper
    from twin.plans.scheduler import start_scheduler

    pool = open_pool(url, settings.pool_max, settings.statement_timeout_ms)
    stops = [threading.Event()]

    def clock() -> Clock:
        return Clock.current(settings.timezone)

    try:
        # Scheduled plans go into force at their local midnight while the server runs.
        start_scheduler(pool, clock, stops[0])
        app = create_app(settings, pool)
        if settings.sweep_seconds:  # 督办: overdue stages escalate while the server runs
            stops.append(start_sweeper(pool, settings.sweep_seconds, clock)[1])
        if simulate_per_minute:
            from twin.ops.command import own_url
            from twin.ops.config import config_for
            from twin.ops.simulate import start_simulator

            # The simulator writes through this server's API, as any client: it starts
            # now and its first steps wait on the server to answer.
            config = config_for(settings)
            stops.append(start_simulator(pool, own_url(settings), simulate_per_minute, config))
            print(f"simulating {simulate_per_minute:g} new cases a minute")
        print(f"twin dashboard on http://{settings.host}:{settings.port}/")
        # waitress: a production WSGI server in pure Python (Flask's own is for development);
        # threads serve the map files, callbacks and refreshes of several pages at once, and
        # hold the pages' questions for a new version (twin.app.push: a few work, more wait).
        # A browser opens up to six connections to a server and keeps them: twenty pages are
        # 120, past waitress's default limit of 100, beyond which it stops accepting.
        waitress.serve(
            app.server,
            host=settings.host,
            port=settings.port,
            threads=THREADS,
            connection_limit=CONNECTIONS,
        )
    finally:
        for stop in stops:
            stop.set()
        pool.close()
    return 0


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    """Measure assignment, status and drill-down against the naive alternatives."""
    from twin.bench.loads import run_load_bench
    from twin.bench.store import PARTS, run_bench

    url = _ready_url(settings)
    if args.intake or args.load_run:  # each in a scratch database of its own
        return _bench_intake(args, url)
    if args.editor:  # it adds plans: in a copy of the store, dropped after
        from twin.bench.editor import run_editor_bench_copy

        print(run_editor_bench_copy(url, args.size, args.seed, args.repeat))
        return 0
    with connect(url, autocommit=True) as conn:
        if args.plans:
            from twin.bench.plans import run_plan_bench

            print(run_plan_bench(conn, args.size, args.seed, repeat=args.repeat))
        elif args.hotspots:
            from twin.bench.hotspots import run_hotspot_bench

            print(run_hotspot_bench(conn, args.size, args.seed, repeat=args.repeat))
        elif args.dashboard:
            from twin.bench.dashboard import run_dashboard_bench

            print(run_dashboard_bench(conn, url, args.size, args.seed))
        elif args.loads:
            print(run_load_bench(conn, url, args.size, args.seed, rows=args.rows))
        elif args.tiles:
            from twin.bench.tiles import run_tile_bench

            print(run_tile_bench(conn, args.size, args.seed))
        elif args.push:
            from twin.bench.push import run_push_bench

            print(run_push_bench(conn, url, args.size, args.seed, args.repeat))
        else:
            parts = args.only or PARTS
            print(run_bench(conn, args.size, args.seed, repeat=args.repeat, parts=parts))
    return 0


def _bench_intake(args: argparse.Namespace, url: str) -> int:
    """`twin bench --intake` or `--load-run`; the load run exits 1 when anything was lost."""
    if args.intake:
        from twin.bench.intake import run_intake_bench

        print(run_intake_bench(url, args.size, args.seed, args.cases))
        return 0
    from twin.bench.loadrun import Plan, run_load_run_bench

    text, kept = run_load_run_bench(
        url, args.size, args.seed, Plan(args.rate, args.seconds, args.clients)
    )
    print(text)
    return 0 if kept else 1


def _bounded(kind: type, low: float, high: float, what: str) -> Any:
    """An argparse type: a number of that kind from low to high."""

    def read(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text}: choose {what} from {low:g} to {high:g}")
        return value

    return read


def _layer(settings: Settings, name: str) -> Layer:
    layers = load_catalog(settings.layers_dir)
    if name not in layers:
        raise ValueError(f"no layer {name!r} in {settings.layers_dir}; layers: {', '.join(layers)}")
    return layers[name]


def _metres(text: str) -> float:
    return _positive(text, "metres")


def _square_metres(text: str) -> float:
    return _positive(text, "square metres")


def _row_count(text: str) -> int:
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a positive whole number of rows")
    return int(text)


def _positive(text: str, unit: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: give a positive number of {unit}")
    return value


def _check_crs(given: str | None) -> None:
    """A --crs that names no CRS is a usage error, found before any file is read."""
    if not given:
        return
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(f"EPSG:{given}" if given.isdigit() else given)
    except CRSError:
        raise ValueError(f"--crs {given!r}: no such CRS (give an EPSG code, e.g. 4490)") from None


def _mapping(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            raise ValueError(f"--map {pair!r}: write FIELD=COLUMN")
        out[field.strip()] = column.strip()
    return out


def cmd_load(args: argparse.Namespace, settings: Settings) -> int:
    """Load a GIS file into a layer, all or nothing."""
    from twin.ingest.load import (
        LoadRefused,
        Tolerance,
        abandon_when_client_dies,
        load_file,
        peak_memory_mb,
        reader_peak_memory_mb,
    )
    from twin.ingest.summary import summarise

    layer = _layer(settings, args.layer)
    if layer.kind == "reference":
        return load_reference_layer(args, settings, layer)
    if args.osm or args.tags:
        raise ValueError(
            f"--osm and --tags load reference layers; {layer.name} is a {layer.kind} layer"
            " (read an extract's points with --layer-name points --where ...)"
        )
    if args.fix_below is not None and not args.fix:
        raise ValueError("--fix-below sets how far --fix goes: give --fix as well")
    fix_below = FIX_BELOW_M2 if args.fix_below is None else args.fix_below
    tolerance = Tolerance(args.snap, fix_below, args.merge_parts)
    _check_crs(args.crs)
    with connect(_ready_url(settings), autocommit=True) as conn:
        abandon_when_client_dies(conn)
        try:
            report = load_file(
                conn,
                layer,
                args.file,
                layer_name=args.layer_name,
                crs=args.crs,
                mapping=_mapping(args.map),
                fix=args.fix,
                gcj02=args.from_ == "gcj02",
                where=args.where,
                tolerance=tolerance,
                progress=True,
            )
        except LoadRefused as refused:
            print(f"twin: {refused}", file=sys.stderr)
            for line in summarise(refused.problems, MAX_PROBLEMS):
                print(f"  {line}", file=sys.stderr)
            return 1
    for repair in report.repairs:
        print(f"repaired: {repair}")
    for note in report.notes:
        print(f"note: {note}")
    peak, reader = peak_memory_mb(), reader_peak_memory_mb()
    print(
        f"{report.layer}: {report.features:,} features from {args.file} "
        f"({report.inserted:,} new, {report.updated:,} updated) in {report.seconds:.1f} s, "
        f"{report.rate:,.0f} features/s"
        + ("; table created" if report.created_table else "")
        + (f"; peak memory {peak:,.0f} MB" if peak else "")
        + (f" (reading process {reader:,.0f} MB)" if reader else "")
    )
    return 0


def load_reference_layer(args: argparse.Namespace, settings: Settings, layer: Layer) -> int:
    """Replace a reference layer from a file or an OpenStreetMap extract, all or nothing."""
    from twin.ingest.reference import ReferenceLoad
    from twin.ingest.reference_command import run_load

    for given, option in ((args.snap, "--snap"), (args.merge_parts, "--merge-parts")):
        if given:
            raise ValueError(
                f"{option} applies to boundary layers; {layer.name} is a reference layer"
            )
    if args.fix_below is not None:
        raise ValueError(
            f"--fix-below applies to boundary layers; {layer.name} is a reference layer"
        )
    _check_crs(args.crs)
    how = ReferenceLoad(
        args.layer_name,
        args.crs,
        _mapping(args.map),
        args.fix,
        args.from_ == "gcj02",
        args.where,
        args.osm,
        tuple(args.tags),
    )
    return run_load(_ready_url(settings), layer, args.file, how, MAX_PROBLEMS)


def cmd_hotspots(args: argparse.Namespace, settings: Settings) -> int:
    """Gi* hotspots per unit of the filtered points, written to a file."""
    from twin.hotspots.command import run_command

    with connect(_ready_url(settings), autocommit=True) as conn:
        print(run_command(conn, args))
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write a layer to a GIS file."""
    from twin.export import export_layer
    from twin.plans.asof import as_of_moment

    layer = _layer(settings, args.layer)
    _check_crs(args.crs)
    as_of = as_of_moment(args.as_of, settings.timezone) if args.as_of else None
    if as_of is not None and layer.kind != "grid":
        raise ValueError(f"--as-of applies to grid layers; {layer.name} is a {layer.kind} layer")
    with connect(_ready_url(settings), autocommit=True) as conn:
        n = export_layer(conn, layer, args.file, crs=args.crs, where=args.where, as_of=as_of)
    print(f"{layer.name}: {n:,} features written to {args.file}")
    return 0


def cmd_layers(args: argparse.Namespace, settings: Settings) -> int:
    """Validate the layer catalog (and, with check, against the live database)."""
    from twin.catalog.check import check_catalog

    layers = load_catalog(settings.layers_dir)
    with connect(_ready_url(settings), autocommit=True) as conn:
        errors = check_catalog(conn, layers)
    for e in errors:
        print(e, file=sys.stderr)
    print(
        f"{len(layers)} layers checked: "
        + ("all match the database" if not errors else f"{len(errors)} problem(s)")
    )
    return 1 if errors else 0


def parser() -> argparse.ArgumentParser:
    """The command line, documented in the README (a test checks every option is)."""
    p = argparse.ArgumentParser(prog="twin", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="embedded PostGIS cluster and schema")
    db.add_argument("action", choices=["start", "stop", "status", "migrate", "verify", "maintain"])
    db.set_defaults(func=cmd_db)
    demo = sub.add_parser("demo", help="load the synthetic demo city and serve it")
    demo.add_argument("--size", choices=list(SIZES), default="small")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--reload", action="store_true", help="load again even if already loaded")
    demo.add_argument("--no-serve", action="store_true", help="load only, do not serve")
    demo.add_argument(
        "--rate",
        type=simulate_rate,
        default=DEFAULT_RATE,
        help="the simulator's new cases a minute while serving",
    )
    demo.add_argument("--no-simulate", action="store_true", help="serve the demo without life")
    demo.set_defaults(func=cmd_demo)
    serve_p = sub.add_parser("serve", help="serve the dashboard")
    serve_p.set_defaults(func=cmd_serve)
    bench = sub.add_parser("bench", help="benchmark against naive alternatives")
    bench.add_argument("--size", choices=list(SIZES), default="city")
    bench.add_argument("--seed", type=int, default=1)
    bench.add_argument("--repeat", type=int, default=5, help="timed runs per measure")
    bench.add_argument("--loads", action="store_true", help="measure file loads instead")
    bench.add_argument(
        "--only",
        action="append",
        choices=["status", "drilldown", "assignment"],
        help="of the store's figures, measure only this part (repeat for more)",
    )
    bench.add_argument(
        "--rows",
        type=_row_count,
        help="with --loads: rows of the CSV (the demo's incidents repeated; e.g. 10000000)",
    )
    bench.add_argument(
        "--dashboard",
        action="store_true",
        help="measure the dashboard in Chromium: payloads, refresh, drill-down",
    )
    bench.add_argument(
        "--hotspots",
        action="store_true",
        help="measure Gi* + FDR beside esda and a hotspot view beside a SQL recount",
    )
    bench.add_argument(
        "--plans",
        action="store_true",
        help="measure publishing and rolling back a 50-unit plan beside a full recount",
    )
    bench.add_argument(
        "--push",
        action="store_true",
        help="measure live push: refresh cost of 100 changed grids, API write to open cockpits",
    )
    bench.add_argument(
        "--tiles",
        action="store_true",
        help="measure reference vector tiles (latency, bytes) beside GeoJSON of each tile's box",
    )
    bench.add_argument(
        "--intake",
        action="store_true",
        help="measure cases/s accepted through twin serve (API, Open311) beside twin load",
    )
    bench.add_argument(
        "--cases",
        type=_bounded(int, 1, 100_000, "a count of cases"),
        default=2000,
        help="with --intake: cases posted each way (default 2000)",
    )
    bench.add_argument(
        "--load-run",
        action="store_true",
        help="intake at a steady rate beside open dashboards: latencies, and nothing lost",
    )
    bench.add_argument(
        "--rate",
        type=_bounded(float, 0.1, 500, "requests a second"),
        default=50.0,
        help="with --load-run: intake requests a second (default 50)",
    )
    bench.add_argument(
        "--seconds",
        type=_bounded(float, 1, 600, "seconds"),
        default=60.0,
        help="with --load-run: how long the intake runs (default 60)",
    )
    bench.add_argument(
        "--clients",
        type=_bounded(int, 1, 60, "dashboard clients"),
        default=20,
        help="with --load-run: open dashboards (default 20)",
    )
    bench.add_argument(
        "--editor",
        action="store_true",
        help="measure the plan editor in Chromium: page load and edit to impact panel",
    )
    bench.set_defaults(func=cmd_bench)
    load = sub.add_parser("load", help="load a GIS file into a layer (all or nothing)")
    load.add_argument("layer")
    load.add_argument("file", type=Path)
    load.add_argument("--layer-name", help="the layer inside a GeoPackage")
    load.add_argument("--crs", help="EPSG code of a file that declares no CRS")
    load.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="which file column feeds a field (repeatable)",
    )
    load.add_argument("--fix", action="store_true", help="repair what can be repaired safely")
    load.add_argument(
        "--fix-below",
        type=_square_metres,
        metavar="M2",
        help=f"with --fix, resolve overlaps and gaps up to this area (default {FIX_BELOW_M2:g})",
    )
    load.add_argument(
        "--snap",
        type=_metres,
        metavar="METRES",
        help="snap boundary vertices to neighbours' within this distance before the checks",
    )
    load.add_argument(
        "--merge-parts",
        action="store_true",
        help="dissolve features that share a code into one unit",
    )
    load.add_argument(
        "--where",
        help="load only features matching an SQL condition, e.g. \"man_made = 'surveillance'\"",
    )
    load.add_argument(
        "--from",
        dest="from_",
        choices=["gcj02"],
        help="coordinates are GCJ-02 (AMap/Tencent); convert to WGS 84",
    )
    load.add_argument(
        "--osm",
        action="store_true",
        help="the file is an OpenStreetMap extract (found by .osm/.osm.pbf otherwise)",
    )
    load.add_argument(
        "--tags",
        action="append",
        default=[],
        metavar="KEY=V1,V2",
        help="the OpenStreetMap tags a reference layer takes (repeatable; KEY=* for any)",
    )
    load.set_defaults(func=cmd_load)
    export = sub.add_parser("export", help="write a layer to a GIS file")
    export.add_argument("layer")
    export.add_argument("file", type=Path)
    export.add_argument("--crs", help="EPSG code to write in (default 4326)")
    export.add_argument("--where", help="filter on catalog fields, e.g. \"status = 'reported'\"")
    export.add_argument(
        "--as-of",
        metavar="DATE",
        help="a grid layer as in force at the end of DATE (or at an ISO time), counts recounted",
    )
    export.set_defaults(func=cmd_export)
    add_hotspots_parser(sub).set_defaults(func=cmd_hotspots)
    add_plan_parser(sub)  # each `twin plan` subcommand sets its own func
    add_ops_parser(sub)  # each `twin ops` subcommand sets its own func
    add_simulate_parser(sub)
    add_report_parser(sub)  # each `twin report` subcommand sets its own func
    layers = sub.add_parser("layers", help="the layer catalog")
    layers.add_argument("action", choices=["check"])
    layers.set_defaults(func=cmd_layers)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.func(args, settings))
    except (SettingsError, ClusterError, DatabaseError, CatalogError, ValueError) as exc:
        print(f"twin: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        said = library_error(exc)
        if said is None:
            raise
        print(f"twin: error: {said}", file=sys.stderr)
        return 2


def library_error(exc: Exception) -> str | None:
    """One line for an error from a file, a CRS or the database (None: a bug, to show)."""
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    if type(exc).__module__.split(".")[0] not in LIBRARIES:
        return None
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None)
    if primary:
        return f"the database refused it: {primary}"
    return " ".join(str(exc).split()) or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
