"""`twin export --where` read as tokens: quoted values may hold AND, commas, parentheses."""

from __future__ import annotations

import pytest

from twin.catalog import load_catalog
from twin.export import ExportError, build_where
from twin.settings import Settings

CAMERA = load_catalog(Settings().layers_dir)["camera"]


@pytest.mark.parametrize(
    ("text", "params"),
    [
        ("name = 'Sand and Sea'", {"w0": "Sand and Sea"}),
        ("name = 'Sand AND Sea' and status = online", {"w0": "Sand AND Sea", "w1": "online"}),
        ("name IN ('Gate A, north', 'x (y)')", {"w0": ["Gate A, north", "x (y)"]}),
        ("name in (a,b) AND code != 'C 1'", {"w0": ["a", "b"], "w1": "C 1"}),
        ("name = 'O''Brien'", {"w0": "O'Brien"}),
        ('name = "say ""hi"""', {"w0": 'say "hi"'}),
        ("status<>online", {"w0": "online"}),
    ],
)
def test_quoted_values_keep_their_and_commas_and_quotes(
    text: str, params: dict[str, object]
) -> None:
    assert build_where(CAMERA, text)[1] == params


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = 'unclosed", "cannot read"),
        ("name IN ('a', 'b'", "IN wants"),
        ("name IN 'a'", "IN wants a list"),
        ("name = a or status = online", "cannot read 'or status = online'"),
        ("name = a and", "cannot read 'and'"),
        ("name =", "cannot read"),
        ("grid_id = 3", "not a field"),
    ],
)
def test_a_where_it_cannot_read_is_refused_with_what(text: str, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        build_where(CAMERA, text)
