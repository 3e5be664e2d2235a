"""The auto-fix: each small problem goes to the neighbour with the longest shared edge."""

from __future__ import annotations

import pytest
import shapely

from tests.planworld import LEVELS, geodesic_m2, multi, rect, unit
from twin.plans.fix import autofix
from twin.plans.rules import Rules
from twin.plans.validate import validate

RULES = Rules(tolerance_m2=1.0, sliver_m2=100.0, fix_gap_m2=500.0)


def community(a: object, b: object) -> list:
    return [
        unit("C", "community", None, rect(0, 0, 2, 1)),
        unit("A", "grid", "C", a),
        unit("B", "grid", "C", b),
    ]


def by_code(units: list) -> dict:
    return {u.code: u for u in units}


@pytest.mark.parametrize(
    ("notch", "owner"),
    [
        (rect(1, 0.999, 1.3, 1), "B"),  # cut from B's corner: B borders it along 0.3 cells
        (rect(0.7, 0.999, 1, 1), "A"),  # cut from A's corner
    ],
)
def test_a_small_gap_goes_to_the_unit_sharing_the_longest_edge(notch: object, owner: str) -> None:
    a = shapely.difference(rect(0, 0, 1, 1), notch)
    b = shapely.difference(rect(1, 0, 2, 1), notch)
    assert [p.kind for p in validate(community(a, b), RULES, LEVELS)] == ["gap"]
    fixed, repairs = autofix(community(a, b), RULES, LEVELS)
    (r,) = repairs
    assert (r.kind, r.to_code, r.from_codes) == ("gap", owner, ("C",))
    assert r.area_m2 == pytest.approx(geodesic_m2(notch), rel=1e-3)
    assert validate(fixed, RULES, LEVELS) == []
    whole = rect(0, 0, 1, 1) if owner == "A" else rect(1, 0, 2, 1)
    assert shapely.equals(by_code(fixed)[owner].geom, whole)


def test_a_small_overlap_stays_with_the_unit_sharing_the_longer_edge() -> None:
    piece = rect(0.7, 0.999, 1, 1)
    fixed, repairs = autofix(
        community(rect(0, 0, 1, 1), rect(1, 0, 2, 1).union(piece)), RULES, LEVELS
    )
    (r,) = repairs
    assert (r.kind, r.to_code, r.from_codes) == ("overlap", "A", ("B",))
    assert shapely.equals(by_code(fixed)["B"].geom, rect(1, 0, 2, 1))
    assert validate(fixed, RULES, LEVELS) == []


def test_a_sliver_part_goes_to_the_neighbour_around_it() -> None:
    crumb = rect(1.5, 0.999, 1.501, 1)
    a = multi(rect(0, 0, 1, 1), crumb)
    fixed, repairs = autofix(
        community(a, shapely.difference(rect(1, 0, 2, 1), crumb)), RULES, LEVELS
    )
    (r,) = repairs
    assert (r.kind, r.to_code, r.from_codes) == ("sliver", "B", ("A",))
    assert shapely.equals(by_code(fixed)["A"].geom, rect(0, 0, 1, 1))
    assert shapely.equals(by_code(fixed)["B"].geom, rect(1, 0, 2, 1))


def test_a_small_overhang_is_cut_off() -> None:
    fixed, repairs = autofix(community(rect(0, 0, 1, 1), rect(1, 0, 2.001, 0.3)), RULES, LEVELS)
    kinds = [(r.kind, r.to_code) for r in repairs]
    assert kinds[0] == ("outside_parent", "B")
    assert by_code(fixed)["B"].geom.bounds[2] == pytest.approx(114.02)


def test_a_gap_above_the_threshold_is_left_as_a_problem() -> None:
    units = community(rect(0, 0, 1, 1), rect(1.1, 0, 2, 1))  # about 107,000 m²
    fixed, repairs = autofix(units, RULES, LEVELS)
    assert repairs == []
    assert [p.kind for p in validate(fixed, RULES, LEVELS)] == ["gap"]


def test_a_gap_of_a_street_is_passed_down_to_its_grids() -> None:
    notch = rect(1.7, 0.999, 2, 1)
    units = [
        unit("D", "district", None, rect(0, 0, 2, 1)),
        unit("S", "street", "D", shapely.difference(rect(0, 0, 2, 1), notch)),
        unit("A", "grid", "S", rect(0, 0, 1, 1)),
        unit("B", "grid", "S", shapely.difference(rect(1, 0, 2, 1), notch)),
    ]
    fixed, repairs = autofix(units, RULES, LEVELS)
    assert [(r.kind, r.to_code) for r in repairs] == [("gap", "S"), ("gap", "B")]
    assert validate(fixed, RULES, LEVELS) == []


def test_units_not_repaired_keep_their_very_geometry() -> None:
    units = community(
        rect(0, 0, 1, 1), shapely.difference(rect(1, 0, 2, 1), rect(1.7, 0.999, 2, 1))
    )
    fixed, _ = autofix(units, RULES, LEVELS)
    assert by_code(fixed)["A"].geom is units[1].geom
