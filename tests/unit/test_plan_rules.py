"""The plan rules file: the shipped one loads, the catalog skips it, bad keys are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.catalog import load_catalog
from twin.plans.rules import MEASURES, Rules, RulesError, rules_for
from twin.settings import Settings


def test_the_shipped_rules_load_and_are_not_a_layer() -> None:
    rules = rules_for(Settings().layers_dir)
    assert (rules.tolerance_m2, rules.sliver_m2, rules.fix_gap_m2, rules.snap_m) == (
        1.0,
        100.0,
        500.0,
        1.0,
    )
    assert rules.bounds("grid").max_households == 1000
    assert rules.bounds("district").max_households is None
    assert set(rules.weights) <= set(MEASURES) and rules.weight("overdue") == 2.0
    assert "plans" not in load_catalog(Settings().layers_dir)


def test_a_catalog_without_rules_uses_the_shipped_ones(tmp_path: Path) -> None:
    assert rules_for(tmp_path) == rules_for(Settings().layers_dir)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[check]\nsliver = 3", r"\[check\]: unknown key 'sliver'"),
        ("[workload]\nopen = 'a lot'", r"\[workload\] open: expected a number"),
        ("[level.grid]\nmin_area_m2 = -1", r"\[level.grid\] min_area_m2: expected a number"),
        ("[checks]\n", "unknown key 'checks'"),
        ("[check\n", "cannot read the plan rules"),
    ],
)
def test_a_bad_rules_file_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plans.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(RulesError, match=message):
        Rules.load(path)
