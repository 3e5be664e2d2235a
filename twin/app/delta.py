"""Pure parts of a refresh that follows the change: roll counts up the hierarchy, and put
re-read units' rows in place of the ones a snapshot holds."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

WINDOW = "incidents_window"


def parents_of(levels: Mapping[str, pd.DataFrame]) -> dict[int, int | None]:
    """Each unit's parent id (None at the top), over every level."""
    out: dict[int, int | None] = {}
    for frame in levels.values():
        for uid, parent in zip(frame["id"], frame["parent_id"], strict=True):
            out[int(uid)] = None if parent is None or pd.isna(parent) else int(parent)
    return out


def roll_up(direct: Mapping[int, int], parents: Mapping[int, int | None]) -> dict[int, int]:
    """Each unit's count with all its descendants' (direct: per unit its points lie in)."""
    total: dict[int, int] = {}
    for uid, n in direct.items():
        seen = 0  # a cycle in the hierarchy must not loop forever
        node: int | None = uid
        while node is not None and seen <= len(parents):
            total[node] = total.get(node, 0) + n
            node = parents.get(node)
            seen += 1
    return total


def with_ancestors(ids: list[int], parents: Mapping[int, int | None]) -> list[int]:
    """The ids and every unit above them, sorted."""
    out = set(ids)
    for uid in ids:
        node = parents.get(uid)
        while node is not None and node not in out:
            out.add(node)
            node = parents.get(node)
    return sorted(out)


def window_column(frame: pd.DataFrame, totals: Mapping[int, int]) -> np.ndarray:
    """The frame's units' counts from a rolled-up id -> count map (absent: 0)."""
    return frame["id"].map(totals).fillna(0).to_numpy(dtype=np.int64)


def direct_moved(
    held: Mapping[int, int], fresh: Mapping[int, int], ids: list[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """The direct counts after re-reading ids, and their change against the held ones."""
    direct = dict(held)
    moved = {}
    for uid in ids:
        new, old = fresh.get(uid, 0), held.get(uid, 0)
        if new:
            direct[uid] = new
        else:
            direct.pop(uid, None)
        if new != old:
            moved[uid] = new - old
    return direct, moved


def merge_rows(frame: pd.DataFrame, fresh: pd.DataFrame, keep: tuple[str, ...]) -> pd.DataFrame:
    """The frame with its rows of the units in fresh replaced in place (order kept); the
    columns in keep keep their held values. Raises KeyError for a unit the frame lacks."""
    if fresh.empty:
        return frame
    at = pd.Index(frame["id"]).get_indexer(fresh["id"])
    if (at < 0).any():
        raise KeyError("a re-read unit is not in the held level")
    out = frame.copy(deep=False)  # columns are replaced whole, never written into
    for column in fresh.columns:
        if column in keep or column not in out.columns:
            continue
        held = out[column].dtype == object
        current = out[column].to_numpy()
        col = fresh[column]
        # Read among other levels, a column of ints with a None (the top's parent) comes as
        # floats with NaN: held as objects, it stays None as the level's own read has it.
        new = col.astype(object).where(col.notna(), None).to_numpy() if held else col.to_numpy()
        if list(current[at]) == list(new):
            continue  # most counts of a re-read unit did not move: no column copied for them
        values = current.astype(object) if held else current.copy()
        values[at] = new
        out[column] = values
    return out


def add_moved(frame: pd.DataFrame, moved_totals: Mapping[int, int]) -> pd.DataFrame:
    """The frame with each unit's window count moved by its rolled-up change."""
    if not moved_totals:
        return frame
    moved = window_column(frame, moved_totals)
    return frame.assign(**{WINDOW: frame[WINDOW].to_numpy() + moved})
