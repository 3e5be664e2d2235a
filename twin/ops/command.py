"""`twin ops …` (the sweep for cron, a configuration check) and `twin simulate`."""

from __future__ import annotations

import argparse
import threading

from twin.activity import Clock
from twin.db.connect import connect, database_url
from twin.db.migrate import migrate
from twin.ops.config import config_for
from twin.ops.sweep import sweep
from twin.settings import Settings

DEFAULT_RATE = 6.0  # new cases a minute: about 10^4 a day, a city's intake (DOMAIN.md)


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add `twin ops` and its subcommands to the CLI's subparsers."""
    ops = sub.add_parser("ops", help="live operations: escalation sweep, configuration check")
    actions = ops.add_subparsers(dest="ops_command", required=True)
    sweep_p = actions.add_parser(
        "sweep", help="escalate every overdue stage not escalated before (run it from cron)"
    )
    sweep_p.set_defaults(func=cmd_sweep)
    check_p = actions.add_parser("check", help="check the files of TWIN_OPS_DIR")
    check_p.set_defaults(func=cmd_check)


def add_simulate_parser(sub: argparse._SubParsersAction) -> None:
    """Add `twin simulate` to the CLI's subparsers."""
    sim = sub.add_parser("simulate", help="animate the demo city: cases, stages, device alarms")
    sim.add_argument("--rate", type=rate, default=DEFAULT_RATE, help="new cases per minute")
    sim.add_argument("--seed", type=int, help="repeat a run exactly (default: random)")
    sim.add_argument(
        "--url",
        help="the running `twin serve` to write through (default: http://TWIN_HOST:TWIN_PORT)",
    )
    sim.set_defaults(func=cmd_simulate)


def rate(text: str) -> float:
    """A --rate: new cases per minute, more than 0 and at most 6000."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value <= 6000:
        raise argparse.ArgumentTypeError(f"{text}: choose more than 0 and at most 6000 a minute")
    return value


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    """Run the simulator over the demo city, through a running server's API, until
    interrupted."""
    from twin.api.client import ApiClient
    from twin.db.connect import open_pool
    from twin.ops.simulate import is_demo, run

    url = _ready(settings)
    config = config_for(settings)
    with connect(url, autocommit=True) as conn:
        refuse_unless_demo(is_demo(conn))
    api = ApiClient(args.url or own_url(settings))
    pool = open_pool(url, 2, settings.statement_timeout_ms)
    stop = threading.Event()
    print(
        f"simulating {args.rate:g} new cases a minute over the demo city through "
        f"{api.base_url} (Ctrl-C stops)"
    )
    try:
        tally = run(pool, api, args.rate, config, stop, args.seed)
    finally:
        pool.close()
    print(f"created {tally.created}, moved {tally.moved}, device changes {tally.devices}")
    return 0


def own_url(settings: Settings) -> str:
    """The URL `twin serve` answers on with these settings (loopback for a wildcard host)."""
    host = "127.0.0.1" if settings.host in ("", "0.0.0.0") else settings.host
    host = "[::1]" if host == "::" else f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}"


def refuse_unless_demo(demo: bool) -> None:
    """The simulator animates only generated data, never a real city's."""
    if not demo:
        raise ValueError(
            "the store does not hold the demo city: the simulator runs only over `twin demo`'s"
        )


def _ready(settings: Settings) -> str:
    """The database URL, migrated."""
    url = database_url(settings)
    with connect(url) as conn:
        migrate(conn)
    return url


def cmd_sweep(_: argparse.Namespace, settings: Settings) -> int:
    """One sweep now; print each escalation."""
    with connect(_ready(settings), autocommit=True) as conn:
        done = sweep(conn, Clock.current(settings.timezone))
    for row in done:
        print(f"escalated {row['code']}: {row['stage']} was due {row['due_at'].isoformat()}")
    print(f"{len(done)} stage(s) escalated")
    return 0


def cmd_check(_: argparse.Namespace, settings: Settings) -> int:
    """Read the configuration; a problem is an error naming file and key (exit 2)."""
    config = config_for(settings)
    print(
        f"{settings.ops_dir}: {len(config.rules)} dispatch rule(s), deadlines for "
        f"{len(config.deadlines)} category x severity pairs, duplicates within "
        f"{config.duplicates.radius_m:g} m and {config.duplicates.hours:g} h"
    )
    return 0
