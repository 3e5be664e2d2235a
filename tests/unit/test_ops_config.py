"""The live-operations configuration files: the shipped ones load, bad ones are refused
naming file and key; deadlines and overdue stages are plain arithmetic."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.opsworld import DEADLINES, DUPLICATES, NOW, RULES, H, config, vocabulary
from twin.catalog import load_catalog
from twin.ops.config import (
    SHIPPED_OPS,
    ConfigError,
    load_config,
    parse_deadlines,
    parse_duplicates,
    parse_rules,
)
from twin.ops.deadlines import build_due_times
from twin.settings import Settings


def test_the_shipped_configuration_loads_and_covers_every_category_and_severity() -> None:
    cfg = load_config(SHIPPED_OPS, load_catalog(Settings().layers_dir)["incident"])
    assert len(cfg.deadlines) == len(cfg.vocabulary.categories) * len(cfg.vocabulary.severities)
    assert cfg.hours("fire_hazard", 1).resolve == 6
    assert cfg.hours("other", 4).resolve == 168  # the default
    assert cfg.rules[0].name == "critical-to-command-centre"


def test_a_category_overrides_only_the_severities_it_lists() -> None:
    cfg = config()
    assert (cfg.hours("sanitation", 3).dispatch, cfg.hours("sanitation", 3).resolve) == (1, 48)
    assert cfg.hours("sanitation", 2).resolve == 24  # the default for severity 2


def test_due_times_are_report_plus_hours() -> None:
    due = build_due_times(NOW, config().hours("sanitation", 3))
    assert due == {
        "dispatch_due_at": NOW + 1 * H,
        "start_due_at": NOW + 3 * H,
        "due_at": NOW + 48 * H,
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"default": {"1": {"dispatch": 1, "start": 2, "resolve": 3}}}, "lacks severity 2"),
        ({"weather": {}}, r"\[weather\] is not a category"),
        ({"sanitation": {"5": {}}}, "'5' is not a severity"),
        ({"sanitation": {"3": {"dispatch": 5, "start": 3, "resolve": 48}}}, "dispatch <= start"),
        ({"sanitation": {"3": {"dispatch": 1, "start": 3}}}, "missing 'resolve'"),
        ({"sanitation": {"3": {"dispatch": 0, "start": 3, "resolve": 4}}}, "more than 0"),
        ({"sanitation": {"3": {"dispatch": "1", "start": 3, "resolve": 4}}}, "expected a number"),
    ],
)
def test_bad_deadlines_are_refused_naming_the_key(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_deadlines(DEADLINES | change, vocabulary(), "deadlines.toml")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"department": "x"}, "needs a name"),
        ({"name": "r", "category": ["weather"], "department": "x"}, "'weather' is not one of"),
        ({"name": "r", "severity": [9], "department": "x"}, "9 is not one of"),
        ({"name": "r", "officer": "someone"}, 'the only choice is "unit"'),
        ({"name": "r"}, "needs a department"),
        ({"name": "r", "department": "x", "colour": "red"}, "unknown key 'colour'"),
        ({"name": "critical", "department": "x"}, "a second rule of that name"),
    ],
)
def test_bad_rules_are_refused_naming_the_rule(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_rules({"rule": [*RULES["rule"], rule]}, vocabulary(), "dispatch.toml")


@pytest.mark.parametrize(
    ("change", "message"),
    [({"radius_m": -1}, "radius_m: must be more than 0"), ({"metres": 5}, "unknown key")],
)
def test_bad_duplicate_windows_are_refused(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_duplicates(DUPLICATES | change, "duplicates.toml")


def test_a_missing_or_broken_file_is_named(tmp_path: Path) -> None:
    cases = load_catalog(Settings().layers_dir)["incident"]
    shutil.copytree(SHIPPED_OPS, tmp_path / "ops")
    (tmp_path / "ops" / "duplicates.toml").unlink()
    with pytest.raises(ConfigError, match=r"duplicates\.toml: no such file"):
        load_config(tmp_path / "ops", cases)
    (tmp_path / "ops" / "duplicates.toml").write_text("radius_m = = 3")
    with pytest.raises(ConfigError, match=r"duplicates\.toml"):
        load_config(tmp_path / "ops", cases)
