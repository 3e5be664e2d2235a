"""The benchmark's street network: the demo's unit edges, classed by the coarsest level
they bound, each edge once."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
import shapely

from twin.bench.roads import edge_roads
from twin.catalog.terms import Terms
from twin.synth.city import to_lonlat
from twin.synth.load import builtin_layers, generate


def test_the_demo_edges_become_roads_once_each_bigger_on_bigger_boundaries() -> None:
    city = generate("small", 1, datetime(2030, 1, 1, tzinfo=UTC))
    levels = Terms.of(builtin_layers()).levels
    roads = edge_roads(city.areas, levels)
    classes = Counter(r.cls for r in roads)
    assert set(classes) == {"primary", "secondary", "tertiary", "residential"}
    assert len({r.code for r in roads}) == len(roads)
    districts = shapely.union_all(
        [to_lonlat(a.geom).boundary for a in city.areas if a.level == levels[0]]
    )
    for road in roads:
        on_district = districts.buffer(1e-6).contains(road.geom)
        assert on_district == (road.cls == "primary"), road.code
    network = shapely.union_all([r.geom for r in roads])
    grids = shapely.union_all(
        [to_lonlat(a.geom).boundary for a in city.areas if a.level == levels[-1]]
    )
    assert network.length == pytest.approx(grids.length, rel=0.01)
