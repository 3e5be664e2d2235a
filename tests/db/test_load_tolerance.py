"""Noisy public boundaries: --merge-parts, --snap, --fix (empty geometries, and overlaps,
gaps and overhangs up to --fix-below) — each repair listed, larger faults still refused."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import psycopg
import pytest
import shapely

from tests import files
from tests.db.test_cli import twin
from tests.gridworld import lonlat
from twin.catalog import Layer
from twin.ingest.load import LoadRefused, Tolerance, load_file

M_PER_CELL_EW = 0.01 * 111_320 * 0.8660254  # a cell's width in metres at 30°N


def cells(*xy: tuple[float, float]) -> shapely.Polygon:
    """A polygon from vertices in cell units."""
    return shapely.Polygon([lonlat(x, y) for x, y in xy])


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    return cells((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def notched(width: float) -> shapely.Polygon:
    """G1 with a notch of its east edge (y 0.4 to 0.6) pushed east by width cells (into G2
    when positive, leaving a gap when negative)."""
    return cells(
        (0, 0), (1, 0), (1, 0.4), (1 + width, 0.4), (1 + width, 0.6), (1, 0.6), (1, 1), (0, 1)
    )


def grids(geoms: dict[str, shapely.Geometry | None]) -> gpd.GeoDataFrame:
    """A grid-level file: the four grids of community C as plain squares (no hole), with
    the shapes given replacing or adding to them."""
    shapes: dict[str, shapely.Geometry | None] = {
        "G1": box(0, 0, 1, 1),
        "G2": box(1, 0, 2, 1),
        "G3": box(0, 1, 1, 2),
        "G4": box(1, 1, 2, 2),
    } | geoms
    rows = [{"code": c, "name": f"grid {c}", "parent_code": "C"} for c in shapes]
    return gpd.GeoDataFrame(rows, geometry=list(shapes.values()), crs="EPSG:4326")


def refused(conn: psycopg.Connection, layer: Layer, path: Path, **kw: object) -> list[str]:
    with pytest.raises(LoadRefused) as err:
        load_file(conn, layer, path, **kw)  # type: ignore[arg-type]
    return [str(p) for p in err.value.problems]


def off_square_m2(conn: psycopg.Connection, code: str, square: shapely.Polygon) -> float:
    """The area of the stored grid's difference from the square, either way."""
    row = conn.execute(
        "SELECT twin_planar_m2(ST_SymDifference(geom, %s::geometry)) FROM grid WHERE code = %s",
        [f"SRID=4326;{square.wkt}", code],
    ).fetchone()
    assert row is not None
    return float(row[0])


