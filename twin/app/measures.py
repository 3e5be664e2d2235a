"""Per-unit figures derived from the counts a snapshot reads: area, density, officers, and
open cases per officer and per 1,000 residents."""

from __future__ import annotations

import numpy as np
import pandas as pd

DERIVED = ("area_km2", "density", "officers", "cases_per_officer", "cases_per_1000")


def with_derived(levels: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Each level's frame with the DERIVED columns (NaN where a figure has no base: no
    population, no area, no officer)."""
    posts = officer_posts(levels)
    return {level: _derive(frame, posts) for level, frame in levels.items()}


def with_held_posts(levels: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """As with_derived, for frames that already carry their officers column (the units
    themselves did not change, only their counts)."""
    posts = pd.concat([pd.Series(f["officers"].to_numpy(), index=f["id"]) for f in levels.values()])
    return {level: _derive(frame, posts) for level, frame in levels.items()}


def _derive(frame: pd.DataFrame, posts: pd.Series) -> pd.DataFrame:
    area = frame["area_m2"].to_numpy(dtype=float) / 1e6
    people = pd.to_numeric(frame["population"], errors="coerce").to_numpy(dtype=float)
    officers = frame["id"].map(posts).fillna(0).to_numpy(dtype=float)
    open_cases = frame["open"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return frame.assign(
            area_km2=area,
            density=np.where(area > 0, people / area, np.nan),
            officers=officers,
            cases_per_officer=np.where(officers > 0, open_cases / officers, np.nan),
            cases_per_1000=np.where(people > 0, open_cases / people * 1000, np.nan),
        )


def officer_posts(levels: dict[str, pd.DataFrame]) -> pd.Series:
    """How many units with an officer each unit holds, itself included, by unit id (a grid's
    officer counts for its community, street and district)."""
    frames = [f[["id", "parent_id", "officer"]] for f in levels.values() if not f.empty]
    if not frames:
        return pd.Series(dtype=float)
    units = pd.concat(frames, ignore_index=True)
    parent = units.set_index("id")["parent_id"]
    has = units["officer"].fillna("").astype(str).str.strip() != ""
    total = pd.Series(has.to_numpy(dtype=float), index=units["id"])
    carried = total[total > 0]
    # One level up per round: a unit's posts are added to its parent, then to its parent's.
    for _ in range(len(units)):
        up = parent.reindex(carried.index)
        known = up.notna().to_numpy()
        carried = carried[known].groupby(up[known].astype("int64").to_numpy()).sum()
        if carried.empty:
            break
        total = total.add(carried, fill_value=0)
    return total
