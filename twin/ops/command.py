"""`twin ops …`: live operations from the command line (the sweep for cron, a config check)."""

from __future__ import annotations

import argparse

from twin.activity import Clock
from twin.db.connect import connect, database_url
from twin.db.migrate import migrate
from twin.ops.config import config_for
from twin.ops.sweep import sweep
from twin.settings import Settings


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


def cmd_sweep(_: argparse.Namespace, settings: Settings) -> int:
    """One sweep now; print each escalation."""
    url = database_url(settings)
    with connect(url) as conn:
        migrate(conn)
    with connect(url, autocommit=True) as conn:
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
