"""The synthetic city's cameras, sensors and incidents, vectorised with numpy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import shapely

from twin.catalog import Layer
from twin.synth.city import Area, sample_in, xy_to_lonlat

HISTORY_DAYS = 90

# The demo's mix per catalog value; a value the catalog adds gets the rarest weight.
CATEGORY_WEIGHTS = {
    "public_security": 0.12,
    "fire_hazard": 0.08,
    "sanitation": 0.22,
    "dispute": 0.14,
    "safety_hazard": 0.14,
    "city_management": 0.25,
    "other": 0.05,
}
SEVERITY_WEIGHTS = np.array([0.02, 0.10, 0.38, 0.50])
SOURCE_WEIGHTS = {"patrol": 0.40, "citizen_photo": 0.20, "hotline": 0.28, "sensor_alarm": 0.12}
DUE_HOURS = np.array([4.0, 24.0, 72.0, 168.0])  # deadline (时限) by severity 1..4
DEPARTMENTS = {
    "public_security": "区公安分局",
    "fire_hazard": "区消防救援大队",
    "sanitation": "区环卫所",
    "dispute": "街道综治中心",
    "safety_hazard": "区应急管理局",
    "city_management": "区城管执法局",
    "other": "街道办事处",
}
DESCRIPTIONS = {
    "public_security": ("可疑人员徘徊", "电动车被盗", "夜间噪音扰民", "酒后滋事"),
    "fire_hazard": ("消防通道堵塞", "楼道堆放杂物", "电动车违规充电", "灭火器过期"),
    "sanitation": ("垃圾堆放未清运", "污水外溢", "绿化带垃圾", "公厕卫生差"),
    "dispute": ("邻里纠纷", "物业纠纷", "劳资纠纷", "婚姻家庭纠纷"),
    "safety_hazard": ("井盖缺失", "广告牌松动", "施工围挡破损", "树木倾斜"),
    "city_management": ("占道经营", "乱停乱放", "违规搭建", "户外广告违规"),
    "other": ("路灯不亮", "公共设施损坏", "群众咨询求助", "宠物扰民"),
}
# Share of a day's cases in each hour: quiet at night, peaks mid-morning and afternoon.
HOURLY = np.array(
    [
        1,
        0.6,
        0.4,
        0.3,
        0.3,
        0.5,
        1.2,
        2.2,
        3.4,
        4.4,
        4.8,
        4.5,
        3.8,
        3.9,
        4.3,
        4.6,
        4.4,
        4.0,
        3.4,
        3.0,
        2.7,
        2.3,
        1.8,
        1.3,
    ]
)
NIGHT_HOURLY = np.roll(HOURLY, 11)  # public-security peaks late evening
WEEKLY = np.array([1.05, 1.0, 1.0, 1.0, 1.1, 0.85, 0.8])  # Monday..Sunday: fewer at weekends
SENSOR_KIND_WEIGHTS = {
    "smoke": 0.35,
    "water_immersion": 0.10,
    "hydrant_pressure": 0.10,
    "gas": 0.10,
    "environment": 0.05,
    "manhole": 0.10,
    "door_access": 0.20,
}
SENSOR_UNITS = {
    "smoke": ("%obs/m", 0.0, 0.5),
    "water_immersion": ("mm", 0.0, 2.0),
    "hydrant_pressure": ("MPa", 0.2, 0.45),
    "gas": ("%LEL", 0.0, 3.0),
    "environment": ("dB", 40.0, 70.0),
    "manhole": ("deg", 0.0, 2.0),
    "door_access": ("events/h", 0.0, 40.0),
}
OTHER_UNIT = ("", 0.0, 1.0)  # a kind only the catalog knows reads in no particular unit


LOCAL_TZ = "Asia/Shanghai"


def _grid_index(grids: list[Area]) -> tuple[list[Area], np.ndarray]:
    weights = np.array([g.population or 1 for g in grids], dtype=float)
    return grids, weights / weights.sum()


def points_in_grids(
    rng: np.random.Generator, grids: list[Area], weights: np.ndarray, n: int
) -> np.ndarray:
    """n points, each in a grid chosen with the given weights (population density)."""
    chosen = np.bincount(rng.choice(len(grids), size=n, p=weights), minlength=len(grids))
    parts = [sample_in(rng, grids[i].geom, k) for i, k in enumerate(chosen) if k]
    pts = np.concatenate(parts) if parts else np.empty((0, 2))
    return pts[rng.permutation(len(pts))]


def cameras(rng: np.random.Generator, grids: list[Area], n: int, now: datetime) -> pd.DataFrame:
    """Cameras mostly along streets (grid edges) and at junctions (vertices), a few down."""
    rings = [np.asarray(shapely.get_coordinates(shapely.boundary(g.geom))) for g in grids]
    vertices = np.concatenate(rings)
    n_junction, n_street = int(n * 0.2), int(n * 0.7)
    # Along edges: pick segments by length, a spot on each, 4-12 m off the kerb line.
    a = np.concatenate([r[:-1] for r in rings])
    b = np.concatenate([r[1:] for r in rings])
    length = np.hypot(*(b - a).T)
    seg = rng.choice(len(a), size=n_street, p=length / length.sum())
    t = rng.uniform(0.1, 0.9, n_street)[:, None]
    normal = np.column_stack([-(b - a)[seg, 1], (b - a)[seg, 0]]) / length[seg, None]
    offset = rng.uniform(4, 12, n_street)[:, None] * rng.choice([-1, 1], n_street)[:, None]
    street = a[seg] + t * (b[seg] - a[seg]) + offset * normal
    junction = vertices[rng.integers(0, len(vertices), n_junction)] + rng.normal(
        0, 6, (n_junction, 2)
    )
    _, weights = _grid_index(grids)
    inner = points_in_grids(rng, grids, weights, n - n_junction - n_street)
    xy = np.concatenate([junction, street, inner])
    # Outages cluster: some neighbourhoods' links are down, not random single cameras.
    down_zone = rng.normal(0, 1, 2) * np.abs(xy).max() * 0.4
    near = np.hypot(*(xy - down_zone).T) < np.abs(xy).max() * 0.08
    roll = rng.uniform(size=n)
    status = np.where(
        roll < 0.02 + 0.25 * near, "offline", np.where(roll > 0.985, "fault", "online")
    )
    ago = np.where(status == "online", rng.uniform(0, 300, n), rng.uniform(3600, 7 * 86400, n))
    lon, lat = xy_to_lonlat(xy[:, 0], xy[:, 1])
    dome = rng.uniform(size=n) < 0.15
    return pd.DataFrame(
        {
            "code": [f"CAM{i + 1:07d}" for i in range(n)],
            "name": [f"雪亮{i + 1:06d}号" for i in range(n)],
            "status": status,
            "last_seen": (pd.Timestamp(now) - pd.to_timedelta(ago, unit="s")).floor("s"),
            "heading_deg": np.round(rng.uniform(0, 359.9, n), 1),
            "fov_deg": np.where(dome, 360.0, np.round(rng.uniform(55, 110, n), 0)),
            "range_m": np.where(dome, 30.0, np.round(rng.uniform(40, 120, n), 0)),
            "lon": lon,
            "lat": lat,
        }
    )


def _index(values: tuple[str, ...], value: str) -> int:
    """Where a value sits among the catalog's (-1 when the catalog has no such value)."""
    return values.index(value) if value in values else -1


