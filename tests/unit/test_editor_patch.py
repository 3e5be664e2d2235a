"""The editor's layer patches: applied as the page applies them, they give the next layer."""

from __future__ import annotations

import random
from typing import Any

from tests.dash_patch import applied
from twin.app.planner.editor_patch import patch_of


def layer(rng: random.Random, codes: list[str]) -> dict[str, Any]:
    feats = [{"id": c, "properties": {"code": c, "v": rng.randrange(3)}} for c in codes]
    return {"type": "FeatureCollection", "features": feats}


def test_a_patch_turns_the_layer_drawn_into_the_next_in_code_order() -> None:
    rng = random.Random(12)
    for _ in range(300):
        pool = [f"G{i:02d}" for i in range(rng.randrange(0, 14))]
        old = layer(rng, sorted(rng.sample(pool, rng.randrange(0, len(pool) + 1))))
        new = layer(rng, sorted(rng.sample(pool, rng.randrange(0, len(pool) + 1))))
        assert applied(old, patch_of(old, new).to_plotly_json()) == new


def test_an_unchanged_layer_is_an_empty_patch() -> None:
    same = layer(random.Random(1), ["A", "B", "C"])
    assert patch_of(same, same).to_plotly_json()["operations"] == []
