"""A street network of the demo's size when none is loaded: the city's unit edges as roads,
the coarser the level an edge bounds, the bigger the road (district edges are primary)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from twin.reference.store import ReferenceFeature
from twin.synth.city import Area, to_lonlat

CLASSES = ("primary", "secondary", "tertiary", "residential")  # by level, largest first
NAMES = (
    "解放",
    "中山",
    "建设",
    "人民",
    "和平",
    "胜利",
    "友谊",
    "长江",
    "汉江",
    "黄河",
    "光明",
    "新华",
)
SUFFIX = {"primary": "大道", "secondary": "路", "tertiary": "街"}
MIN_LENGTH_M = 5.0  # slivers left where two levels' edges meet are no roads


def edge_roads(areas: Sequence[Area], levels: Sequence[str]) -> list[ReferenceFeature]:
    """The finest level's unit edges, merged between junctions, each classed by the coarsest
    level whose boundary it runs along (levels nest, so every edge is a finest-level one)."""
    finest = shapely.union_all([a.geom.boundary for a in areas if a.level == levels[-1]])
    edges = [e for e in shapely.get_parts(shapely.line_merge(finest)) if e.length >= MIN_LENGTH_M]
    middles = shapely.line_interpolate_point(edges, 0.5, normalized=True)
    rank = np.full(len(edges), len(levels) - 1)
    for i, level in reversed(list(enumerate(levels[:-1]))):
        tree = shapely.STRtree([a.geom.boundary for a in areas if a.level == level])
        hit = np.unique(tree.query(middles, predicate="dwithin", distance=1.0)[0])
        rank[hit] = i
    roads = []
    for n, (edge, r) in enumerate(zip(edges, rank, strict=True)):
        cls = CLASSES[min(int(r), len(CLASSES) - 1)]
        name = (
            f"{NAMES[n % len(NAMES)]}{SUFFIX[cls]}{n // len(NAMES) or ''}"
            if cls in SUFFIX
            else None
        )
        roads.append(ReferenceFeature(f"e{n}", cls, name, to_lonlat(edge)))
    return roads
