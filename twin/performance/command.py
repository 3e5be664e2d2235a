"""`twin report performance`: an evaluation written to a CSV or Excel file."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from twin.activity import Clock
from twin.app.i18n import LANGS
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.db.connect import connect, database_url
from twin.db.migrate import migrate
from twin.performance.measures import Grouping, fetch_evaluation
from twin.performance.period import Period
from twin.performance.report import report_format, write_report
from twin.plans.asof import as_of_moment
from twin.plans.versions import version_at
from twin.settings import Settings


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add `twin report` and its subcommands to the CLI's subparsers."""
    report = sub.add_parser("report", help="reports written to files")
    kinds = report.add_subparsers(dest="report_command", required=True)
    perf = kinds.add_parser(
        "performance", help="performance evaluation (绩效评估) per unit, officer or department"
    )
    perf.add_argument("--period", help="a month (2026-11), an ISO week (2026-W47) or FROM/TO dates")
    perf.add_argument("--from", dest="from_", type=_date, metavar="DATE", help="first day")
    perf.add_argument("--to", type=_date, metavar="DATE", help="last day (included)")
    perf.add_argument(
        "--by",
        default="department",
        help="a level of the catalog (grid, street, …), officer or department (default department)",
    )
    perf.add_argument("--out", type=Path, required=True, help="the file: .csv or .xlsx")
    perf.add_argument("--lang", choices=LANGS, help="the column names' language (TWIN_LANG)")
    perf.add_argument(
        "--as-of",
        metavar="DATE",
        help="place the cases in the units of the grid map in force on that date",
    )
    perf.set_defaults(func=cmd_performance)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def period_of(args: argparse.Namespace) -> Period:
    """The period the arguments name: --period, or --from and --to together."""
    if args.period is not None and (args.from_ or args.to):
        raise ValueError("give either --period or --from/--to, not both")
    if args.period is not None:
        return Period.parse(args.period)
    if args.from_ is None or args.to is None:
        raise ValueError("the period is missing: give --period, or --from and --to")
    return Period.between(args.from_, args.to)


def cmd_performance(args: argparse.Namespace, settings: Settings) -> int:
    """Write the evaluation; say how many rows went where."""
    period = period_of(args)
    terms = Terms.of(load_catalog(settings.layers_dir))
    grouping = Grouping.parse(args.by, terms)
    report_format(args.out)  # a bad suffix is refused before the database is read
    as_of = as_of_moment(args.as_of, settings.timezone) if args.as_of else None
    url = database_url(settings)
    with connect(url) as conn:
        migrate(conn)
        version = version_at(conn, as_of) if as_of is not None else None
        evaluation = fetch_evaluation(
            conn, period, grouping, Clock.current(settings.timezone), terms, version
        )
    n = write_report(evaluation, args.out, args.lang or settings.lang)
    print(
        f"{args.out}: {n} row(s) by {grouping.by} for {period.text} "
        f"({period.first} to {period.last}), and the whole city"
        + (f"; cases placed in map version {version} (in force {args.as_of})" if version else "")
    )
    return 0
