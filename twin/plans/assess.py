"""What every edit answers: the plan's new revision with its validation and impact."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from twin.activity import Clock
from twin.plans.model import EditResult
from twin.plans.store import Plan


def assess(
    conn: psycopg.Connection, plan: Plan, revision: int, changed: Sequence[str], clock: Clock
) -> EditResult:
    """The EditResult of an edit that brought `plan` to `revision`, touching `changed`."""
    return EditResult(revision=revision, changed=tuple(changed), problems=(), impact={})
