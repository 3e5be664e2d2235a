"""A refusal's problems for a terminal: all of them when few, else counted by kind."""

from __future__ import annotations

import re
from collections import Counter

from twin.ingest.validate import Problem

# What varies between problems of one kind: quoted values, numbers and codes with digits.
VARYING = re.compile(r"'[^']*'|\"[^\"]*\"|[A-Za-z_-]*\d(?:[\w.-]|,(?=\d))*")


def kind_of(problem: Problem) -> str:
    """The problem with what varies between features blanked: its kind."""
    return f"{problem.field}: {VARYING.sub('…', problem.reason)}"


def summarise(problems: list[Problem], limit: int = 200, examples: int = 3) -> list[str]:
    """Lines to print: every problem when there are at most limit; otherwise each kind with
    its count and first examples, most frequent first, so no kind hides another."""
    if len(problems) <= limit:
        return [str(p) for p in problems]
    kinds = Counter(kind_of(p) for p in problems)
    lines = [f"{len(problems):,} problems of {len(kinds)} kind(s):"]
    for kind, count in sorted(kinds.items(), key=lambda kc: (-kc[1], kc[0])):
        lines.append(f"{count:,} × {kind}")
        shown = [p for p in problems if kind_of(p) == kind][:examples]
        lines += [f"  {p}" for p in shown]
        if count > len(shown):
            lines.append(f"  … and {count - len(shown):,} more of this kind")
    return lines
