"""The live-operations configuration: stage deadlines, dispatch rules and the duplicate window,
read from deadlines.toml, dispatch.toml and duplicates.toml (TWIN_OPS_DIR)."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twin.catalog import Layer, load_catalog
from twin.catalog.terms import CASES

if TYPE_CHECKING:
    from twin.settings import Settings

SHIPPED_OPS = Path(__file__).resolve().parent / "defaults"
STAGES = ("dispatch", "start", "resolve")
UNIT_OFFICER = "unit"  # a rule's officer = "unit": the grid officer of the unit the case is in


class ConfigError(ValueError):
    """A configuration file twin cannot use; the message names the file and the key."""


@dataclass(frozen=True)
class StageHours:
    """Hours from report to the end of each stage."""

    dispatch: float
    start: float
    resolve: float


@dataclass(frozen=True)
class Rule:
    """One dispatch rule: what it matches (empty = anything) and where it sends the case."""

    name: str
    categories: tuple[str, ...] = ()
    severities: tuple[int, ...] = ()
    sources: tuple[str, ...] = ()
    department: str | None = None
    unit_officer: bool = False


@dataclass(frozen=True)
class DuplicateWindow:
    """How near in space and time a report must be to an open case to be flagged."""

    radius_m: float
    hours: float


@dataclass(frozen=True)
class Vocabulary:
    """The incident layer's values a case may take (the catalog's, never copied)."""

    categories: tuple[str, ...]
    severities: tuple[int, ...]
    sources: tuple[str, ...]
    open_statuses: tuple[str, ...]

    @classmethod
    def of(cls, cases: Layer) -> Vocabulary:
        """The vocabulary of the catalog's incident layer."""
        return cls(
            categories=cases.field("category").allowed,
            severities=tuple(int(v) for v in cases.field("severity").allowed),
            sources=cases.field("source").allowed,
            open_statuses=cases.field("status").open_values,
        )


@dataclass(frozen=True)
class OpsConfig:
    """Everything twin.ops decides by: deadlines, rules, duplicate window, vocabulary."""

    deadlines: dict[tuple[str, int], StageHours]
    rules: tuple[Rule, ...]
    duplicates: DuplicateWindow
    vocabulary: Vocabulary

    def hours(self, category: str, severity: int) -> StageHours:
        """The stage hours of a category and severity."""
        return self.deadlines[(category, severity)]


def load_config(directory: Path, cases: Layer) -> OpsConfig:
    """Read and check the three files of a configuration directory."""
    vocab = Vocabulary.of(cases)
    return OpsConfig(
        deadlines=parse_deadlines(_read(directory / "deadlines.toml"), vocab, "deadlines.toml"),
        rules=parse_rules(_read(directory / "dispatch.toml"), vocab, "dispatch.toml"),
        duplicates=parse_duplicates(_read(directory / "duplicates.toml"), "duplicates.toml"),
        vocabulary=vocab,
    )


