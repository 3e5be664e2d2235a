"""A Dash Patch, as the browser receives it (Patch.to_plotly_json), applied as the page does."""

from __future__ import annotations

import copy
from typing import Any


def applied(value: Any, patch: dict[str, Any]) -> Any:
    """A copy of value with the patch's Assign, Insert and Delete operations applied."""
    out = copy.deepcopy(value)
    for op in patch["operations"]:
        where, params = op["location"], op["params"]
        if op["operation"] == "Insert":  # the location names the list itself
            _at(out, where).insert(params["index"], params["value"])
        elif op["operation"] == "Delete":
            del _at(out, where[:-1])[where[-1]]
        elif op["operation"] == "Assign":
            _at(out, where[:-1])[where[-1]] = params["value"]
        else:
            raise ValueError(f"an operation twin does not send: {op['operation']}")
    return out


def _at(value: Any, path: list[Any]) -> Any:
    for step in path:
        value = value[step]
    return value
