"""The example files shipped in layers/examples/: what a planner's own data looks like.

A small district as a GeoPackage in CGCS2000 (EPSG:4490) with one layer per level and Chinese
column names, and a CSV of incidents with Chinese headers and labels. `make examples` writes
them again; tests load them exactly as the README shows.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from twin.synth.city import Size, build_hierarchy, to_lonlat
from twin.synth.load import rng_for

SIZE = Size(
    "example",
    districts=1,
    streets_per_district=2,
    communities_per_street=2,
    grids=12,
    cameras=0,
    sensors=0,
    incidents=0,
)
# The example file's own layer names, one per level of the built-in catalog, largest first.
LAYERS = {"district": "区县", "street": "街道", "community": "社区", "grid": "网格"}
COLUMNS = {
    "code": "编码",
    "name": "名称",
    "parent_code": "上级编码",
    "officer": "网格员",
    "population": "人口",
    "households": "户数",
}
CATEGORIES = ["环境卫生", "城市管理", "矛盾纠纷", "安全隐患", "消防隐患", "治安"]


def write_examples(directory: Path) -> None:
    """Write grids.gpkg and incidents.csv into directory."""
    directory.mkdir(parents=True, exist_ok=True)
    areas = build_hierarchy(SIZE, rng_for(2026, 1), tuple(LAYERS))
    gpkg = directory / "grids.gpkg"
    gpkg.unlink(missing_ok=True)
    for level, layer in LAYERS.items():
        rows = [a for a in areas if a.level == level]
        columns = {f: [getattr(a, f) for a in rows] for f in COLUMNS if f != "parent_code"}
        columns["parent_code"] = [a.parent_code for a in rows]
        frame = gpd.GeoDataFrame(
            columns, geometry=[to_lonlat(a.geom) for a in rows], crs="EPSG:4490"
        )
        if level == "district":
            frame = frame.drop(columns="parent_code")
        if level != "grid":
            frame = frame.drop(columns="officer")
        frame = frame.rename(columns=COLUMNS)
        pyogrio.write_dataframe(frame, gpkg, layer=layer, driver="GPKG", append=gpkg.exists())
    grids = [to_lonlat(a.geom) for a in areas if a.level == "grid"]
    rng = np.random.default_rng(2026)
    points = [shapely.Point(p) for g in grids for p in _sample(rng, g, 3)]
    minutes = rng.integers(0, 4000, len(points))
    reported = pd.Timestamp("2026-11-20 09:00") + pd.to_timedelta(minutes, "min")
    pd.DataFrame(
        {
            "编号": [f"SJ2026{i + 1:04d}" for i in range(len(points))],
            "类别": rng.choice(CATEGORIES, len(points)),
            "等级": rng.choice(["2", "3", "4"], len(points)),
            "来源": rng.choice(["网格员巡查", "12345热线", "随手拍"], len(points)),
            "上报时间": reported.strftime("%Y-%m-%d %H:%M:%S"),
            "处置时限": (reported + pd.Timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S"),
            "经度": [round(p.x, 7) for p in points],
            "纬度": [round(p.y, 7) for p in points],
        }
    ).to_csv(directory / "incidents.csv", index=False, encoding="utf-8")


def _sample(
    rng: np.random.Generator, polygon: shapely.Geometry, n: int
) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = polygon.bounds
    out: list[tuple[float, float]] = []
    while len(out) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if polygon.contains(shapely.Point(x, y)):
            out.append((x, y))
    return out


if __name__ == "__main__":
    write_examples(Path(__file__).resolve().parents[2] / "layers" / "examples")
