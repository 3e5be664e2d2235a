"""Emerging hotspots over the real store: weekly steps, planted clusters, the table, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import psycopg
import pytest

from tests import gridworld
from twin.hotspots.analysis import prepare
from twin.hotspots.emerging import TABLE_COLUMNS, run_emerging
from twin.hotspots.filters import FilterError, Filters, Window
from twin.hotspots.steps import count_steps, step_edges

NOW = datetime(2030, 6, 15, 4, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
STEADY = (0.5, 0.5)  # G1's centre: a cluster every week
FRESH = (1.5, 0.5)  # G2's centre: a cluster in the final week only


def _incidents(conn: psycopg.Connection, rows: list[tuple[float, float, datetime]]) -> None:
    """Insert resolved incidents at cell coordinates and times (one statement)."""
    lonlat = [gridworld.lonlat(x, y) for x, y, _ in rows]
    conn.execute(
        "INSERT INTO incident (code, category, severity, source, status, reported_at, due_at,"
        " resolved_at, geom) SELECT 'I' || n, 'sanitation', 3, 'patrol', 'resolved', at,"
        " at + interval '1 day', at + interval '1 hour', ST_SetSRID(ST_MakePoint(lon, lat), 4326)"
        " FROM unnest(%s::float8[], %s::float8[], %s::timestamptz[]) WITH ORDINALITY"
        " AS t(lon, lat, at, n)",
        [[a for a, _ in lonlat], [b for _, b in lonlat], [at for _, _, at in rows]],
    )


@pytest.fixture
def weeks(conn: psycopg.Connection, world: dict[str, int]) -> None:
    """12 weeks of uniform background, a steady cluster and one that appears in the last week."""
    rng = np.random.default_rng(5)
    rows: list[tuple[float, float, datetime]] = []
    for week in range(12):
        start = NOW - (12 - week) * WEEK

        def when(start: datetime = start) -> datetime:
            return start + timedelta(seconds=float(rng.uniform(60, WEEK.total_seconds() - 60)))

        for x, y in rng.uniform(0.05, 1.95, (150, 2)):
            if abs(x - 1.5) > 0.25 or abs(y - 1.5) > 0.25:  # G4's hole belongs to no unit
                rows.append((x, y, when()))
        centres = [STEADY] + ([FRESH] if week == 11 else [])
        for cx, cy in centres:
            for dx, dy in rng.normal(0, 0.04, (40, 2)):
                rows.append((cx + dx, cy + dy, when()))
    _incidents(conn, rows)


def test_planted_clusters_get_their_categories(conn: psycopg.Connection, weeks: None) -> None:
    f = Filters(window=Window("90d"), unit="hex:250")
    got = run_emerging(conn, f, NOW, step="7d")
    assert list(got.table.columns) == list(TABLE_COLUMNS)
    assert len(got.edges) == 13  # 90 days hold 12 whole weeks, ending at NOW
    assert got.edges[-1] == NOW
    assert got.edges[0] == NOW - 12 * WEEK
    table = got.table.set_index("code")
    steady = table.loc[_hex_at(got, STEADY)]
    fresh = table.loc[_hex_at(got, FRESH)]
    assert steady["category"] == "persistent"
    assert fresh["category"] == "new"
    assert fresh["class"].startswith("hot_")
    assert fresh["count_final"] >= 30
    assert got.cube.counts.shape == (len(table), 12)
    assert int(got.cube.counts.sum()) == int(table["count"].sum())
    # Away from the clusters nothing emerges from uniform noise.
    quiet = table["category"].isin(["none", ""]).mean()
    assert quiet > 0.7


def _hex_at(got: object, cell: tuple[float, float]) -> str:
    """The code of the hexagon that holds a point given in cell units."""
    import shapely

    units = got.units  # type: ignore[attr-defined]
    lon, lat = gridworld.lonlat(*cell)
    xy = units.projection.to_metres(np.array([lon]), np.array([lat]))[0]
    inside = shapely.contains_xy(units.geoms, xy[0], xy[1])
    return str(units.codes[np.flatnonzero(inside)[0]])


def test_daily_steps_over_a_week(conn: psycopg.Connection, weeks: None) -> None:
    got = run_emerging(conn, Filters(window=Window("7d")), NOW, step="1d")
    assert len(got.edges) == 8
    assert got.table["code"].tolist() == ["G1", "G2", "G3", "G4"]


@pytest.mark.parametrize(
    ("window", "step", "message"),
    [("24h", "1d", "holds 1 step"), ("7d", "7d", "holds 1 step"), ("30d", "2w", "'2w'")],
)
def test_too_few_steps_or_a_bad_step_is_refused_by_name(
    conn: psycopg.Connection, world: dict[str, int], window: str, step: str, message: str
) -> None:
    with pytest.raises(FilterError, match=message) as err:
        run_emerging(conn, Filters(window=Window(window)), NOW, step=step)
    assert err.value.field == "step"


def test_window_all_starts_at_the_step_of_the_earliest_point() -> None:
    first = NOW - 2 * WEEK - timedelta(hours=3)
    edges = step_edges(None, NOW, "7d", first)
    assert edges == [NOW - 3 * WEEK, NOW - 2 * WEEK, NOW - WEEK, NOW]
    assert step_edges(NOW - 30 * timedelta(days=1), NOW, "7d", None)[0] == NOW - 4 * WEEK


def test_points_fall_in_their_step_at_a_level_and_in_a_mesh(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    second = timedelta(seconds=1)
    _incidents(
        conn,
        [
            (0.5, 0.5, NOW - 4 * WEEK),  # the first step's first instant
            (0.5, 0.5, NOW - 4 * WEEK - second),  # the 2-day remainder: left out
            (0.5, 0.5, NOW - WEEK),  # the final step's first instant
            (1.5, 0.5, NOW - second),  # the final step's last second
            (1.5, 0.5, NOW - 2 * WEEK - second),  # the second step's last second
            (1.5, 0.5, NOW),  # not yet: the window ends before now
        ],
    )
    f = Filters(window=Window("30d"))
    prepared = prepare(conn, "grid", "queen")
    counts, edges = count_steps(conn, f, NOW, prepared, "7d")
    assert edges == [NOW - (4 - k) * WEEK for k in range(5)]
    by_code = dict(zip(prepared.units.codes, counts.tolist(), strict=True))
    assert by_code == {
        "G1": [1, 0, 0, 1],
        "G2": [0, 1, 0, 1],
        "G3": [0, 0, 0, 0],
        "G4": [0, 0, 0, 0],
    }
    mesh = prepare(conn, "hex:400", "queen")
    in_mesh, _ = count_steps(conn, Filters(window=Window("30d"), unit="hex:400"), NOW, mesh, "7d")
    assert in_mesh.sum(axis=0).tolist() == [1, 1, 0, 2]