def mix_over(values: tuple[str, ...], mix: dict[str, float]) -> np.ndarray:
    """The demo's mix over the catalog's values, in the catalog's order, summing to 1."""
    w = np.array([mix.get(v, min(mix.values())) for v in values])
    return w / w.sum()


def sensors(
    rng: np.random.Generator, grids: list[Area], n: int, now: datetime, layer: Layer
) -> pd.DataFrame:
    """Sensors of every kind in buildings (clustered round building centres), some in alarm."""
    return sensors_and_sites(rng, grids, n, now, layer)[0]


def sensors_and_sites(
    rng: np.random.Generator, grids: list[Area], n: int, now: datetime, layer: Layer
) -> tuple[pd.DataFrame, np.ndarray]:
    """The sensors (see sensors) and the building centres they cluster round (metres)."""
    _, weights = _grid_index(grids)
    buildings = points_in_grids(rng, grids, weights, max(1, n // 4))
    xy = buildings[rng.integers(0, len(buildings), n)] + rng.normal(0, 8, (n, 2))
    kinds = layer.field("kind").allowed
    kind = rng.choice(np.array(kinds), size=n, p=mix_over(kinds, SENSOR_KIND_WEIGHTS))
    roll = rng.uniform(size=n)
    status = np.where(roll < 0.02, "alarm", np.where(roll < 0.05, "offline", "normal"))
    lo = np.array([SENSOR_UNITS.get(k, OTHER_UNIT)[1] for k in kind])
    hi = np.array([SENSOR_UNITS.get(k, OTHER_UNIT)[2] for k in kind])
    value = rng.uniform(lo, hi)
    # An alarm reads outside the normal band (low pressure for hydrants, high for the rest).
    value = np.where((status == "alarm") & (kind == "hydrant_pressure"), lo * 0.3, value)
    value = np.where((status == "alarm") & (kind != "hydrant_pressure"), hi * 3, value)
    ago = np.where(status == "offline", rng.uniform(7200, 5 * 86400, n), rng.uniform(0, 600, n))
    lon, lat = xy_to_lonlat(xy[:, 0], xy[:, 1])
    frame = pd.DataFrame(
        {
            "code": [f"SEN{i + 1:07d}" for i in range(n)],
            "kind": kind,
            "status": status,
            "last_value": np.round(value, 3),
            "unit": [SENSOR_UNITS.get(k, OTHER_UNIT)[0] for k in kind],
            "last_reading_at": (pd.Timestamp(now) - pd.to_timedelta(ago, unit="s")).floor("s"),
            "lon": lon,
            "lat": lat,
        }
    )
    return frame, buildings


def hotspots(rng: np.random.Generator, grids: list[Area], cases: Layer) -> pd.DataFrame:
    """Centres of real clusters: place, spread, favoured category, whether it is growing."""
    categories = cases.field("category").allowed
    k = max(6, len(grids) // 80)
    _, weights = _grid_index(grids)
    centre = points_in_grids(rng, grids, weights, k)
    return pd.DataFrame(
        {
            "x": centre[:, 0],
            "y": centre[:, 1],
            "sigma": rng.uniform(120, 400, k),
            "category": rng.choice(
                len(categories), size=k, p=mix_over(categories, CATEGORY_WEIGHTS)
            ),
            "emerging": rng.uniform(size=k) < 0.3,
            "weight": rng.gamma(2.0, size=k),
        }
    )


def incidents(
    rng: np.random.Generator,
    grids: list[Area],
    outline: shapely.Geometry,
    n: int,
    now: datetime,
    cases: Layer,
    start: int = 0,
    spots: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """n incidents over the last HISTORY_DAYS: hotspots, rhythms, lifecycle, some overdue."""
    categories = cases.field("category").allowed
    sources = cases.field("source").allowed
    spots = hotspots(rng, grids, cases) if spots is None else spots
    _, weights = _grid_index(grids)
    in_spot = rng.uniform(size=n) < 0.35
    k = int(in_spot.sum())
    spot = rng.choice(len(spots), size=k, p=spots["weight"] / spots["weight"].sum())
    xy = np.empty((n, 2))
    xy[~in_spot] = points_in_grids(rng, grids, weights, n - k)
    xy[in_spot] = np.column_stack([spots["x"].to_numpy()[spot], spots["y"].to_numpy()[spot]])
    xy[in_spot] += rng.normal(0, 1, (k, 2)) * spots["sigma"].to_numpy()[spot, None]
    # Points a hotspot throws outside the city are drawn again from the population.
    shapely.prepare(outline)
    outside = ~shapely.contains_xy(outline, xy[:, 0], xy[:, 1])
    xy[outside] = points_in_grids(rng, grids, weights, int(outside.sum()))
    category = rng.choice(len(categories), size=n, p=mix_over(categories, CATEGORY_WEIGHTS))
    favour = rng.uniform(size=k) < 0.7
    category[np.flatnonzero(in_spot)[favour]] = spots["category"].to_numpy()[spot][favour]

    # When: a day (weekly rhythm; emerging hotspots concentrated in recent weeks), an hour.
    days = np.arange(HISTORY_DAYS)
    day_w = np.array([WEEKLY[(now - timedelta(days=int(d))).weekday()] for d in days])
    day = rng.choice(days, size=n, p=day_w / day_w.sum())
    emerging = np.zeros(n, dtype=bool)
    emerging[in_spot] = spots["emerging"].to_numpy()[spot]
    day[emerging] = np.minimum(day[emerging], rng.exponential(10, int(emerging.sum())).astype(int))
    night = category == _index(categories, "public_security")
    hour = np.where(
        night,
        rng.choice(24, n, p=NIGHT_HOURLY / NIGHT_HOURLY.sum()),
        rng.choice(24, n, p=HOURLY / HOURLY.sum()),
    )
    # Hours are local (China Standard Time): the day starts at local midnight.
    midnight = pd.Timestamp(now).tz_convert(LOCAL_TZ).normalize().tz_convert("UTC")
    reported = (
        midnight
        - pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(hour * 3600 + rng.uniform(0, 3600, n), unit="s")
    )
    # Today's hours that have not come yet move back one to seven days (one day back would
    # pile them all onto yesterday).
    future = reported >= pd.Timestamp(now)
    back = pd.to_timedelta(rng.integers(1, 8, n), unit="D")
    reported = reported.where(~future, reported - back)

    severity = rng.choice(4, size=n, p=SEVERITY_WEIGHTS) + 1
    fire = category == _index(categories, "fire_hazard")
    severity[fire] = np.minimum(severity[fire], 3)
    due = reported + pd.to_timedelta(DUE_HOURS[severity - 1], unit="h")
    frame = _lifecycle(rng, reported, due, severity, pd.Timestamp(now))
    cat_names = np.array(categories)[category]
    lon, lat = xy_to_lonlat(xy[:, 0], xy[:, 1])
    descr = {c: np.array(DESCRIPTIONS.get(c, DESCRIPTIONS["other"])) for c in categories}
    frame.insert(0, "code", [f"EV{start + i + 1:08d}" for i in range(n)])
    frame.insert(1, "category", cat_names)
    frame.insert(2, "severity", severity)
    frame.insert(
        3, "source", rng.choice(np.array(sources), size=n, p=mix_over(sources, SOURCE_WEIGHTS))
    )
    frame["department"] = [DEPARTMENTS.get(c, DEPARTMENTS["other"]) for c in cat_names]
    pick = rng.integers(0, 4, n)
    frame["description"] = [descr[c][p] for c, p in zip(cat_names, pick, strict=True)]
    frame["lon"], frame["lat"] = lon, lat
    return _whole_seconds(frame)


def _whole_seconds(frame: pd.DataFrame) -> pd.DataFrame:
    """Timestamps to the second, as case systems record them."""
    stamps = [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
    return frame.assign(**{c: frame[c].dt.floor("s") for c in stamps})


def _lifecycle(
    rng: np.random.Generator,
    reported: pd.DatetimeIndex,
    due: pd.DatetimeIndex,
    severity: np.ndarray,
    now: pd.Timestamp,
) -> pd.DataFrame:
    """Stage times with realistic durations; the status is the last stage reached by now."""
    n = len(reported)
    budget = DUE_HOURS[severity - 1]

    def hours(median: np.ndarray | float, sigma: float) -> pd.TimedeltaIndex:
        return pd.to_timedelta(rng.lognormal(np.log(median), sigma, n), unit="h")

    dispatched = reported + hours(np.minimum(0.5, budget * 0.05), 0.8)
    started = dispatched + hours(budget * 0.08, 0.9)
    # Most cases finish well inside their deadline; a tail runs late; a few stall for weeks.
    resolved = started + hours(budget * 0.35, 0.9)
    stalled = rng.uniform(size=n) < 0.01
    resolved = resolved.where(~stalled, resolved + pd.to_timedelta(40, unit="D"))
    escalated = due + hours(2.0, 0.5)
    escalates = (resolved > due) & (escalated < resolved)
    closed = resolved + hours(18.0, 0.7)

    times = {
        "dispatched_at": dispatched,
        "started_at": started,
        "escalated_at": escalated.where(escalates),
        "resolved_at": resolved,
        "closed_at": closed,
    }
    status = np.full(n, "reported", dtype=object)
    for col, name in (
        ("dispatched_at", "dispatched"),
        ("started_at", "in_progress"),
        ("escalated_at", "escalated"),
        ("resolved_at", "resolved"),
        ("closed_at", "closed"),
    ):
        reached = np.asarray(times[col] <= now) & ~np.asarray(pd.isna(times[col]))
        status[reached] = name
    out = pd.DataFrame({"status": status, "reported_at": reported})
    for col, t in times.items():
        out[col] = t.where(t <= now)
    out["due_at"] = due
    return out


def chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    """(start, count) pairs covering total in steps of size."""
    for start in range(0, total, size):
        yield start, min(size, total - start)
