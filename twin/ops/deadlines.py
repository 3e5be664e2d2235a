"""Stage deadlines: when each stage of a case falls due (the sweep's SQL decides, as time
passes, which are overdue)."""

from __future__ import annotations

from datetime import datetime, timedelta

from twin.ops.config import STAGES, StageHours

STAGE_DUE = {"dispatch": "dispatch_due_at", "start": "start_due_at", "resolve": "due_at"}


def build_due_times(reported_at: datetime, hours: StageHours) -> dict[str, datetime]:
    """The case's due-time columns: report time plus each stage's hours."""
    return {
        STAGE_DUE[stage]: reported_at + timedelta(hours=getattr(hours, stage)) for stage in STAGES
    }
