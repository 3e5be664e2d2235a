"""Reference layers in the catalog: roads, water, buildings and landmarks, drawn by class and
never counted; malformed reference files are refused by file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from twin.app.metrics import catalog_metrics
from twin.catalog import CatalogError, load_catalog
from twin.catalog.terms import Terms
from twin.settings import Settings


def test_the_built_in_reference_layers_and_their_drawing() -> None:
    layers = load_catalog(Settings().layers_dir)
    geometry = {n: lay.geometry for n, lay in layers.items() if lay.kind == "reference"}
    assert geometry == {"building": "polygon", "landmark": "any", "road": "line", "water": "any"}
    assert {layers[n].table for n in geometry} == {"reference_feature"}
    roads = {v.value: v for v in layers["road"].field("class").values}
    assert roads["motorway"].width is not None and roads["residential"].width is not None
    assert roads["motorway"].width > roads["primary"].width > roads["residential"].width
    assert roads["primary"].snap and roads["residential"].labelled and not roads["path"].snap
    water = {v.value: v for v in layers["water"].field("class").values}
    assert water["river"].snap and water["canal"].snap and not water["water"].snap
    assert water["water"].fill == "#a8cdf0" and water["river"].color == "#4a90d9"
    building = layers["building"].field("class").values[0]
    assert building.min_zoom == 15 and building.fill and not building.labelled
    # Point layers' values carry none of it.
    status = layers["camera"].field("status").values[0]
    assert (status.width, status.fill, status.min_zoom, status.labelled, status.snap) == (
        None,
        None,
        None,
        False,
        False,
    )


def test_reference_layers_are_never_counted_nor_points_nor_levels() -> None:
    layers = load_catalog(Settings().layers_dir)
    terms = Terms.of(layers)
    assert terms.point_layers == ("camera", "incident", "sensor")
    assert terms.levels == ("district", "street", "community", "grid")
    assert all(layers[n].stat_columns() == {} for n in ("road", "water", "building", "landmark"))
    assert not {m.group for m in catalog_metrics(layers)} & {"road", "water", "building"}
    assert not layers["road"].counted and layers["camera"].counted


ROAD = """
[layer]
name = "lane"
table = "reference_feature"
kind = "reference"
geometry = "line"
title = { zh = "小路", en = "Lanes" }

[[field]]
name = "code"
type = "text"
title = { zh = "编号", en = "Code" }

[[field]]
name = "class"
type = "enum"
title = { zh = "等级", en = "Class" }
values = [{ value = "lane", zh = "小路", en = "Lane", width = 2, min_zoom = 12, snap = true }]

[[field]]
name = "name"
type = "text"
title = { zh = "名称", en = "Name" }
"""

POINT = """
[layer]
name = "school"
table = "school"
kind = "point"
title = { zh = "学校", en = "Schools" }

[[field]]
name = "code"
type = "text"
title = { zh = "编号", en = "Code" }

[[field]]
name = "kind"
type = "enum"
title = { zh = "类型", en = "Kind" }
values = [{ value = "primary", zh = "小学", en = "Primary" }]
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            ROAD.replace('geometry = "line"', 'geometry = "curve"'),
            "layers/lane.toml [layer]: a reference layer needs geometry = one of line, polygon,",
        ),
        (
            ROAD.replace('geometry = "line"\n', ""),
            "layers/lane.toml [layer]: a reference layer needs geometry",
        ),
        (
            ROAD.replace('table = "reference_feature"', 'table = "lane"'),
            "layers/lane.toml [layer]: a reference layer's table is 'reference_feature'",
        ),
        (
            ROAD.replace('name = "name"', 'name = "lanes"'),
            "layers/lane.toml: a reference layer's fields are code, class (enum)",
        ),
        (
            ROAD + '\n[rollup]\ntotal = "lanes"\nby = ["class"]\n',
            "layers/lane.toml [rollup]: a reference layer is drawn, never counted",
        ),
        (
            ROAD.replace("width = 2", "width = -1"),
            "layers/lane.toml [[field]] #2 (class) values[0]: width must be a positive number",
        ),
        (
            ROAD.replace("min_zoom = 12", "min_zoom = 30"),
            "layers/lane.toml [[field]] #2 (class) values[0]: min_zoom must be a whole zoom",
        ),
        (
            ROAD.replace("snap = true", 'snap = "yes"'),
            "layers/lane.toml [[field]] #2 (class) values[0]: key 'snap' has the wrong type",
        ),
        (
            ROAD.replace("snap = true", "stroke = 3"),
            "layers/lane.toml [[field]] #2 (class) values[0]: unknown key 'stroke'",
        ),
        (
            POINT.replace('en = "Primary"', 'en = "Primary", snap = true'),
            "layers/lane.toml field 'kind' value 'primary': width, fill, min_zoom, label and snap",
        ),
        (
            POINT.replace('kind = "point"', 'kind = "point"\ngeometry = "line"'),
            "layers/lane.toml [layer]: only a reference layer has a geometry",
        ),
    ],
)
def test_malformed_reference_files_name_the_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    directory = tmp_path / "layers"
    directory.mkdir()
    (directory / "lane.toml").write_text(text, "utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(directory)
    assert str(err.value).startswith(message), str(err.value)


def test_a_city_declares_its_own_reference_layer_in_toml(tmp_path: Path) -> None:
    directory = tmp_path / "layers"
    directory.mkdir()
    (directory / "lane.toml").write_text(ROAD, "utf-8")
    lane = load_catalog(directory)["lane"].field("class").values[0]
    assert (lane.width, lane.min_zoom, lane.snap, lane.labelled, lane.fill) == (
        2.0,
        12,
        True,
        False,
        None,
    )
