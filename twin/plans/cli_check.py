"""The `twin plan` subcommands of this part of planning (see twin.plans.command)."""

from __future__ import annotations

import argparse


def add_commands(plans: argparse._SubParsersAction) -> None:
    """Add this part's subcommands."""
