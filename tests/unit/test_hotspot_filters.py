"""Hotspot filters: parsing, the URL query round trip and errors that name the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twin.catalog import load_catalog
from twin.hotspots.filters import (
    FILTER_KEYS,
    FilterError,
    Filters,
    Window,
    check_filters,
    from_query,
    to_query,
)
from twin.hotspots.weights import parse_weights

NOW = datetime(2030, 6, 15, 12, 0, tzinfo=UTC)
CATALOG = load_catalog(Path(__file__).parents[2] / "layers")


def test_filter_keys_are_those_of_to_query() -> None:
    f = Filters("sensor", ("a",), ("b",), (1,), "open", Window("7d"), "hex:100")
    assert tuple(to_query(f)) == FILTER_KEYS


def test_defaults_have_an_empty_query() -> None:
    assert to_query(Filters()) == {}
    assert from_query({}) == Filters()


def test_preset_bounds_are_before_now() -> None:
    assert Window.parse("7d").bounds(NOW) == (NOW - timedelta(days=7), NOW)
    assert Window.parse("24h").bounds(NOW) == (NOW - timedelta(hours=24), NOW)
    assert Window.parse("all").bounds(NOW) == (None, NOW)


def test_custom_dates_are_local_and_the_end_day_is_included() -> None:
    w = Window.parse("2030-01-01/2030-01-03", tz="Asia/Shanghai")
    start, end = w.bounds(NOW)
    assert start.isoformat() == "2030-01-01T00:00:00+08:00"
    assert end.isoformat() == "2030-01-04T00:00:00+08:00"
    assert Window.parse(str(w)) == w


windows = st.sampled_from(
    [
        "24h",
        "7d",
        "30d",
        "90d",
        "all",
        "2030-01-01/2030-02-01",
        "2030-03-01T08:30:00+00:00/2030-03-02T00:00:00+00:00",
    ]
)
names = st.sampled_from(["public_security", "fire_hazard", "sanitation", "other"])


@given(
    layer=st.sampled_from(["incident", "sensor", "camera"]),
    categories=st.lists(names, max_size=3).map(tuple),
    sources=st.lists(st.sampled_from(["patrol", "hotline"]), max_size=2).map(tuple),
    severities=st.lists(st.integers(1, 4), max_size=3).map(tuple),
    status=st.sampled_from(["all", "open"]),
    window=windows,
    unit=st.sampled_from(["grid", "community", "street", "district", "hex:500", "hex:50"]),
)
def test_query_round_trip(layer, categories, sources, severities, status, window, unit) -> None:
    f = Filters(layer, categories, sources, severities, status, Window.parse(window), unit)
    query = to_query(f)
    assert all(isinstance(v, str) for v in query.values())
    assert from_query(query) == f


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"window": "5d"}, "window"),
        ({"window": "2030-02-01/2030-01-01"}, "window"),
        ({"window": "yesterday/today"}, "window"),
        ({"severity": "high"}, "severity"),
        ({"severity": "0"}, "severity"),
        ({"status": "closed"}, "status"),
        ({"unit": "hex:10"}, "unit"),
        ({"unit": "hex:abc"}, "unit"),
        ({"unit": "Grid; drop table"}, "unit"),
        ({"layer": "inc'ident"}, "layer"),
        ({"category": "a b"}, "category"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_query_names_the_field(query: dict[str, str], field: str) -> None:
    with pytest.raises(FilterError) as err:
        from_query(query)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (Filters(layer="grid"), "layer"),
        (Filters(layer="nothing"), "layer"),
        (Filters(categories=("arson",)), "category"),
        (Filters(sources=("radio",)), "source"),
        (Filters(severities=(9,)), "severity"),
        (Filters(layer="camera", categories=("x",)), "category"),
        (Filters(unit="block"), "unit"),
    ],
)
def test_catalog_check_names_the_field(filters: Filters, field: str) -> None:
    with pytest.raises(FilterError) as err:
        check_filters(filters, CATALOG)
    assert err.value.field == field


def test_catalog_check_accepts_catalog_values() -> None:
    check_filters(Filters(categories=("fire_hazard",), severities=(1, 2), status="open"), CATALOG)
    check_filters(Filters(unit="hex:800"), CATALOG)
    check_filters(Filters(unit="community"), CATALOG)


def test_parse_weights_forms_and_errors() -> None:
    assert str(parse_weights("queen")) == "queen"
    assert str(parse_weights("band:800")) == "band:800"
    assert str(parse_weights("knn:6")) == "knn:6"
    for bad in ("rook", "band:", "band:-5", "knn:0", "knn:2.5"):
        with pytest.raises(ValueError, match="queen, band:METRES, knn:K"):
            parse_weights(bad)