def config_for(settings: Settings) -> OpsConfig:
    """The configuration twin runs with: TWIN_OPS_DIR's files over TWIN_LAYERS_DIR's catalog."""
    layers = load_catalog(settings.layers_dir)
    if CASES not in layers:
        raise ConfigError(f"{settings.layers_dir}: the catalog has no {CASES} layer")
    return load_config(settings.ops_dir, layers[CASES])


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file (TWIN_OPS_DIR)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _positive(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where}: expected a number, not {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{where}: must be more than 0, not {value!r}")
    return float(value)


def _stage_hours(value: Any, where: str) -> StageHours:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected {{ dispatch = …, start = …, resolve = … }}")
    extra = set(value) - set(STAGES)
    missing = set(STAGES) - set(value)
    if extra or missing:
        said = ", ".join([f"unknown key {k!r}" for k in sorted(extra)])
        said += ", ".join([f"missing {k!r}" for k in STAGES if k in missing])
        raise ConfigError(f"{where}: {said}")
    h = StageHours(*(_positive(value[s], f"{where}.{s}") for s in STAGES))
    if not h.dispatch <= h.start <= h.resolve:
        raise ConfigError(f"{where}: needs dispatch <= start <= resolve, got {h}")
    return h


def parse_deadlines(
    data: dict[str, Any], vocab: Vocabulary, source: str
) -> dict[tuple[str, int], StageHours]:
    """Category x severity -> stage hours: [default] for every severity, a category's overrides."""
    default = data.get("default")
    if not isinstance(default, dict):
        raise ConfigError(f"{source}: needs a [default] table with every severity")
    out: dict[tuple[str, int], StageHours] = {}
    for table, entries in data.items():
        if table != "default" and table not in vocab.categories:
            raise ConfigError(
                f"{source}: [{table}] is not a category; expected default or one of "
                + ", ".join(vocab.categories)
            )
        if not isinstance(entries, dict):
            raise ConfigError(f"{source}: [{table}] must be a table of severities")
        for key in entries:
            if key not in {str(s) for s in vocab.severities}:
                raise ConfigError(f"{source}: [{table}] {key!r} is not a severity")
    missing = [s for s in vocab.severities if str(s) not in default]
    if missing:
        raise ConfigError(f"{source}: [default] lacks severity {', '.join(map(str, missing))}")
    for category in vocab.categories:
        own = data.get(category, {})
        for s in vocab.severities:
            table = category if str(s) in own else "default"
            entry = own.get(str(s), default[str(s)])
            out[(category, s)] = _stage_hours(entry, f"{source}: [{table}] {s}")
    return out


def _list(rule: dict[str, Any], key: str, allowed: tuple[Any, ...], where: str) -> tuple[Any, ...]:
    value = rule.pop(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"{where}.{key}: expected a list")
    for v in value:
        if v not in allowed or isinstance(v, bool):
            raise ConfigError(f"{where}.{key}: {v!r} is not one of {', '.join(map(str, allowed))}")
    return tuple(value)


def parse_rules(data: dict[str, Any], vocab: Vocabulary, source: str) -> tuple[Rule, ...]:
    """The [[rule]] list, in order, each checked against the catalog's values."""
    extra = set(data) - {"rule"}
    if extra:
        raise ConfigError(f"{source}: unknown key {sorted(extra)[0]!r} (expected [[rule]])")
    rules: list[Rule] = []
    for i, raw in enumerate(data.get("rule", []), start=1):
        where = f"{source}: rule {i}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: expected a [[rule]] table")
        entry = dict(raw)
        name = entry.pop("name", None)
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where}: needs a name")
        where = f"{source}: rule {name!r}"
        if name in {r.name for r in rules}:
            raise ConfigError(f"{where}: a second rule of that name")
        department = entry.pop("department", None)
        if department is not None and (not isinstance(department, str) or not department.strip()):
            raise ConfigError(f"{where}.department: expected a department's name")
        officer = entry.pop("officer", None)
        if officer not in (None, UNIT_OFFICER):
            raise ConfigError(f'{where}.officer: the only choice is "{UNIT_OFFICER}"')
        rule = Rule(
            name=name,
            categories=_list(entry, "category", vocab.categories, where),
            severities=_list(entry, "severity", vocab.severities, where),
            sources=_list(entry, "source", vocab.sources, where),
            department=department,
            unit_officer=officer == UNIT_OFFICER,
        )
        if entry:
            raise ConfigError(f"{where}: unknown key {sorted(entry)[0]!r}")
        if rule.department is None and not rule.unit_officer:
            raise ConfigError(f'{where}: needs a department, officer = "{UNIT_OFFICER}", or both')
        rules.append(rule)
    return tuple(rules)


def parse_duplicates(data: dict[str, Any], source: str) -> DuplicateWindow:
    """radius_m and hours, both more than 0."""
    extra = set(data) - {"radius_m", "hours"}
    if extra:
        raise ConfigError(f"{source}: unknown key {sorted(extra)[0]!r}")
    for key in ("radius_m", "hours"):
        if key not in data:
            raise ConfigError(f"{source}: needs {key}")
    return DuplicateWindow(
        radius_m=_positive(data["radius_m"], f"{source}: radius_m"),
        hours=_positive(data["hours"], f"{source}: hours"),
    )
