"""Automatic dispatch (智能分派): the first configured rule that matches a new case."""

from __future__ import annotations

from dataclasses import dataclass

from twin.ops.config import Rule


@dataclass(frozen=True)
class Decision:
    """Where a rule sends a case, and which rule it was."""

    rule: str
    department: str | None
    officer: str | None


def matches(rule: Rule, category: str, severity: int, source: str) -> bool:
    """Whether the rule's conditions (empty = any) all hold for the case."""
    return (
        (not rule.categories or category in rule.categories)
        and (not rule.severities or severity in rule.severities)
        and (not rule.sources or source in rule.sources)
    )


def choose(
    rules: tuple[Rule, ...], category: str, severity: int, source: str, unit_officer: str | None
) -> Decision | None:
    """The first rule that matches and can send the case somewhere (a rule that sends only
    to the unit's officer cannot where the unit has none), or None: the duty officer
    dispatches it."""
    for rule in rules:
        if not matches(rule, category, severity, source):
            continue
        officer = unit_officer if rule.unit_officer else None
        if rule.department is None and officer is None:
            continue
        return Decision(rule.name, rule.department, officer)
    return None
