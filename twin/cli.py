"""The `twin` command: db start|stop|status|migrate, demo, serve, bench."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from twin.db.cluster import Cluster, ClusterError
from twin.db.connect import DatabaseError, connect, database_url, open_pool, redact
from twin.db.migrate import migrate
from twin.settings import Settings, SettingsError
from twin.synth.city import SIZES


def _ready_url(settings: Settings) -> str:
    """The database URL, started and migrated."""
    url = database_url(settings)
    with connect(url) as conn:
        migrate(conn)
    return url


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """Manage the embedded cluster, or migrate whichever database is configured."""
    if args.action == "migrate":
        with connect(database_url(settings)) as conn:
            applied = migrate(conn)
        print("applied: " + ", ".join(applied) if applied else "schema is up to date")
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


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Load the demo city (once; again with --reload), then serve it."""
    from twin.synth.load import load_demo

    url = _ready_url(settings)
    with connect(url, autocommit=True) as conn:
        loaded = load_demo(conn, args.size, args.seed, replace=args.reload, progress=True)
    print(
        f"demo city '{args.size}' (seed {args.seed}) " + ("loaded" if loaded else "already loaded")
    )
    if args.no_serve:
        return 0
    return serve(settings, url)


def cmd_serve(_: argparse.Namespace, settings: Settings) -> int:
    """Serve the dashboard over whatever the store holds."""
    return serve(settings, _ready_url(settings))


def serve(settings: Settings, url: str) -> int:
    """Run the Dash app until interrupted."""
    from twin.app.server import create_app

    pool = open_pool(url, settings.pool_max)
    try:
        app = create_app(settings, pool)
        print(f"twin dashboard on http://{settings.host}:{settings.port}/")
        app.run(host=settings.host, port=settings.port, debug=False)
    finally:
        pool.close()
    return 0


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    """Measure assignment, status and drill-down against the naive alternatives."""
    from twin.bench import run_bench

    url = _ready_url(settings)
    with connect(url, autocommit=True) as conn:
        print(run_bench(conn, args.size, args.seed, repeat=args.repeat))
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line, documented in the README (a test checks every option is)."""
    p = argparse.ArgumentParser(prog="twin", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="embedded PostGIS cluster and schema")
    db.add_argument("action", choices=["start", "stop", "status", "migrate"])
    db.set_defaults(func=cmd_db)
    demo = sub.add_parser("demo", help="load the synthetic demo city and serve it")
    demo.add_argument("--size", choices=list(SIZES), default="small")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--reload", action="store_true", help="load again even if already loaded")
    demo.add_argument("--no-serve", action="store_true", help="load only, do not serve")
    demo.set_defaults(func=cmd_demo)
    serve_p = sub.add_parser("serve", help="serve the dashboard")
    serve_p.set_defaults(func=cmd_serve)
    bench = sub.add_parser("bench", help="benchmark against naive alternatives")
    bench.add_argument("--size", choices=list(SIZES), default="city")
    bench.add_argument("--seed", type=int, default=1)
    bench.add_argument("--repeat", type=int, default=5, help="timed runs per measure")
    bench.set_defaults(func=cmd_bench)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return int(args.func(args, settings))
    except (SettingsError, ClusterError, DatabaseError, ValueError) as exc:
        print(f"twin: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
