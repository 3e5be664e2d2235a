"""KPIs and exports against the map in force on another date (`--as-of`)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import geopandas as gpd
import psycopg
import pytest
from shapely.geometry import box

from tests import gridworld
from tests.db.test_cli import twin
from tests.gridworld import add_incident, lonlat
from twin.catalog import Layer
from twin.export import ExportError, fetch_features
from twin.plans.apply import apply_changes
from twin.plans.asof import as_of_moment, fetch_statuses_as_of
from twin.plans.model import UnitState
from twin.plans.versions import current_version, record_version, units_of_version
from twin.store import fetch_grid_statuses

TZ = "Asia/Shanghai"


def cell_box(x0: float, y0: float, x1: float, y1: float):  # type: ignore[no-untyped-def]
    (a, b), (c, d) = lonlat(x0, y0), lonlat(x1, y1)
    return box(a, b, c, d)


@pytest.fixture
def redrawn(conn: psycopg.Connection):  # type: ignore[no-untyped-def]
    """The world as version 2 from its database now, its strip moved as version 3 a day on;
    the moments of the two."""
    gridworld.build(conn)
    for code, (x, y) in {"E1": (0.5, 0.5), "E2": (1.7, 0.5), "E5": (1.2, 0.5)}.items():
        add_incident(conn, code, x, y)
    add_incident(conn, "E4", 1.6, 1.7, severity=1)
    conn.execute(
        "INSERT INTO camera (code, name, status, geom) VALUES ('K1', 'k', 'online', %s)",
        [gridworld.point(1.3, 0.2)],
    )
    start = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
    record_version(conn, "load", effective_at=start)
    units = {u.code: u for u in units_of_version(conn, 2)}
    strip = cell_box(1.0, 0.0, 1.5, 1.0)
    g1, g2 = units["G1"], units["G2"]
    apply_changes(
        conn,
        [
            UnitState("G1", g1.name, "grid", "C", g1.geom.union(strip), g1.officer, 1000, 400),
            UnitState("G2", g2.name, "grid", "C", g2.geom.difference(strip), g2.officer, 1000, 400),
        ],
        [],
    )
    record_version(conn, "plan", effective_at=start + timedelta(days=1))
    return start, start + timedelta(days=1)


def test_counts_against_the_map_in_force_now_equal_the_stored_counts(
    conn: psycopg.Connection, redrawn: object
) -> None:
    for level in ("grid", "community", "district"):
        stored = fetch_grid_statuses(conn, level).set_index("code")
        again = fetch_statuses_as_of(conn, current_version(conn), level).set_index("code")
        columns = [c for c in stored.columns if c not in ("id", "parent_id", "name", "level")]
        columns = [c for c in columns if c in again.columns]
        assert len(columns) > 40
        assert again[columns].astype(object).equals(stored[columns].astype(object)), level


def test_a_past_date_counts_the_points_in_the_units_then(
    conn: psycopg.Connection, redrawn: tuple, layers: dict[str, Layer]
) -> None:
    before, after = redrawn
    then = fetch_features(conn, layers["grid"], as_of=before + timedelta(hours=1))
    now = fetch_features(conn, layers["grid"], as_of=after)
    current = fetch_features(conn, layers["grid"])
    assert dict(zip(then["code"], then["incidents"], strict=True)) == {
        "G1": 1,
        "G2": 2,
        "G3": 0,
        "G4": 1,
    }
    assert dict(zip(then["code"], then["cameras"], strict=True))["G2"] == 1
    assert dict(zip(then["code"], then["open_severity_1"], strict=True))["G4"] == 1
    assert dict(zip(now["code"], now["incidents"], strict=True)) == {
        "G1": 2,
        "G2": 1,
        "G3": 0,
        "G4": 1,
    }
    assert list(now["incidents"]) == list(current["incidents"])
    g1_then = then.set_index("code").geometry["G1"]
    assert g1_then.equals(units_of_version(conn, 2, "grid")[0].geom)
    assert not g1_then.equals(current.set_index("code").geometry["G1"])
    with pytest.raises(ExportError, match="--as-of applies to grid layers"):
        fetch_features(conn, layers["incident"], as_of=after)


def test_a_date_means_the_end_of_that_local_day() -> None:
    day = datetime.now(UTC).astimezone(ZoneInfo(TZ)).date()
    moment = as_of_moment(day.isoformat(), TZ)
    assert moment.tzinfo == ZoneInfo(TZ)
    following = datetime.combine(day + timedelta(days=1), time(), ZoneInfo(TZ))
    assert moment + timedelta(microseconds=1) == following
    at = as_of_moment(f"{day.isoformat()}T09:30", TZ)
    assert at == datetime.combine(day, time(9, 30), ZoneInfo(TZ))
    with pytest.raises(ValueError, match="--as-of 'soon': give a date"):
        as_of_moment("soon", TZ)


def test_export_as_of_a_date_from_the_command_line(
    conn: psycopg.Connection, db_url: str, redrawn: tuple, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    before, _ = redrawn
    env = {"TWIN_DATABASE_URL": db_url, "TWIN_TIMEZONE": TZ}
    day = (before.astimezone(ZoneInfo(TZ))).date().isoformat()
    out = tmp_path / "then.gpkg"
    done = twin("export", "grid", str(out), "--as-of", day, env=env)
    assert done.returncode == 0, done.stderr
    assert "grid: 4 features written" in done.stdout
    read = gpd.read_file(out)
    assert dict(zip(read["code"], read["incidents"], strict=True))["G2"] == 2
    bad = twin("export", "grid", str(out), "--as-of", "someday", env=env)
    assert bad.returncode == 2
    assert "twin: error: --as-of 'someday': give a date" in bad.stderr
