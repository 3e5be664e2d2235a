"""Stage deadlines: when each stage of a case falls due, and which are overdue now."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from twin.ops.config import STAGES, StageHours

# The stage time that ends each stage: while it is unset the stage is pending.
STAGE_DONE = {"dispatch": "dispatched_at", "start": "started_at", "resolve": "resolved_at"}
STAGE_DUE = {"dispatch": "dispatch_due_at", "start": "start_due_at", "resolve": "due_at"}


def build_due_times(reported_at: datetime, hours: StageHours) -> dict[str, datetime]:
    """The case's due-time columns: report time plus each stage's hours."""
    return {
        STAGE_DUE[stage]: reported_at + timedelta(hours=getattr(hours, stage)) for stage in STAGES
    }


def overdue_stages(
    case: Mapping[str, Any], now: datetime, open_statuses: tuple[str, ...]
) -> list[str]:
    """The stages of an open case still pending past their due time (a closed case: none)."""
    if case["status"] not in open_statuses:
        return []
    return [
        stage
        for stage in STAGES
        if case.get(STAGE_DUE[stage]) is not None
        and case.get(STAGE_DONE[stage]) is None
        and case[STAGE_DUE[stage]] < now
    ]