def test_parts_sharing_a_code_are_merged_when_asked(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = grids({"G1": box(0, 0, 0.5, 1)})
    east_half = grids({}).iloc[[0]].assign(geometry=[box(0.5, 0, 1, 1)])
    frame = gpd.GeoDataFrame(
        [*frame.to_dict("records"), *east_half.to_dict("records")], crs="EPSG:4326"
    )
    path = files.write(frame, tmp_path / "parts.geojson")
    assert "feature 1 (code G1): code: duplicate code in the file (features 1, 5)" in refused(
        conn, layers["grid"], path
    )
    report = load_file(conn, layers["grid"], path, tolerance=Tolerance(merge_parts=True))
    assert report.repairs == ["code G1: dissolved features 1, 5 into one MultiPolygon"]
    assert (report.inserted, report.updated) == (0, 4)
    row = conn.execute(
        "SELECT ST_NumGeometries(geom), ST_Equals(geom, %s::geometry) FROM grid WHERE code = 'G1'",
        [f"SRID=4326;{box(0, 0, 1, 1).wkt}"],
    ).fetchone()
    assert row == (1, True)  # the halves touch along an edge: one polygon again


def test_parts_that_disagree_are_not_merged(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    frame = grids({"G1": box(0, 0, 0.5, 1)})
    other = grids({}).iloc[[0]].assign(geometry=[box(0.5, 0, 1, 1)], name="another name")
    frame = gpd.GeoDataFrame([*frame.to_dict("records"), *other.to_dict("records")], crs=4326)
    path = files.write(frame, tmp_path / "parts.geojson")
    assert refused(conn, layers["grid"], path, tolerance=Tolerance(merge_parts=True)) == [
        "feature 1 (code G1): code: features 1, 5 share the code but not their attributes, so "
        "--merge-parts cannot tell which to keep"
    ]


def test_fix_drops_empty_geometries_with_a_line_each(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    path = files.write(grids({"G9": None}), tmp_path / "g.geojson")
    assert refused(conn, layers["grid"], path) == [
        "feature 5 (code G9): geometry: empty geometry (--fix drops it)"
    ]
    report = load_file(conn, layers["grid"], path, fix=True)
    assert report.repairs == ["feature 5 (code G9): empty geometry, dropped (not loaded)"]
    assert (report.inserted, report.updated) == (0, 4)
    assert conn.execute("SELECT count(*) FROM grid WHERE code = 'G9'").fetchone() == (0,)


def test_snap_closes_a_rounding_gap_between_neighbours(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    shift = 0.3 / M_PER_CELL_EW  # G2's west edge sits 30 cm east of G1's east edge
    path = files.write(grids({"G2": box(1 + shift, 0, 2, 1)}), tmp_path / "g.geojson")
    problems = refused(conn, layers["grid"], path)
    assert len(problems) == 1 and problems[0].startswith("file (code C): geometry: gap of 3")
    assert problems[0].endswith(", next to G1, G2, G3, G4")  # G3 by its corner
    report = load_file(conn, layers["grid"], path, tolerance=Tolerance(snap_m=1.0))
    assert report.repairs == [
        "feature 2 (code G2): snapped to neighbours within 1 m (2 vertices moved or added)"
    ]
    row = conn.execute(
        "SELECT ST_Relate(a.geom, b.geom, 'F***1****') FROM grid a, grid b "
        "WHERE a.code = 'G1' AND b.code = 'G2'"
    ).fetchone()
    assert row == (True,)
    too_far = files.write(grids({"G2": box(1 + 3 * shift, 0, 2, 1)}), tmp_path / "far.geojson")
    assert refused(conn, layers["grid"], too_far, tolerance=Tolerance(snap_m=0.5))[0].startswith(
        "file (code C): geometry: gap of "
    )


def test_snap_gives_a_neighbour_the_vertex_lying_near_its_edge(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    shift = 0.3 / M_PER_CELL_EW
    # G2's west edge bends 30 cm east midway, at a vertex G1 does not have: 167 m² of gap.
    g2 = cells((1, 0), (2, 0), (2, 1), (1, 1), (1 + shift, 0.5))
    path = files.write(grids({"G2": g2}), tmp_path / "g.geojson")
    assert refused(conn, layers["grid"], path, fix=True)[0].startswith(
        "file (code C): geometry: gap of 16"
    )
    report = load_file(conn, layers["grid"], path, tolerance=Tolerance(snap_m=1.0))
    assert report.repairs == [
        "feature 1 (code G1): snapped to neighbours within 1 m (1 vertices moved or added)"
    ]
    row = conn.execute(
        "SELECT ST_Relate(a.geom, b.geom, 'F***1****'), ST_Area(ST_Intersection(a.geom, b.geom))"
        " FROM grid a, grid b WHERE a.code = 'G1' AND b.code = 'G2'"
    ).fetchone()
    assert row == (True, 0.0)


def test_fix_gives_a_small_overlap_to_the_neighbour_with_the_longer_border(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    width = 0.1 / M_PER_CELL_EW  # 10 cm by 222 m: about 22 m²
    path = files.write(grids({"G1": notched(width)}), tmp_path / "g.geojson")
    problems = refused(conn, layers["grid"], path)
    assert len(problems) == 1
    assert problems[0].startswith("feature 1 (code G1): geometry: overlaps grid G2 by 2")
    report = load_file(conn, layers["grid"], path, fix=True)
    assert len(report.repairs) == 1
    repair = report.repairs[0]
    # The notch borders G2 on three sides and what is left of G1 on one: G2 keeps it.
    assert repair.startswith("feature 1 (code G1): overlap of 2")
    assert "m² with G2 near (114.0100" in repair
    assert repair.endswith("given to G2 (longer shared border)")
    assert off_square_m2(conn, "G1", box(0, 0, 1, 1)) < 0.01  # the notch is gone


def test_fix_gives_a_small_gap_to_the_neighbour_with_the_longest_border(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    width = 0.1 / M_PER_CELL_EW
    path = files.write(grids({"G1": notched(-width)}), tmp_path / "g.geojson")
    assert refused(conn, layers["grid"], path)[0].startswith("file (code C): geometry: gap of 2")
    report = load_file(conn, layers["grid"], path, fix=True)
    assert len(report.repairs) == 1
    assert report.repairs[0].startswith("feature 1 (code G1): gap of 2")
    assert report.repairs[0].endswith("filled (longest shared border)")
    assert off_square_m2(conn, "G1", box(0, 0, 1, 1)) < 0.01  # the gap is G1's again


def test_equal_borders_give_the_piece_to_the_lower_code(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    w = 0.05 / M_PER_CELL_EW
    # G1 and G2 each push into the other by the same width in the same band: the overlap
    # borders what is left of each on three sides of equal length.
    g2 = cells((1 - w, 0.4), (1, 0.4), (1, 0), (2, 0), (2, 1), (1, 1), (1, 0.6), (1 - w, 0.6))
    path = files.write(grids({"G1": notched(w), "G2": g2}), tmp_path / "g.geojson")
    report = load_file(conn, layers["grid"], path, fix=True)
    assert len(report.repairs) == 1
    assert report.repairs[0].startswith("feature 2 (code G2): overlap of 2")
    assert report.repairs[0].endswith("given to G1 (equal borders, lower code)")
    # and a gap between two equal pull-backs goes to the lower code too
    g2 = cells((1 + w, 0.4), (1, 0.4), (1, 0), (2, 0), (2, 1), (1, 1), (1, 0.6), (1 + w, 0.6))
    path = files.write(grids({"G1": notched(-w), "G2": g2}), tmp_path / "gap.geojson")
    report = load_file(conn, layers["grid"], path, fix=True)
    assert len(report.repairs) == 1
    assert report.repairs[0].startswith("feature 1 (code G1): gap of 2")
    assert report.repairs[0].endswith("filled (equal borders, lowest code)")


def test_an_overlap_above_the_threshold_is_still_refused_naming_both_codes(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    width = 1.0 / M_PER_CELL_EW  # 1 m by 222 m: about 222 m², above the default 100 m²
    path = files.write(grids({"G1": notched(width)}), tmp_path / "g.geojson")
    problems = refused(conn, layers["grid"], path, fix=True)
    assert len(problems) == 1
    assert problems[0].startswith("feature 1 (code G1): geometry: overlaps grid G2 by 22")
    report = load_file(
        conn, layers["grid"], path, fix=True, tolerance=Tolerance(fix_below_m2=300.0)
    )
    assert report.repairs[0].startswith("feature 1 (code G1): overlap of 22")


def test_a_stored_neighbour_not_in_the_file_keeps_what_it_shares(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    conn.execute(
        "UPDATE grid SET geom = ST_Multi(%s::geometry) WHERE code = 'G4'",  # fill its hole
        [f"SRID=4326;{box(1, 1, 2, 2).wkt}"],
    )
    width = 0.1 / M_PER_CELL_EW
    path = files.write(grids({"G1": notched(width)}).iloc[[0]], tmp_path / "g1.geojson")
    report = load_file(conn, layers["grid"], path, fix=True)
    assert len(report.repairs) == 1
    assert report.repairs[0].endswith("given to G2 (stored and not in the file)")
    assert conn.execute(
        "SELECT ST_Equals(geom, %s::geometry) FROM grid WHERE code = 'G2'",
        [f"SRID=4326;{box(1, 0, 2, 1).wkt}"],
    ).fetchone() == (True,)


def test_a_small_overhang_outside_the_parent_is_cut_off(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    width = 0.1 / M_PER_CELL_EW
    overhang = cells(
        (0, 0), (1, 0), (1, 1), (0, 1), (0, 0.6), (-width, 0.6), (-width, 0.4), (0, 0.4)
    )
    path = files.write(grids({"G1": overhang}), tmp_path / "g.geojson")
    assert refused(conn, layers["grid"], path)[0].startswith(
        "feature 1 (code G1): geometry: not inside its parent C: 2"
    )
    report = load_file(conn, layers["grid"], path, fix=True)
    assert len(report.repairs) == 1
    assert report.repairs[0].startswith("feature 1 (code G1): cut off 2")
    assert "m² outside its parent C near (113.99999" in report.repairs[0]
    assert off_square_m2(conn, "G1", box(0, 0, 1, 1)) < 0.01


def test_a_level_without_parents_fills_small_gaps_between_its_units(
    conn: psycopg.Connection, layers: dict[str, Layer], tmp_path: Path
) -> None:
    width = 0.1 / M_PER_CELL_EW
    frame = gpd.GeoDataFrame(
        {"code": ["A", "B"], "name": ["a", "b"]},
        geometry=[notched(-width), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    path = files.write(frame, tmp_path / "districts.geojson")
    report = load_file(conn, layers["district"], path, fix=True)
    assert len(report.repairs) == 1
    assert report.repairs[0].startswith("feature 1 (code A): gap of 2")
    assert off_square_m2(conn, "A", box(0, 0, 1, 1)) < 0.01


def test_boundary_options_are_refused_for_point_layers(
    conn: psycopg.Connection, world: object, layers: dict[str, Layer], tmp_path: Path
) -> None:
    path = files.write(files.incidents([(0.5, 0.5)]), tmp_path / "e.geojson")
    assert refused(conn, layers["incident"], path, tolerance=Tolerance(snap_m=1.0)) == [
        "file: --snap: applies to boundary layers; incident is a point layer"
    ]


def test_a_noisy_public_district_file_loads_with_every_repair_printed(
    db_url: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    """Like a city's published districts: a unit in two features (an island apart), a lake
    hole, a rounding gap, a small overlap and an empty feature."""
    lake = box(0.3, 0.3, 0.5, 0.5)
    d1 = shapely.Polygon(box(0, 0, 1, 1).exterior, [lake.exterior])
    d2 = box(1 + 0.03 / M_PER_CELL_EW, 0, 2, 1)  # 3 cm off: within --snap 0.05
    dip = 0.1 / (0.01 * 111_320)  # 10 cm south, in cells: beyond the snap, for --fix
    d3 = cells((0, 1), (0.4, 1), (0.4, 1 - dip), (0.6, 1 - dip), (0.6, 1), (2, 1), (2, 2), (0, 2))
    rows = [("D1", d1), ("D2", d2), ("D3", d3), ("D1", box(3, 3, 3.2, 3.2)), ("D9", None)]
    frame = gpd.GeoDataFrame(
        [{"code": c, "name": f"district {c}"} for c, _ in rows],
        geometry=[g for _, g in rows],
        crs="EPSG:4326",
    )
    path = files.write(frame, tmp_path / "districts.geojson")
    env = {"TWIN_DATABASE_URL": db_url}
    plain = twin("load", "district", str(path), env=env)
    assert plain.returncode == 1
    assert "feature 5 (code D9): geometry: empty geometry (--fix drops it)" in plain.stderr
    assert "feature 1 (code D1): code: duplicate code in the file (features 1, 4)" in plain.stderr
    args = ("load", "district", str(path), "--merge-parts", "--snap", "0.05", "--fix")
    done = twin(*args, env=env)
    assert done.returncode == 0, done.stderr
    repaired = [line for line in done.stdout.splitlines() if line.startswith("repaired: ")]
    assert repaired[0] == "repaired: feature 5 (code D9): empty geometry, dropped (not loaded)"
    assert repaired[1] == "repaired: code D1: dissolved features 1, 4 into one MultiPolygon"
    assert repaired[2:5] == [
        # D1 takes D3's corners lying on its edge, D2 moves onto D1's, D3 onto both
        "repaired: feature 1 (code D1): snapped to neighbours within 0.05 m "
        "(2 vertices moved or added)",
        "repaired: feature 2 (code D2): snapped to neighbours within 0.05 m "
        "(2 vertices moved or added)",
        "repaired: feature 3 (code D3): snapped to neighbours within 0.05 m "
        "(1 vertices moved or added)",
    ]
    assert repaired[5].startswith("repaired: feature 3 (code D3): overlap of 19.")
    assert repaired[5].endswith("given to D1 (longer shared border)")
    assert len(repaired) == 6
    assert "district: 5 features from" in done.stdout and "(3 new, 0 updated)" in done.stdout
    parts = conn.execute(
        "SELECT code, ST_NumGeometries(geom), ST_NumInteriorRings(ST_GeometryN(geom, 1)) "
        "FROM grid ORDER BY code"
    ).fetchall()
    assert parts == [("D1", 2, 1), ("D2", 1, 0), ("D3", 1, 0)]  # the lake is no gap
    touching = conn.execute(
        "SELECT a.code, b.code, ST_Relate(a.geom, b.geom, 'F***1****') FROM grid a "
        "JOIN grid b ON a.code < b.code ORDER BY 1, 2"
    ).fetchall()
    assert touching == [("D1", "D2", True), ("D1", "D3", True), ("D2", "D3", True)]
