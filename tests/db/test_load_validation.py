"""Bad files: every problem reported in one pass with feature, code, field and reason, and
nothing written. --fix repairs what can be repaired without guessing, and says so."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import psycopg
import pytest

from tests import files, gridworld
from tests.db.test_cli import twin
from tests.files import INCIDENT, feature, point
from tests.gridworld import lonlat
from twin.catalog import Layer
from twin.ingest.load import LoadRefused, load_file
from twin.ingest.read import SourceError

SPOTS_3 = [(0.5, 0.5), (1.5, 0.5), (0.5, 1.5)]


def refused(conn: psycopg.Connection, layer: Layer, path: Path, **kw: object) -> list[str]:
    with pytest.raises(LoadRefused) as err:
        load_file(conn, layer, path, **kw)  # type: ignore[arg-type]
    return [str(p) for p in err.value.problems]


def nothing_written(conn: psycopg.Connection) -> None:
    counts = conn.execute(
        "SELECT (SELECT count(*) FROM incident), "
        "(SELECT incidents FROM grid_stat WHERE grid_id = 0)"
    ).fetchone()
    assert counts == (0, 0)


def square(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [list(lonlat(x, y)) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))]


def test_every_point_problem_in_one_pass(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    ok = INCIDENT
    path = files.geojson(
        tmp_path / "bad.geojson",
        [
            feature(ok | {"code": "OK1"}, point(0.5, 0.5)),
            feature(ok | {"code": "E2", "category": "fire"}, point(0.5, 0.5)),
            feature(ok | {"code": "E3", "severity": "9"}, point(0.5, 0.5)),
            feature(ok | {"code": "E4", "due_at": "next tuesday"}, point(0.5, 0.5)),
            feature(ok | {"code": "E5", "due_at": None}, point(0.5, 0.5)),
            feature(ok | {"code": "E6"}, None),
            feature(
                ok | {"code": "E7"}, {"type": "LineString", "coordinates": [[114, 30], [114.1, 30]]}
            ),
            feature(ok | {"code": "E8"}, {"type": "Point", "coordinates": [200.0, 30.0]}),
            feature(ok | {"code": "OK1"}, point(1.5, 0.5)),
            feature(
                ok | {"code": "E10"}, {"type": "MultiPoint", "coordinates": [list(lonlat(1, 1))]}
            ),
        ],
    )
    problems = refused(conn, layers["incident"], path)
    expected = [
        "feature 2 (code E2): category: unknown value 'fire' (expected one of: public_security",
        "feature 3 (code E3): severity: unknown value '9'",
        "feature 4 (code E4): due_at: 'next tuesday' is not a valid timestamp",
        "feature 5 (code E5): due_at: missing required value",
        "feature 6 (code E6): geometry: empty geometry",
        "feature 7 (code E7): geometry: wrong geometry type LineString, expected Point",
        "feature 8 (code E8): geometry: coordinates out of range for EPSG:4326",
        "feature 10 (code E10): geometry: a MultiPoint of one point (--fix takes the point)",
        "feature 1 (code OK1): code: duplicate code in the file (features 1, 9)",
        "feature 9 (code OK1): code: duplicate code in the file (features 1, 9)",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    assert len(problems) == len(expected)
    nothing_written(conn)


def test_a_missing_required_column_is_a_problem_of_the_file(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    props = {k: v for k, v in INCIDENT.items() if k != "category"} | {"code": "E1"}
    path = files.geojson(tmp_path / "bad.geojson", [feature(props, point(0.5, 0.5))])
    problems = refused(conn, layers["incident"], path)
    assert problems[0].startswith("file: category: required field missing from the file")
    assert refused(conn, layers["incident"], path, mapping={"category": "kind"})[0] == (
        "file: category: --map names column 'kind', which the file does not have"
    )
    nothing_written(conn)


def test_a_value_of_the_wrong_type(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.grid_frame(["G1"])
    frame["population"] = ["many"]
    path = files.write(frame, tmp_path / "g.geojson")
    assert refused(conn, layers["grid"], path) == [
        "feature 1 (code G1): population: 'many' is not a valid int"
    ]


def test_projected_coordinates_out_of_range_for_their_crs(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.incidents([(0.5, 0.5)]).to_crs("EPSG:4547")
    frame = frame.set_geometry(frame.geometry.translate(xoff=5_000_000))  # far east of the zone
    problems = refused(conn, layers["incident"], files.write(frame, tmp_path / "e.gpkg"))
    assert problems[0].startswith(
        "feature 1 (code F1): geometry: coordinates out of range for EPSG:4547"
    )


def test_invalid_polygon_gets_the_geos_reason_and_fix_repairs_it(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    bow_tie = [list(lonlat(x, y)) for x, y in ((0, 0), (1, 1), (1, 0), (0, 1), (0, 0))]
    props = {"code": "G1", "name": "grid G1", "parent_code": "C"}
    path = files.geojson(
        tmp_path / "g.geojson", [feature(props, {"type": "Polygon", "coordinates": [bow_tie]})]
    )
    problems = refused(conn, layers["grid"], path)
    assert problems[0].startswith(
        "feature 1 (code G1): geometry: invalid geometry: Self-intersection["
    )
    with pytest.raises(LoadRefused) as err:  # repaired, but then the grid no longer tiles
        load_file(conn, layers["grid"], path, fix=True)
    assert any("gap of" in str(p) for p in err.value.problems)


def test_fix_closes_rings_drops_slivers_and_takes_single_points(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.grid_frame()
    feats = [
        feature(
            {k: v for k, v in row.items() if k != "geometry"},
            {"type": "MultiPolygon", "coordinates": [[square(*gridworld.GRIDS[row["code"]][:4])]]},
        )
        for row in frame.to_dict("records")
    ]
    feats[0]["geometry"]["coordinates"][0][0].pop()  # G1's ring no longer closes
    sliver = [list(lonlat(x, y)) for x, y in ((3, 3), (3.5, 3), (3.5, 3 + 1e-9), (3, 3))]
    feats[1]["geometry"]["coordinates"].append([sliver])  # G2 gains a zero-area part
    path = files.geojson(tmp_path / "g.geojson", feats)
    problems = refused(conn, layers["grid"], path)
    assert any(p.startswith("feature 1 (code G1): geometry: malformed geometry") for p in problems)
    assert any(p.startswith("feature 2 (code G2): geometry: 1 zero-area part(s)") for p in problems)
    conn.execute("DELETE FROM grid WHERE level = 'grid'")
    report = load_file(conn, layers["grid"], path, fix=True)  # G4 now without its hole
    assert report.repairs == [
        "feature 1: closed an unclosed ring",
        "feature 2: dropped 1 zero-area part(s)",
    ]
    assert conn.execute("SELECT ST_NumGeometries(geom) FROM grid WHERE code = 'G2'").fetchone() == (
        1,
    )


def test_a_grid_outside_its_parent_overlapping_another_and_leaving_a_gap(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.grid_frame(["G1", "G2", "G3"])
    frame.loc[0, "geometry"] = frame.geometry[0].buffer(0.001, join_style="mitre")  # spills out
    path = files.write(frame, tmp_path / "g.geojson")
    problems = refused(conn, layers["grid"], path)
    outside = [p for p in problems if "not inside its parent C" in p]
    overlaps = [p for p in problems if "overlaps grid" in p]
    assert outside and outside[0].startswith(
        "feature 1 (code G1): geometry: not inside its parent C:"
    )
    assert {p.split(":")[0] for p in overlaps} >= {"feature 1 (code G1)"}
    gap = [p for p in problems if "gap of" in p]
    # G4 is stored and not in the file, so it still counts: G1's growth overlaps it, and
    # G4's hole (which no grid fills) is the community's one gap.
    assert any("overlaps grid G4" in p for p in overlaps)
    assert len(gap) == 1 and "near (114.015000, 30.015000)" in gap[0]


def test_a_gap_inside_the_parent_is_reported_with_area_and_place(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    conn.execute("DELETE FROM grid WHERE code = 'G4'")
    path = files.write(files.grid_frame(["G1", "G2", "G3"]), tmp_path / "g.geojson")
    problems = refused(conn, layers["grid"], path)
    assert len(problems) == 1
    assert problems[0].startswith("file (code C): geometry: gap of ")
    assert "inside parent C that no grid covers, near (114.01" in problems[0]
    assert problems[0].endswith(", next to G1, G2, G3")  # G1 by its corner
    area = float(problems[0].split("gap of ")[1].split(" m²")[0])
    assert 950_000 < area < 1_100_000  # the missing 0.01° x 0.01° square, ~1.0 km²


def test_an_unknown_parent_and_a_code_taken_by_another_level(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = files.grid_frame(["G1", "G2"])
    frame.loc[0, "parent_code"] = "NOPE"
    frame.loc[1, "code"] = "S"  # the street's code
    problems = refused(conn, layers["grid"], files.write(frame, tmp_path / "g.geojson"))
    unknown = "no community, street or district has the code 'NOPE'"
    assert f"feature 1 (code G1): parent_code: {unknown}" in problems
    assert "feature 2 (code S): code: the code is already used by a street" in problems


def test_a_zipped_shapefile_without_its_dbf_says_so(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    shp = files.write(files.incidents([(0.5, 0.5)]), tmp_path / "e.shp")
    path = files.zipped(tmp_path / "e.zip", *(shp.with_suffix(s) for s in (".shp", ".shx", ".prj")))
    with pytest.raises(SourceError) as err:
        load_file(conn, layers["incident"], path)
    assert str(err.value) == (
        f"{path}: e.shp has no e.dbf beside it (the .dbf holds its attributes; a shapefile "
        "needs .shp, .shx and .dbf)"
    )


def test_an_empty_csv_names_the_file(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("")
    with pytest.raises(SourceError, match=r"cases.csv: the CSV is empty \(no header, no rows\)"):
        load_file(conn, layers["incident"], path)
    path.write_text("code,category,lon,lat\n")
    with pytest.raises(SourceError, match=r"cases.csv: the CSV has a header and no rows"):
        load_file(conn, layers["incident"], path)


def test_z_values_and_defaults_are_reported(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    cams = [
        feature(
            {"code": f"K{i}", "name": f"cam {i}"},
            {"type": "Point", "coordinates": [*lonlat(x, 0.5), 12.5]},
        )
        for i, x in enumerate((0.5, 1.5))
    ]
    report = load_file(conn, layers["camera"], files.geojson(tmp_path / "k.geojson", cams))
    assert report.notes == [
        "2 feature(s) had Z (height) values, dropped: twin stores 2-D geometry (features 1, 2)",
        "status: not in the file; 2 new feature(s) stored with the default 'online'",
    ]
    assert conn.execute("SELECT DISTINCT ST_NDims(geom), status FROM camera").fetchall() == [
        (2, "online")
    ]
    again = load_file(conn, layers["camera"], files.geojson(tmp_path / "k.geojson", cams))
    assert again.notes == [report.notes[0]]  # updates keep their status: nothing defaulted


def test_a_blank_value_takes_the_default_when_new_and_keeps_the_stored_one_on_update(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    cams = [
        feature({"code": "K1", "name": "a", "status": None}, point(0.5, 0.5)),
        feature({"code": "K2", "name": "b", "status": "fault"}, point(1.5, 0.5)),
    ]
    first = load_file(conn, layers["camera"], files.geojson(tmp_path / "k.geojson", cams))
    assert first.notes == [
        "status: 1 feature(s) without a value stored with the default 'online' (features 1)"
    ]
    cams[1]["properties"]["status"] = None
    again = load_file(conn, layers["camera"], files.geojson(tmp_path / "k.geojson", cams))
    assert again.notes == [
        "status: 2 feature(s) without a value kept the stored one (features 1, 2)"
    ]
    assert conn.execute("SELECT code, status FROM camera ORDER BY code").fetchall() == [
        ("K1", "online"),
        ("K2", "fault"),
    ]


def test_no_python_warning_reaches_the_terminal(
    db_url: str, conn: psycopg.Connection, world: object, tmp_path: Path
) -> None:
    frame = files.incidents(SPOTS_3)
    for column in ("reported_at", "due_at"):  # GDAL warns reading GeoPackage times with offsets
        frame[column] = pd.to_datetime(frame[column]).dt.tz_convert("Asia/Shanghai")
    path = files.write(frame, tmp_path / "cases.gpkg")
    done = twin("load", "incident", str(path), env={"TWIN_DATABASE_URL": db_url})
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr
    assert "note: the reader warned: Non-conformant content for record 1 in column" in done.stdout
    assert conn.execute("SELECT count(*) FROM incident").fetchone() == (3,)


def test_thousands_of_problems_are_summarised_by_kind(
    db_url: str, conn: psycopg.Connection, world: object, tmp_path: Path
) -> None:
    rows = [INCIDENT | {"code": f"B{i}", "category": "fire"} for i in range(600)]
    rows += [INCIDENT | {"code": f"S{i}", "severity": "9"} for i in range(5)]
    frame = pd.DataFrame(rows).assign(lon=lonlat(0.5, 0.5)[0], lat=lonlat(0.5, 0.5)[1])
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    done = twin("load", "incident", str(path), env={"TWIN_DATABASE_URL": db_url})
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == f"twin: {path}: 605 problem(s); nothing was loaded"
    assert lines[1] == "  605 problems of 2 kind(s):"
    assert lines[2].startswith("  600 × category: unknown value … (expected one of:")
    assert lines[3].startswith("    feature 1 (code B0): category: unknown value 'fire'")
    assert lines[6] == "    … and 597 more of this kind"
    assert lines[7].startswith("  5 × severity: unknown value …")
    assert lines[8].startswith("    feature 601 (code S0): severity: unknown value '9'")
    assert len(lines) == 12


def test_the_command_line_reads_openstreetmap_and_never_reports_minus_one(
    db_url: str, conn: psycopg.Connection, world: object, tmp_path: Path
) -> None:
    path = files.osm(
        tmp_path / "city.osm",
        [(7, 0.5, 0.5, {"man_made": "surveillance", "name": "北门"}), (8, 1.5, 1.5, {})],
    )
    args = ("load", "camera", str(path), "--layer-name", "points", "--map", "code=osm_id")
    done = twin(*args, "--where", "man_made = 'surveillance'", env={"TWIN_DATABASE_URL": db_url})
    assert done.returncode == 0, done.stderr
    assert f"camera: 1 features from {path} (1 new, 0 updated)" in done.stdout
    assert "note: status: not in the file; 1 new feature(s) stored with the default 'online'" in (
        done.stdout
    )
    none = twin(*args, "--where", "man_made = 'mast'", env={"TWIN_DATABASE_URL": db_url})
    assert (none.returncode, none.stdout) == (2, "")
    assert none.stderr == (
        f"twin: error: {path}: no features in layer 'points' match --where "
        "\"man_made = 'mast'\": nothing to load\n"
    )
