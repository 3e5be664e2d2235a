"""Writes the pinned loader input (run once with the pre-#15 loader; kept for the record)."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

HERE = Path(__file__).parent
ROWS = 1200  # the GeoJSON holds the first GEOJSON_ROWS
GEOJSON_ROWS = 300
CATEGORIES = [
    "sanitation",
    "dispute",
    " Fire_Hazard ",
    "环境卫生",
    "矛盾纠纷",
    "OTHER",
    "city_management",
]
SEVERITIES = ["1", "2", " 3 ", "4", "四级（一般）"]
SOURCES = ["patrol", "hotline", "Citizen_Photo", "12345热线", "sensor_alarm"]
STATUSES = ["", "reported", "已分派", "Escalated", " in_progress ", "resolved", "已办结"]
STAMPS = [  # all before DUE (the table checks due_at >= reported_at)
    "2026-11-20T08:00:00+08:00",
    "2026-11-20T00:00:00Z",
    "2026-11-20 08:00:00",
    "2026-11-20T08:00:00.123456",
    "2026-11-20T08:00:00-0500",
    " 2026-11-21T10:30:00+00:00 ",
]
DUE = ["2026-11-27T08:00:00+08:00", "2026-11-27 08:00:00", "2026-11-28T00:00:00.5Z"]
TEXTS = ["", "区环卫所", 'a, b "quoted"', "  spaced  ", "line\nbreak", "12345"]


def main() -> None:
    """Write incidents.csv and incidents.geojson with the same varied rows."""
    rng = random.Random(15)
    rows = []
    for i in range(ROWS):
        # cells 0..2 (the grid world), shared edges at 1.0, some outside and in G4's hole
        x = rng.choice([rng.uniform(-0.3, 2.3), 1.0, 1.5, rng.randint(0, 2)])
        y = rng.choice([rng.uniform(-0.3, 2.3), 1.0, 1.5, rng.randint(0, 2)])
        rows.append(
            {
                "code": f"P{i:05d}",
                "lon": repr(114.0 + x * 0.01),
                "lat": repr(30.0 + y * 0.01),
                "category": rng.choice(CATEGORIES),
                "severity": rng.choice(SEVERITIES),
                "source": rng.choice(SOURCES),
                "status": rng.choice(STATUSES),
                "reported_at": rng.choice(STAMPS),
                "dispatched_at": rng.choice(["", "", *STAMPS]),
                "resolved_at": rng.choice(STAMPS),
                "due_at": rng.choice(DUE),
                "department": rng.choice(TEXTS),
                "description": rng.choice(TEXTS),
            }
        )
    with open(HERE / "incidents.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    bad = [dict(r) for r in rows[:200]]
    for i, r in enumerate(bad):
        spoil = i % 8
        if spoil == 0:
            r["category"] = "fire"
        elif spoil == 1:
            r["severity"] = "9" if i % 16 else "2.5"
        elif spoil == 2:
            r["due_at"] = "next tuesday" if i % 16 else ""
        elif spoil == 3:
            r["lon"] = "abc" if i % 16 else "200.0"
        elif spoil == 4:
            r["code"] = "P00000"
        elif spoil == 5:
            r["source"] = ""
        elif spoil == 6:
            r["reported_at"] = "2026-11-20"  # a date alone is refused, not taken as midnight
    with open(HERE / "bad.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(bad)
    features = [
        {
            "type": "Feature",
            "properties": {k: (v or None) for k, v in r.items() if k not in ("lon", "lat")},
            "geometry": {"type": "Point", "coordinates": [float(r["lon"]), float(r["lat"])]},
        }
        for r in rows[:GEOJSON_ROWS]
    ]
    doc = {"type": "FeatureCollection", "features": features}
    (HERE / "incidents.geojson").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
