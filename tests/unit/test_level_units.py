"""The kept units: by map version, least recently used dropped first, and joined to counts
only when the counts are of exactly those units."""

from __future__ import annotations

import numpy as np
import pandas as pd

from twin.spatial.level_units import Counts, Units, UnitsCache, joined


def units(ids: list[int], version: int = 1) -> Units:
    codes = [f"U{i}" for i in ids]
    return Units(version, pd.DataFrame({"id": np.array(ids, dtype=np.int64), "code": codes}))


def test_kept_units_are_of_one_map_version() -> None:
    cache = UnitsCache()
    cache.put("k", units([1, 2], version=3))
    assert cache.get("k", 3) is not None
    assert cache.get("k", 4) is None
    assert cache.get("other", 3) is None


def test_the_least_recently_used_go_first() -> None:
    cache = UnitsCache(kept=2)
    cache.put("a", units([1]))
    cache.put("b", units([2]))
    assert cache.get("a", 1) is not None  # a used: b is now the oldest
    cache.put("c", units([3]))
    assert cache.get("b", 1) is None
    assert cache.get("a", 1) is not None and cache.get("c", 1) is not None


def counts(table: np.ndarray, names: list[str], level_units: int | None = None) -> Counts:
    """Counts read of a level with that many units (default: every row's)."""
    return Counts(table, names, len(table) if level_units is None else level_units)


def test_counts_in_any_order_land_on_their_units() -> None:
    table = np.array([[3, 30, 300], [1, 10, 100], [2, 20, 200]], dtype=np.int64)
    frame = joined(units([10, 20, 30]), counts(table, ["open"]))
    assert frame is not None
    assert list(frame.columns) == ["id", "code", "overdue", "grid_id", "open"]
    assert frame["grid_id"].tolist() == [10, 20, 30] and frame["code"].tolist() == [
        "U10",
        "U20",
        "U30",
    ]
    assert frame["open"].tolist() == [100, 200, 300] and frame["overdue"].tolist() == [1, 2, 3]


def rows_of(*ids: int) -> np.ndarray:
    return np.array([[0, i] for i in ids], dtype=np.int64).reshape(-1, 2)


def test_counts_of_other_units_are_refused() -> None:
    assert joined(units([10, 20]), counts(rows_of(10, 21), [])) is None
    assert joined(units([10, 20]), counts(rows_of(10), [])) is None
    assert joined(units([10, 20]), counts(rows_of(20, 20), [])) is None
    assert joined(units([10, 20]), counts(rows_of(20, 10), [])) is not None


def test_a_level_read_among_every_units_counts_takes_its_own() -> None:
    every = rows_of(0, 30, 20, 5, 10)  # the whole store's rows, the level's among them
    frame = joined(units([10, 20]), counts(every, [], level_units=2))
    assert frame is not None and frame["grid_id"].tolist() == [10, 20]
    # kept units one short of the level (its count says 3): refused, never shown short
    assert joined(units([10, 20]), counts(every, [], level_units=3)) is None
    assert joined(units([10, 20, 40]), counts(every, [], level_units=3)) is None


def test_a_joined_frame_is_the_callers_own() -> None:
    kept = units([1, 2])
    frame = joined(kept, counts(rows_of(1, 2), []))
    assert frame is not None
    frame.loc[0, "code"] = "changed"
    frame.loc[0, "id"] = 99
    assert kept.frame["code"].tolist() == ["U1", "U2"] and kept.frame["id"].tolist() == [1, 2]


def test_units_of_a_later_map_are_not_replaced_by_earlier_ones() -> None:
    cache = UnitsCache()
    cache.put("k", units([1, 2], version=5))
    cache.put("k", units([1], version=4))  # a slower reader of the map before
    assert cache.get("k", 5) is not None and cache.get("k", 4) is None
    cache.put("k", units([1], version=6))
    assert cache.get("k", 6) is not None


def test_dropped_units_are_read_again() -> None:
    cache = UnitsCache()
    cache.put("k", units([1]))
    cache.drop("k")
    cache.drop("never-kept")
    assert cache.get("k", 1) is None
