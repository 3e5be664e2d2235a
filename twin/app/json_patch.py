"""A part a page holds sent as the few values that moved: a Dash Patch of the leaves that differ
between two plain-JSON values (the cockpit's trend: today's bars, not the thirty days)."""

from __future__ import annotations

from typing import Any

from dash import Patch

MOST = 40  # changed places beyond which the whole value is sent instead

Place = tuple[str | int, ...]


def differences(old: Any, new: Any, at: Place = ()) -> list[tuple[Place, Any]]:
    """Where new differs from old and its value there: a leaf, or a whole list or object
    whose length or keys differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        if old.keys() != new.keys():
            return [(at, new)]
        return [d for k in new for d in differences(old[k], new[k], (*at, k))]
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [(at, new)]
        return [d for i in range(len(new)) for d in differences(old[i], new[i], (*at, i))]
    return [] if type(old) is type(new) and old == new else [(at, new)]


def as_patch(old: Any, new: Any, most: int = MOST) -> Patch | None:
    """A Patch turning old into new; None when new should be sent whole (it is all new, or
    more than `most` places moved)."""
    found = differences(old, new)
    if len(found) > most or any(place == () for place, _ in found):
        return None
    patch = Patch()
    for place, value in found:
        target: Any = patch
        for step in place[:-1]:
            target = target[step]
        target[place[-1]] = value
    return patch
