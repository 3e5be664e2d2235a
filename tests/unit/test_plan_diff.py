"""The diff of two maps: what changed per unit, and the areas that changed hands."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.planworld import geodesic_m2, rect, unit
from twin.plans.diff import diff

BASE = [
    unit("C", "community", None, rect(0, 0, 2, 1)),
    unit("A", "grid", "C", rect(0, 0, 1, 1), officer="ann"),
    unit("B", "grid", "C", rect(1, 0, 2, 1), officer="bob"),
]


def test_the_same_map_has_no_difference() -> None:
    d = diff(BASE, list(BASE))
    assert (d.rows, d.exchanges) == ((), ())


def test_a_moved_boundary_reshapes_both_and_moves_the_strip() -> None:
    moved = [
        BASE[0],
        replace(BASE[1], geom=rect(0, 0, 1.2, 1)),
        replace(BASE[2], geom=rect(1.2, 0, 2, 1)),
    ]
    d = diff(BASE, moved)
    assert [(r.code, r.changes) for r in d.rows] == [("A", ("reshaped",)), ("B", ("reshaped",))]
    (e,) = d.exchanges
    assert (e.level, e.from_code, e.to_code) == ("grid", "B", "A")
    assert e.area_m2 == pytest.approx(geodesic_m2(rect(1, 0, 1.2, 1)), rel=1e-3)
    assert e.geom.equals(rect(1, 0, 1.2, 1))


def test_a_split_removes_one_unit_and_adds_two() -> None:
    split = [
        BASE[0],
        BASE[1],
        unit("B1", "grid", "C", rect(1, 0, 2, 0.25)),
        unit("B2", "grid", "C", rect(1, 0.25, 2, 1)),
    ]
    d = diff(BASE, split)
    assert [(r.code, r.changes) for r in d.rows] == [
        ("B", ("removed",)),
        ("B1", ("added",)),
        ("B2", ("added",)),
    ]
    got = [(e.from_code, e.to_code, e.area_m2) for e in d.exchanges]
    assert [g[:2] for g in got] == [("B", "B1"), ("B", "B2")]
    assert got[0][2] == pytest.approx(geodesic_m2(rect(1, 0, 2, 0.25)), rel=1e-3)
    assert got[1][2] == pytest.approx(3 * got[0][2], rel=1e-3)


def test_renamed_reparented_and_new_officer_are_told_apart() -> None:
    other = unit("C2", "community", None, rect(0, 0, 2, 1))
    changed = [BASE[0], other, replace(BASE[1], parent="C2", name="North", officer="cat"), BASE[2]]
    d = diff(BASE, changed)
    assert [(r.code, r.changes) for r in d.rows] == [
        ("A", ("reparented", "renamed", "officer")),
        ("C2", ("added",)),
    ]


def test_an_area_left_to_no_unit_is_an_exchange_to_none() -> None:
    d = diff(BASE, [BASE[0], BASE[1], replace(BASE[2], geom=rect(1.5, 0, 2, 1))])
    assert [(e.from_code, e.to_code) for e in d.exchanges] == [("B", None)]
    assert d.exchanges[0].area_m2 == pytest.approx(geodesic_m2(rect(1, 0, 1.5, 1)), rel=1e-3)


def test_the_json_carries_the_exchanges_as_geojson() -> None:
    moved = [
        BASE[0],
        replace(BASE[1], geom=rect(0, 0, 1.2, 1)),
        replace(BASE[2], geom=rect(1.2, 0, 2, 1)),
    ]
    out = diff(BASE, moved).to_json()
    assert out["rows"][0]["changes"] == ["reshaped"]
    feature = out["exchanges"]["features"][0]
    assert feature["properties"]["from_code"] == "B"
    assert feature["geometry"]["type"] == "MultiPolygon"
