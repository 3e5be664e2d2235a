"""Validation after an edit, with what the checks of the revisions before kept (validate_memo),
finds exactly what a check from scratch finds: property test over generated edits."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import shapely

from tests.planworld import LEVELS, rect, unit
from twin.plans import validate_memo
from twin.plans.model import UnitState
from twin.plans.rules import Rules
from twin.plans.validate import validate
from twin.plans.validate_memo import Memo

MEMOS = (validate_memo.COVERS, validate_memo.INNER, validate_memo.CUTS, validate_memo.PARTS)
RULES = Rules(tolerance_m2=1.0, sliver_m2=100.0, fix_gap_m2=500.0)


def city() -> list[UnitState]:
    """A district of two streets, each of two communities of 3×2 grids (cells of 1×1)."""
    units = [unit("D", "district", None, rect(0, 0, 12, 2))]
    for s in range(2):
        units.append(unit(f"S{s}", "street", "D", rect(6 * s, 0, 6 * s + 6, 2)))
        for c in range(2):
            x0 = 6 * s + 3 * c
            code = f"C{s}{c}"
            units.append(unit(code, "community", f"S{s}", rect(x0, 0, x0 + 3, 2)))
            for i in range(3):
                for j in range(2):
                    g = rect(x0 + i, j, x0 + i + 1, j + 1)
                    units.append(unit(f"G{s}{c}{i}{j}", "grid", code, g))
    return units


def edit(rng: random.Random, units: list[UnitState]) -> list[UnitState]:
    """One random edit of the grids: split, grow, shrink, move, reparent, merge or delete."""
    grids = [u for u in units if u.level == "grid"]
    g = rng.choice(grids)
    rest = [u for u in units if u.code != g.code]
    x0, y0, x1, y1 = g.geom.bounds
    kind = rng.choice(["split", "grow", "shrink", "move", "parent", "merge", "delete"])
    if kind == "split":
        cut = x0 + (x1 - x0) * rng.uniform(0.01, 0.99)
        a, b = shapely.box(x0, y0, cut, y1), shapely.box(cut, y0, x1, y1)
        return [*rest, replace(g, geom=a), replace(g, code=g.code + "x", geom=b)]
    if kind in ("grow", "shrink", "move"):
        d = rng.uniform(0.0001, 0.004) * (-1 if kind == "shrink" else 1)
        geom = (
            shapely.affinity.translate(g.geom, d, d)
            if kind == "move"
            else g.geom.buffer(d, join_style="mitre")
        )
        return [*rest, replace(g, geom=geom)]
    if kind == "parent":
        return [
            *rest,
            replace(g, parent=rng.choice([u.code for u in units if u.level == "community"])),
        ]
    if kind == "merge":
        other = rng.choice([u for u in grids if u.code != g.code] or [g])
        rest = [u for u in rest if u.code != other.code]
        return [*rest, replace(g, geom=shapely.union(g.geom, other.geom))]
    return rest


def test_kept_results_give_the_problems_a_check_from_scratch_gives() -> None:
    rng = random.Random(12)
    found_any = 0
    for _ in range(6):
        units = city()
        validate_memo.clear_all()
        validate(units, RULES, LEVELS, scope="D")
        for _ in range(12):
            units = sorted(edit(rng, units), key=lambda u: u.code)
            kept = validate(units, RULES, LEVELS, scope="D")  # with the earlier checks kept
            validate_memo.clear_all()
            fresh = validate(units, RULES, LEVELS, scope="D")
            assert kept == fresh
            found_any += len(fresh)
    assert found_any > 0  # the edits made problems to find


def test_a_second_check_of_the_same_map_computes_nothing_again() -> None:
    units = city()
    validate_memo.clear_all()
    first = validate(units, RULES, LEVELS, scope="D")
    calls: list[int] = []
    for memo in MEMOS:
        keep = memo.many

        def counted(keys, compute, keep=keep):  # type: ignore[no-untyped-def]
            return keep(keys, lambda m: calls.append(len(m)) or compute(m))

        memo.many = counted  # type: ignore[method-assign]
    try:
        assert validate(units, RULES, LEVELS, scope="D") == first
    finally:
        for memo in MEMOS:
            del memo.many
    assert calls == []


def test_a_memo_keeps_at_most_its_bytes_and_drops_the_least_recently_used() -> None:
    memo = Memo(limit_bytes=10 * (64 + 100))
    keys = [bytes([i]) * 100 for i in range(30)]
    computed: list[int] = []

    def compute(missing: np.ndarray) -> list[int]:
        computed.extend(int(i) for i in missing)
        return [int(i) for i in missing]

    assert memo.many(keys[:10], compute) == list(range(10))
    memo.many(keys[:1], compute)  # the first is used again: the second is now the oldest
    memo.many(keys[10:11], compute)
    assert len(memo) == 10
    computed.clear()
    memo.many([keys[0], keys[1]], compute)
    assert computed == [1]  # the first was kept, the least recently used went
    memo.many(keys, compute)  # one batch over the limit still leaves it bounded
    assert len(memo) == 10
