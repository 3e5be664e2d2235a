"""The hotspot page's pure functions: URL state, controls, legend, ranked list, map values,
and the result memo that never makes a page wait on a value it holds."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from twin.app.hotspots.memo import Memo
from twin.app.hotspots.views import (
    CLASS_COLOURS,
    Controls,
    HotspotPage,
    class_hideout,
    class_legend,
    controls_of,
    coverage_legend,
    filters_of,
    hotspots_href,
    page_search,
    ranked_rows,
    read_page,
    summary,
)
from twin.app.metrics import NO_DATA
from twin.app.views import CatalogText
from twin.catalog import load_catalog
from twin.hotspots.classes import CLASSES
from twin.hotspots.filters import FilterError, Filters, Window
from twin.settings import Settings

LAYERS = load_catalog(Settings().layers_dir)
TEXT = CatalogText(LAYERS)
TZ = "Asia/Shanghai"


def test_a_page_round_trips_through_its_url() -> None:
    f = Filters(categories=("sanitation", "dispute"), status="open", unit="hex:800")
    page = HotspotPage(f, "density", "en", "H0001-0002")
    search = page_search(page)
    assert search == (
        "?lang=en&category=sanitation,dispute&status=open&unit=hex:800&view=density&pick=H0001-0002"
    )
    assert read_page(search, "zh-CN", LAYERS) == page
    assert page_search(HotspotPage(lang="zh-CN")) == "?lang=zh-CN"  # defaults stay out


def test_a_bad_filter_in_the_url_reads_as_the_defaults_and_says_why() -> None:
    page = read_page("?lang=en&category=nope&view=classes", "zh-CN", LAYERS)
    assert page.filters == Filters() and page.lang == "en"
    assert page.error is not None and page.error.startswith("category:")
    assert read_page("?unit=hex:5", "en", LAYERS).error == (
        "unit: 'hex:5': expected hex:METRES with 50–20000 m"
    )
    assert read_page(["?lang=en"], "en", LAYERS) == HotspotPage(lang="en")  # not text
    assert read_page("?view=x&lang=fr", "en", LAYERS) == HotspotPage(lang="en")


def test_a_city_without_grids_opens_on_its_finest_level() -> None:
    page = read_page("?lang=en", "zh-CN", LAYERS, unit="district")
    assert (page.filters.unit, page.error) == ("district", None)
    assert read_page("?unit=hex:500", "en", LAYERS, unit="district").filters.unit == "hex:500"
    assert read_page("?category=nope", "en", LAYERS, unit="district").filters.unit == "district"


def test_the_language_switch_keeps_the_filters() -> None:
    href = hotspots_href("?lang=en&window=7d&view=emerging", "zh-CN", LAYERS)
    assert href == "/hotspots?lang=zh-CN&window=7d&view=emerging"
    assert hotspots_href("?lang=en&severity=x", "zh-CN", LAYERS) == "/hotspots?lang=zh-CN"


def test_controls_make_filters_and_filters_show_in_the_controls() -> None:
    controls = Controls(
        "incident",
        ["fire_hazard"],
        None,
        ["1", "2"],
        "open",
        "custom",
        "2026-11-01",
        "2026-11-07",
        "hex",
        750,
    )
    f = filters_of(controls, LAYERS, TZ)
    assert f.unit == "hex:750" and f.severities == (1, 2) and f.window.preset is None
    assert f.window == Window.parse("2026-11-01/2026-11-07", TZ)
    back = controls_of(f)
    assert (back.window, back.start, back.end) == ("custom", "2026-11-01", "2026-11-07")
    assert (back.unit, back.hex_m, back.severities) == ("hex", 750, ["1", "2"])
    assert filters_of(controls_of(f), LAYERS, TZ) == f


@pytest.mark.parametrize(
    ("controls", "field"),
    [
        (Controls(categories="sanitation"), "category"),  # not a list
        (Controls(categories=["no_such"]), "category"),
        (Controls(window="custom", start="2026-11-01"), "window"),
        (Controls(window=5), "window"),
        (Controls(unit="hex", hex_m="500"), "unit"),
        (Controls(unit="hex", hex_m=10), "unit"),
        (Controls(unit="hex", hex_m=float("inf")), "unit"),
        (Controls(severities=["1", "high"]), "severity"),
        (Controls(status=None), "status"),
        (Controls(layer="grid"), "layer"),
    ],
)
def test_controls_no_filter_could_be_are_an_error_naming_the_control(
    controls: Controls, field: str
) -> None:
    with pytest.raises(FilterError) as caught:
        filters_of(controls, LAYERS, TZ)
    assert caught.value.field == field


def table(classes: list[str], z: list[float], counts: list[int]) -> pd.DataFrame:
    codes = [f"U{i}" for i in range(len(classes))]
    return pd.DataFrame(
        {
            "code": codes,
            "name": [f"unit {c}" for c in codes],
            "count": counts,
            "gi_z": z,
            "p_value": 0.01,
            "p_fdr": 0.01,
            "class": classes,
        }
    )


def test_the_legend_runs_hot_to_cold_and_lists_islands_as_no_data() -> None:
    legend = class_legend("en", islands=2)
    assert [e["label"] for e in legend][:3] == ["Hot spot 99%", "Hot spot 95%", "Hot spot 90%"]
    assert [e["colour"] for e in legend[:7]] == [CLASS_COLOURS[c] for c in CLASSES]
    assert legend[-1] == {"colour": NO_DATA, "label": "Islands (no neighbour): 2"}
    assert len(class_legend("zh-CN")) == 7  # no islands, no entry
    assert coverage_legend("en")[0]["label"] == "0% – 20%"


def test_the_ranked_list_holds_the_hotspots_strongest_first_with_their_mix() -> None:
    t = table(
        ["hot_95", "none", "hot_99", "cold_99", "hot_95", ""],
        [2.2, 0, 3.1, -3, 2.2, np.nan],
        [5, 1, 9, 0, 7, 0],
    )
    points = pd.DataFrame(
        {
            "unit": ["U2", "U2", "U2", "U4", None],
            "category": ["dispute", "dispute", "sanitation", "dispute", "dispute"],
        }
    )
    rows = ranked_rows(t, points, TEXT, "incident", "en", {"U2": "Intensifying hot spot"})
    assert [r["code"] for r in rows] == ["U2", "U4", "U0"]  # z, then count breaks the tie
    assert rows[0]["mix"] == "Dispute 67%, Sanitation 33%"
    assert rows[0]["trend"] == "Intensifying hot spot" and rows[1]["trend"] == "–"
    assert rows[2]["mix"] == "–"  # no point of U0 among those given
    assert rows[0]["z"] == "3.10" and rows[0]["class_label"] == "Hot spot 99%"


def test_map_values_carry_classes_and_islands_stay_without_one() -> None:
    t = table(["hot_99", ""], [3.3, np.nan], [4, 0])
    hideout = class_hideout(t, "zh-CN")
    assert hideout["values"] == {"U0": "hot_99", "U1": ""}
    assert hideout["z"] == {"U0": 3.3, "U1": None}  # NaN is no JSON
    assert hideout["labels"][""] == "孤立单元"
    assert summary(t, ["U1"], 3, "en") == (
        "2 units · 4 points · 1 hot · 0 cold · 1 islands · 3 outside"
    )


def test_the_memo_serves_what_it_holds_while_the_next_is_computed() -> None:
    now = [0.0]
    memo = Memo(10.0, clock=lambda: now[0])
    assert memo.get("k", lambda: 1) == 1
    assert memo.get("k", lambda: 2) == 1  # fresh: not computed again
    release, started = threading.Event(), threading.Event()

    def slow() -> int:
        started.set()
        release.wait(5)
        return 3

    now[0] = 11.0
    assert memo.get("k", slow) == 1  # stale: served at once, recomputed behind
    assert started.wait(5)
    assert memo.get("k", slow) == 1  # still computing: still the old one, no second run
    release.set()
    for _ in range(50):
        if memo.peek("k") == 3:
            break
        threading.Event().wait(0.05)
    assert memo.peek("k") == 3
