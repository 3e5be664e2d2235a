"""The layer catalog: built-in layers load; malformed files are refused by file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.catalog import CatalogError, load_catalog
from twin.catalog.terms import Terms
from twin.settings import Settings


def test_the_built_in_layers() -> None:
    layers = load_catalog(Settings().layers_dir)
    assert sorted(layers) == [
        "building",
        "camera",
        "community",
        "district",
        "grid",
        "incident",
        "landmark",
        "road",
        "sensor",
        "street",
        "water",
    ]
    incident = layers["incident"]
    assert incident.field("category").values[1].label.get("zh-CN") == "消防隐患"
    assert incident.field("category").values[1].label.get("en") == "Fire hazard"
    assert incident.stat_columns()["incident_status_reported"] == "status::text = 'reported'"
    assert layers["grid"].level == "grid" and not layers["street"].field("parent_code").required
    with pytest.raises(AttributeError):  # frozen
        incident.name = "x"  # type: ignore[misc]


MINIMAL = """
[layer]
name = "school"
table = "school"
kind = "point"
title = { zh = "学校", en = "Schools" }

[[field]]
name = "code"
type = "text"
title = { zh = "编号", en = "Code" }
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            MINIMAL.replace('kind = "point"', 'kind = "point"\ncolour = "red"'),
            "layers/school.toml [layer]: unknown key 'colour'",
        ),
        (
            MINIMAL + '\n[style]\ncolor_by = "status"\n',
            "layers/school.toml [style]: 'status' is not a field of this layer",
        ),
        (
            MINIMAL.replace('type = "text"', 'type = "string"'),
            "layers/school.toml [[field]] #1 (code): type 'string' is not one of",
        ),
        (
            MINIMAL.replace('name = "code"', 'name = "id"'),
            "layers/school.toml: every layer needs a 'code' field",
        ),
        (
            MINIMAL + '\n[rollup]\ntotal = "schools"\nby = ["code"]\n',
            "layers/school.toml [rollup] by: 'code' is not an enum field",
        ),
        (
            MINIMAL + '\n[rollup]\ntotal = "counts"\n',
            "layers/school.toml [rollup] total: 'counts' is a column grid_stat has already",
        ),
        (
            MINIMAL.replace('type = "text"', 'type = "enum"'),
            "layers/school.toml [[field]] #1 (code): an enum field needs values",
        ),
        (
            MINIMAL.replace('kind = "point"', 'kind = "grid"'),
            "layers/school.toml [layer]: a grid layer needs a level",
        ),
        (
            MINIMAL.replace('kind = "point"', 'kind = "point"\nparent = "grid"'),
            "layers/school.toml [layer]: only a grid layer has a parent level",
        ),
        (
            MINIMAL.replace(
                'type = "text"',
                'type = "enum"\nvalues = [{ value = "a", zh = "甲", en = "A", open = "yes" }]',
            ),
            "layers/school.toml [[field]] #1 (code) values[0]: key 'open' has the wrong type",
        ),
        (MINIMAL.replace("[layer]", "[layer"), "layers/school.toml: not valid TOML"),
    ],
)
def test_malformed_files_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    directory = tmp_path / "layers"
    directory.mkdir()
    (directory / "school.toml").write_text(text, "utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(directory)
    assert str(err.value).startswith(message), str(err.value)


def test_levels_open_statuses_and_attention_come_from_the_toml() -> None:
    layers = load_catalog(Settings().layers_dir)
    terms = Terms.of(layers)
    assert terms.levels == ("district", "street", "community", "grid")
    assert terms.parent("street") == "district" and terms.child("grid") is None
    assert terms.open_statuses == ("reported", "dispatched", "in_progress", "escalated")
    assert terms.point_layers == ("camera", "incident", "sensor")
    assert layers["camera"].field("status").attention_values == ("offline", "fault")
    assert layers["incident"].field("severity").attention_values == ("1", "2")
    # An open value needs attention too, without saying so twice.
    assert layers["incident"].field("status").attention_values == terms.open_statuses


GRID = """
[layer]
name = "{name}"
table = "grid"
kind = "grid"
level = "{name}"
{parent}
title = {{ zh = "级", en = "Level" }}

[[field]]
name = "code"
type = "text"
title = {{ zh = "编码", en = "Code" }}
"""


def _levels(tmp_path: Path, parents: dict[str, str | None]) -> Path:
    directory = tmp_path / "layers"
    directory.mkdir()
    for name, parent in parents.items():
        line = f'parent = "{parent}"' if parent else ""
        (directory / f"{name}.toml").write_text(GRID.format(name=name, parent=line), "utf-8")
    return directory


def test_a_catalog_of_other_levels_orders_them_by_parent(tmp_path: Path) -> None:
    # Files sort as block, building, estate: the order comes from the parents alone.
    directory = _levels(tmp_path, {"block": "estate", "building": "block", "estate": None})
    assert Terms.of(load_catalog(directory)).levels == ("estate", "block", "building")


@pytest.mark.parametrize(
    ("parents", "message"),
    [
        ({"a": None, "b": "nowhere"}, "layers/b.toml [layer] parent: no grid layer has the level"),
        ({"a": None, "b": "a", "c": "a"}, "layers/b.toml [layer] parent: two levels sit under a"),
        ({"a": None, "b": None}, "layers/a.toml [layer] parent: two levels sit under the city"),
        ({"a": "b", "b": "a"}, "layers: the grid levels do not form one chain"),
    ],
)
def test_levels_that_do_not_form_one_chain_are_refused(
    tmp_path: Path, parents: dict[str, str | None], message: str
) -> None:
    with pytest.raises(CatalogError) as err:
        load_catalog(_levels(tmp_path, parents))
    assert str(err.value).startswith(message), str(err.value)
