"""Live operations: cases created, dispatched, escalated, merged and acted on (issue 13)."""
