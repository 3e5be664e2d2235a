"""Every colour-by metric over a real city: on every level of the demo, the best unit takes
the calm end of the ramp and the worst the alarming end; the derived figures are exact on
the hand-made grid world."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pandas as pd
import psycopg
import pytest

from tests import gridworld
from tests.gridworld import add_incident
from twin.activity import Clock
from twin.app.metrics import Metric, build_hideout, build_legend, catalog_metrics, unit_colour
from twin.app.palette import ALERT_RAMP, SIZE_RAMP
from twin.app.snapshot import Snapshot, read_snapshot
from twin.catalog import load_catalog
from twin.catalog.terms import Terms
from twin.db.connect import open_pool
from twin.settings import Settings
from twin.spatial.status import Thresholds
from twin.synth.load import load_demo

LAYERS = load_catalog(Settings().layers_dir)
TERMS = Terms.of(LAYERS)
NUMERIC = [m for m in catalog_metrics(LAYERS) if m.kind != "status"]


def snapshot(db_url: str) -> Snapshot:
    pool = open_pool(db_url, 2)
    try:
        return read_snapshot(pool, 1, Clock.current(), Thresholds(), terms=TERMS)
    finally:
        pool.close()


@pytest.fixture
def demo(db_url: str, conn: psycopg.Connection) -> Iterator[Snapshot]:
    load_demo(conn, "small", seed=1, now=datetime.now(UTC))
    yield snapshot(db_url)


def test_every_metric_on_every_level_of_the_demo_puts_best_and_worst_at_the_ends(
    demo: Snapshot,
) -> None:
    wrong = []
    for level, frame in demo.levels.items():
        for metric in NUMERIC:
            wrong += _ends_wrong(frame, metric, level)
    assert wrong == []


def _ends_wrong(frame: pd.DataFrame, metric: Metric, level: str) -> list[str]:
    hideout = build_hideout(frame, metric, "en")
    known = {c: v for c, v in hideout["values"].items() if v is not None}
    if not known:
        return []
    low, high = min(known, key=known.__getitem__), max(known, key=known.__getitem__)
    best, worst = (high, low) if metric.higher == "better" else (low, high)
    ramp = SIZE_RAMP if metric.higher == "neutral" else ALERT_RAMP
    want = {best: ramp[0], worst: ramp[-1] if known[best] != known[worst] else ramp[0]}
    out = [
        f"{level} {metric.key}: {code}={known[code]} is {unit_colour(hideout, code)}, not {c}"
        for code, c in want.items()
        if unit_colour(hideout, code) != c
    ]
    classes = [e for e in build_legend(metric, hideout["values"], "en") if "upper" in e]
    if classes[-1]["upper"] < max(known.values()):
        out.append(f"{level} {metric.key}: the legend stops below {max(known.values())}")
    return out


def test_area_density_officers_and_cases_per_head_roll_up_the_hierarchy(
    db_url: str, conn: psycopg.Connection
) -> None:
    gridworld.build(conn)
    conn.execute("UPDATE grid SET officer = NULL WHERE code = 'G4'")
    conn.execute("UPDATE grid SET population = NULL WHERE code = 'G3'")
    for i in range(3):
        add_incident(conn, f"E{i}", 0.5, 0.5)  # in G1
    snap = snapshot(db_url)
    grids = snap.levels["grid"].set_index("code")
    district = snap.levels["district"].set_index("code").loc["D"]
    assert list(grids.loc[["G1", "G2", "G3", "G4"], "officers"]) == [1, 1, 1, 0]
    assert district["officers"] == 3  # its grids' posts; itself has no officer
    assert grids.loc["G1", "cases_per_officer"] == 3
    assert grids.loc["G1", "cases_per_1000"] == pytest.approx(3.0)  # 3 cases, 1,000 people
    area = grids.loc["G1", "area_m2"] / 1e6
    assert grids.loc["G1", "area_km2"] == pytest.approx(area)
    assert grids.loc["G1", "density"] == pytest.approx(1000 / area)
    # No officer, no population: no figure, never a division by zero.
    assert grids.loc[["G4"], "cases_per_officer"].isna().all()
    assert grids.loc[["G3"], "density"].isna().all()
    assert grids.loc[["G3"], "cases_per_1000"].isna().all()
