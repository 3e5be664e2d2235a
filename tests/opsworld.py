"""A hand-made live-operations configuration with known answers, for the twin.ops tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from twin.activity import Clock
from twin.catalog import load_catalog
from twin.ops.config import (
    OpsConfig,
    Vocabulary,
    parse_deadlines,
    parse_duplicates,
    parse_rules,
)
from twin.settings import Settings

# A moment the real clock has passed; every test time is an offset from it.
NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
CLOCK = Clock(NOW, "Asia/Shanghai")
H = timedelta(hours=1)

DEADLINES = {
    "default": {
        "1": {"dispatch": 1, "start": 2, "resolve": 10},
        "2": {"dispatch": 2, "start": 4, "resolve": 24},
        "3": {"dispatch": 2, "start": 8, "resolve": 72},
        "4": {"dispatch": 4, "start": 24, "resolve": 168},
    },
    "sanitation": {"3": {"dispatch": 1, "start": 3, "resolve": 48}},
}
RULES = {
    "rule": [
        {"name": "critical", "severity": [1], "department": "command centre"},
        {"name": "fire", "category": ["fire_hazard"], "department": "fire brigade"},
        {"name": "patrol-level", "severity": [4], "officer": "unit"},
        {
            "name": "hotline-sanitation",
            "category": ["sanitation"],
            "source": ["hotline"],
            "department": "sanitation hotline desk",
        },
        {"name": "sanitation", "category": ["sanitation"], "department": "sanitation"},
    ]
}
DUPLICATES = {"radius_m": 100, "hours": 24}


def vocabulary() -> Vocabulary:
    """The shipped catalog's incident vocabulary."""
    return Vocabulary.of(load_catalog(Settings().layers_dir)["incident"])


def config(**duplicates: float) -> OpsConfig:
    """The test configuration (duplicate window overridable)."""
    vocab = vocabulary()
    return OpsConfig(
        deadlines=parse_deadlines(DEADLINES, vocab, "deadlines"),
        rules=parse_rules(RULES, vocab, "dispatch"),
        duplicates=parse_duplicates(DUPLICATES | duplicates, "duplicates"),
        vocabulary=vocab,
    )


def clock_at(offset: timedelta) -> Clock:
    """The test clock moved by an offset."""
    return Clock(NOW + offset, CLOCK.tz)
