"""A refusal's problems on the terminal: all of them when few, counted by kind when many."""

from __future__ import annotations

from twin.ingest.summary import kind_of, summarise
from twin.ingest.validate import Problem


def test_problems_differing_only_in_values_are_one_kind() -> None:
    a = Problem(3, "G12", "geometry", "overlaps grid G4 by 12.5 m², near (114.01, 30.02)")
    b = Problem(9, "G7", "geometry", "overlaps grid G31 by 3,001.0 m², near (114.2, 30.1)")
    assert kind_of(a) == kind_of(b) == "geometry: overlaps grid … by … m², near (…, …)"
    assert kind_of(Problem(1, "E1", "category", "unknown value 'fire'")) != kind_of(a)


def test_few_problems_are_listed_and_many_are_summarised_so_no_kind_hides_another() -> None:
    many = [Problem(i, f"E{i}", "severity", f"unknown value '{i}'") for i in range(1, 301)]
    rare = [Problem(301, "X", "geometry", "empty geometry")]
    assert summarise(rare) == ["feature 301 (code X): geometry: empty geometry"]
    lines = summarise(many + rare, limit=200, examples=2)
    assert lines == [
        "301 problems of 2 kind(s):",
        "300 × severity: unknown value …",
        "  feature 1 (code E1): severity: unknown value '1'",
        "  feature 2 (code E2): severity: unknown value '2'",
        "  … and 298 more of this kind",
        "1 × geometry: empty geometry",
        "  feature 301 (code X): geometry: empty geometry",
    ]
