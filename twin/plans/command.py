"""`twin plan …`: the planner's command line; each part of planning adds its own subcommands."""

from __future__ import annotations

import argparse

from twin.plans import cli_check, cli_edit, cli_publish


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add `twin plan` and its subcommands to the CLI's subparsers."""
    plan = sub.add_parser("plan", help="draft, check and publish redraws of the grid map")
    plans = plan.add_subparsers(dest="plan_command", required=True)
    cli_edit.add_commands(plans)
    cli_check.add_commands(plans)
    cli_publish.add_commands(plans)
