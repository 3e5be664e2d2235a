"""The ranked list's trend column: each unit's emerging category in words, islands named."""

from __future__ import annotations

import pandas as pd

from twin.app.hotspots.results import trend_labels


def test_each_category_is_worded_in_the_pages_language() -> None:
    table = pd.DataFrame(
        {"code": ["G1", "G2", "G3"], "category": ["intensifying", "none", "new_cold"]}
    )
    assert trend_labels(table, "en") == {
        "G1": "Intensifying hot spot",
        "G2": "No pattern",
        "G3": "New cold spot",
    }
    assert trend_labels(table, "zh-CN")["G1"] == "加剧热点"


def test_an_island_has_no_category_and_says_it_is_an_island() -> None:
    table = pd.DataFrame({"code": ["G9"], "category": [""]})
    assert trend_labels(table, "en") == {"G9": "Island"}
