"""Validation of grid plans: each rule on a hand-made map with a known answer."""

from __future__ import annotations

import pytest
import shapely

from tests.planworld import LEVELS, geodesic_m2, multi, rect, unit
from twin.plans.rules import Bounds, Rules
from twin.plans.validate import KINDS, Building, validate

RULES = Rules(tolerance_m2=1.0, sliver_m2=100.0, fix_gap_m2=500.0)


def two_grids(a: object = None, b: object = None, **kw: object) -> list:
    """Community C (2×1 cells) with grids A (west) and B (east); shapes may be replaced."""
    return [
        unit("C", "community", None, rect(0, 0, 2, 1)),
        unit("A", "grid", "C", a if a is not None else rect(0, 0, 1, 1), **kw),
        unit("B", "grid", "C", b if b is not None else rect(1, 0, 2, 1), **kw),
    ]


def kinds(problems: list) -> list[tuple[str, tuple[str, ...]]]:
    return [(p.kind, p.codes) for p in problems]


def test_a_clean_map_has_no_problem() -> None:
    assert validate(two_grids(), RULES, LEVELS) == []


def test_an_overlap_names_both_units_its_area_and_where_it_is() -> None:
    (p,) = validate(two_grids(b=rect(0.9, 0, 2, 1)), RULES, LEVELS)
    assert (p.kind, p.codes) == ("overlap", ("A", "B"))
    assert p.area_m2 == pytest.approx(geodesic_m2(rect(0.9, 0, 1, 1)), rel=1e-3)
    assert rect(0.9, 0, 1, 1).contains(shapely.Point(p.lon, p.lat))


def test_a_gap_inside_the_parent_names_the_parent_and_its_neighbours() -> None:
    (p,) = validate(two_grids(b=rect(1.1, 0, 2, 1)), RULES, LEVELS)
    assert (p.kind, p.codes) == ("gap", ("C", "A", "B"))
    assert p.area_m2 == pytest.approx(geodesic_m2(rect(1, 0, 1.1, 1)), rel=1e-3)
    assert rect(1, 0, 1.1, 1).contains(shapely.Point(p.lon, p.lat))


def test_a_unit_outside_its_parent_is_named_with_the_part_outside() -> None:
    (p,) = validate(two_grids(b=rect(1, 0, 2.2, 1)), RULES, LEVELS)
    assert (p.kind, p.codes) == ("outside_parent", ("B", "C"))
    assert p.area_m2 == pytest.approx(geodesic_m2(rect(2, 0, 2.2, 1)), rel=1e-3)


def test_a_unit_in_two_parts_is_not_contiguous() -> None:
    units = [
        unit("C", "community", None, rect(0, 0, 3, 1)),
        unit("A", "grid", "C", multi(rect(0, 0, 1, 1), rect(2, 0, 3, 1))),
        unit("B", "grid", "C", rect(1, 0, 2, 1)),
    ]
    (p,) = validate(units, RULES, LEVELS)
    assert (p.kind, p.codes, p.detail) == ("multipart", ("A",), "2 separate parts")


def test_a_small_part_is_a_sliver_and_not_a_second_part() -> None:
    crumb = rect(1.5, 0.999, 1.501, 1)  # about 10.7 m², cut out of B
    b = shapely.difference(rect(1, 0, 2, 1), crumb)
    (p,) = validate(two_grids(a=multi(rect(0, 0, 1, 1), crumb), b=b), RULES, LEVELS)
    assert (p.kind, p.codes) == ("sliver", ("A",))
    assert p.area_m2 == pytest.approx(geodesic_m2(crumb), rel=1e-3)


def test_an_overlap_below_the_tolerance_is_noise() -> None:
    # 1e-7 × 1 cell: about 0.1 m²
    assert validate(two_grids(b=rect(0.9999999, 0, 2, 1)), RULES, LEVELS) == []


def test_an_invalid_geometry_says_why() -> None:
    bowtie = shapely.Polygon([(114.0, 30.0), (114.01, 30.01), (114.01, 30.0), (114.0, 30.01)])
    problems = validate(two_grids(a=bowtie), RULES, LEVELS)
    assert problems[0].kind == "invalid" and problems[0].codes == ("A",)
    assert "Self-intersection" in problems[0].detail


