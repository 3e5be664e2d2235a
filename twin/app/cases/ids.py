"""Component ids of the case page and of the case dialogs (the case page's and the unit
page's share their shape, told apart by a prefix)."""

from __future__ import annotations

PAGE = "page-case"  # the own page's container (OwnPage("case", ...).container)
BUILT = "case-built"  # the route the page's parts were built for
TITLE = "case-title"
BODY = "case-body"  # fields, stages, actions, timeline, photos, map: redrawn after an action
RESULT = "case-result"  # what the last action did
CASE_PREFIX = "case"
UNIT_PREFIX = "unit-case"


def dialog(prefix: str, part: str) -> str:
    """The id of one part of a case dialog (dialog, text, note, actor, confirm, ...)."""
    return f"{prefix}-dialog-{part}"


def done(prefix: str) -> str:
    """The store a dialog writes after an action is done: the page redraws from it."""
    return f"{prefix}-done"


def result(prefix: str) -> str:
    """The line that says what the last action of the dialog did."""
    return RESULT if prefix == CASE_PREFIX else f"{prefix}-result"


def act(action: str) -> str:
    """The id of the case page's button of an action."""
    return f"case-act-{action}"
