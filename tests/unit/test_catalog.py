"""The layer catalog: built-in layers load; malformed files are refused by file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.catalog import CatalogError, load_catalog
from twin.settings import Settings


def test_the_built_in_layers() -> None:
    layers = load_catalog(Settings().layers_dir)
    assert sorted(layers) == [
        "camera",
        "community",
        "district",
        "grid",
        "incident",
        "sensor",
        "street",
    ]
    incident = layers["incident"]
    assert incident.field("category").values[1].label.get("zh-CN") == "消防隐患"
    assert incident.field("category").values[1].label.get("en") == "Fire hazard"
    assert incident.stat_columns()["incident_status_reported"] == "status::text = 'reported'"
    assert layers["grid"].level == "grid" and layers["street"].field("parent_code").required
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
            MINIMAL.replace('type = "text"', 'type = "enum"'),
            "layers/school.toml [[field]] #1 (code): an enum field needs values",
        ),
        (
            MINIMAL.replace('kind = "point"', 'kind = "grid"'),
            "layers/school.toml [layer]: a grid layer needs level",
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


def test_the_catalog_and_the_code_agree_on_every_enum() -> None:
    from twin.spatial import status

    layers = load_catalog(Settings().layers_dir)
    incident, camera, sensor = layers["incident"], layers["camera"], layers["sensor"]
    assert incident.field("category").allowed == status.CATEGORIES
    assert incident.field("status").allowed == status.INCIDENT_STATUSES
    assert incident.field("severity").allowed == tuple(map(str, status.SEVERITIES))
    assert incident.field("source").allowed == status.SOURCES
    assert camera.field("status").allowed == status.CAMERA_STATUSES
    assert sensor.field("status").allowed == status.SENSOR_STATUSES
    assert sensor.field("kind").allowed == status.SENSOR_KINDS