def test_a_missing_or_finer_parent_is_a_problem() -> None:
    units = [
        unit("C", "community", None, rect(0, 0, 1, 1)),
        unit("A", "grid", "X", rect(0, 0, 1, 1)),
        unit("S", "street", "C", rect(0, 0, 1, 1)),
    ]
    assert kinds(validate(units, RULES, LEVELS)) == [("parent", ("A",)), ("parent", ("S", "C"))]


def test_bounds_per_level_from_the_rules() -> None:
    rules = Rules(levels={"grid": Bounds(max_area_m2=1e6, min_households=300)})
    units = two_grids(households=250)
    found = kinds(validate(units, rules, LEVELS))
    # each cell is about 1.07 km²
    assert found == [
        ("area_bounds", ("A",)),
        ("area_bounds", ("B",)),
        ("households_bounds", ("A",)),
        ("households_bounds", ("B",)),
    ]


def test_a_hole_between_top_units_is_a_gap() -> None:
    ring = [
        unit("N", "district", None, rect(0, 2, 3, 3)),
        unit("S", "district", None, rect(0, 0, 3, 1)),
        unit("W", "district", None, rect(0, 1, 1, 2)),
        unit("E", "district", None, rect(2, 1, 3, 2)),
    ]
    (p,) = validate(ring, RULES, LEVELS)
    assert (p.kind, p.codes) == ("gap", ("E", "N", "S", "W"))
    assert p.area_m2 == pytest.approx(geodesic_m2(rect(1, 1, 2, 2)), rel=1e-3)


def test_units_above_the_scope_are_context_not_gaps() -> None:
    units = [
        unit("D", "district", None, rect(0, 0, 2, 1)),
        unit("S1", "street", "D", rect(0, 0, 1, 1)),
        unit("A", "grid", "S1", rect(0, 0, 1, 1)),
    ]
    assert kinds(validate(units, RULES, LEVELS)) == [("gap", ("D", "S1"))]
    assert validate(units, RULES, LEVELS, scope="S1") == []


def test_every_kind_is_known() -> None:
    assert len(set(KINDS)) == len(KINDS) == 10


M_X, M_Y = 1 / 965.0, 1 / 1108.0  # a metre in cells, east and north, near 30°N


def house(code: str, west_m: float, east_m: float) -> Building:
    """A 20 m deep building from west_m to east_m (metres east of the A | B edge)."""
    return Building(code, rect(1 + west_m * M_X, 0.5, 1 + east_m * M_X, 0.5 + 20 * M_Y))


def test_a_boundary_cutting_a_building_names_the_units_the_building_and_where_it_is() -> None:
    cut = house("B17", -10, 10)
    (p,) = validate(two_grids(), RULES, LEVELS, buildings=[cut])
    assert (p.kind, p.codes, p.detail) == ("crosses_building", ("A", "B"), "B17")
    assert p.area_m2 == pytest.approx(geodesic_m2(cut.geom), rel=1e-3)
    assert p.area_m2 == pytest.approx(400, rel=0.01)
    assert cut.geom.contains(shapely.Point(p.lon, p.lat))


def test_a_building_beside_a_boundary_or_a_hair_across_it_is_no_problem() -> None:
    inside, hair = house("B1", 1, 20), house("B2", -0.01, 20)  # 0.2 m² across: noise
    assert validate(two_grids(), RULES, LEVELS, buildings=[inside, hair]) == []
    across = house("B3", -0.05, 20)  # 1 m² across
    assert kinds(validate(two_grids(), RULES, LEVELS, buildings=[across])) == [
        ("crosses_building", ("A", "B"))
    ]


def test_a_building_cut_by_the_map_edge_names_only_the_units_in_scope() -> None:
    units = [
        unit("D", "district", None, rect(0, 0, 2, 1)),
        unit("S1", "street", "D", rect(0, 0, 2, 1)),
        unit("A", "grid", "S1", rect(0, 0, 2, 1)),
    ]
    edge = Building("B9", rect(2 - 10 * M_X, 0.5, 2 + 10 * M_X, 0.5 + 20 * M_Y))
    assert kinds(validate(units, RULES, LEVELS, scope="S1", buildings=[edge])) == [
        ("crosses_building", ("A", "S1"))
    ]
