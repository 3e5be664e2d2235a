"""A unit index read back from its file decides every point as the one built did; a file of
another key, or one missing, cut short or damaged, reads as nothing (the caller builds)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import shapely

from twin.spatial.unit_index import UnitIndex, build_unit_index, decide
from twin.spatial.unit_index_file import (
    KEPT,
    forget_index_files,
    index_key,
    read_index,
    write_index,
)

KEY = index_key("grid", (7, 16384, 60, -123))


def voronoi_index(seed: int = 1) -> UnitIndex:
    """The index of Voronoi units over a box (irregular edges, many buckets)."""
    rng = np.random.default_rng(seed)
    frame = shapely.box(114.0, 30.0, 114.05, 30.04)
    seeds = shapely.multipoints(np.c_[rng.uniform(114, 114.05, 60), rng.uniform(30, 30.04, 60)])
    cells = [c.intersection(frame) for c in shapely.get_parts(shapely.voronoi_polygons(seeds))]
    index = build_unit_index("grid", np.arange(100, 100 + len(cells)), np.array(cells))
    assert index is not None
    return index


def only_file(directory: Path) -> Path:
    (path,) = directory.glob("units-*.npz")
    return path


def test_an_index_read_back_is_the_one_written_and_decides_every_point_alike(
    tmp_path: Path,
) -> None:
    built = voronoi_index()
    write_index(tmp_path, KEY, built)
    read = read_index(tmp_path, KEY, "grid")
    assert read is not None
    for name in ("ids", "solid", "starts", "candidates"):
        ours, theirs = getattr(built, name), getattr(read, name)
        assert theirs.dtype == ours.dtype and np.array_equal(theirs, ours), name
    assert (read.x0, read.y0, read.size, read.nx, read.ny) == (
        built.x0,
        built.y0,
        built.size,
        built.nx,
        built.ny,
    )
    assert shapely.equals_exact(read.inner, built.inner, tolerance=0).all()
    rng = np.random.default_rng(2)
    x = np.r_[rng.uniform(113.99, 114.06, 200_000), shapely.get_coordinates(built.inner)[:, 0]]
    y = np.r_[rng.uniform(29.99, 30.05, 200_000), shapely.get_coordinates(built.inner)[:, 1]]
    assert np.array_equal(decide(read, x, y), decide(built, x, y))


def test_a_file_is_read_only_for_its_own_key(tmp_path: Path) -> None:
    write_index(tmp_path, KEY, voronoi_index())
    other = index_key("grid", (7, 16384, 60, -124))  # the grid written once more
    assert read_index(tmp_path, other, "grid") is None
    only_file(tmp_path).rename(tmp_path / "moved")
    write_index(tmp_path, other, voronoi_index(seed=3))
    os.replace(tmp_path / "moved", only_file(tmp_path))  # KEY's file under other's name
    assert read_index(tmp_path, other, "grid") is None


def flip_middle_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def cut_in_half(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def a_bare_array(path: Path) -> None:
    with path.open("wb") as out:
        np.save(out, np.arange(10))


def garbage(path: Path) -> None:
    path.write_bytes(b"not an index")


@pytest.mark.parametrize("damage", [flip_middle_byte, cut_in_half, a_bare_array, garbage])
def test_a_damaged_file_reads_as_nothing(tmp_path: Path, damage: object) -> None:
    write_index(tmp_path, KEY, voronoi_index())
    damage(only_file(tmp_path))  # type: ignore[operator]
    assert read_index(tmp_path, KEY, "grid") is None


def test_a_missing_file_or_directory_reads_as_nothing_and_an_unwritable_one_is_no_error(
    tmp_path: Path,
) -> None:
    assert read_index(tmp_path / "none", KEY, "grid") is None
    (tmp_path / "file").write_text("a file where the directory would be")
    write_index(tmp_path / "file", KEY, voronoi_index())
    assert read_index(tmp_path / "file", KEY, "grid") is None


def test_only_the_newest_files_are_kept_and_all_can_be_forgotten(tmp_path: Path) -> None:
    index = voronoi_index()
    keys = [index_key("grid", (7, 16384, 60, n)) for n in range(KEPT + 2)]
    for n, key in enumerate(keys):
        write_index(tmp_path, key, index)
        for path in tmp_path.glob("units-*.npz"):  # older files: older times, whatever the clock
            os.utime(path, (path.stat().st_mtime - 1,) * 2)
        assert len(list(tmp_path.glob("units-*.npz"))) == min(n + 1, KEPT)
    assert [read_index(tmp_path, k, "grid") is not None for k in keys] == [False] * 2 + [
        True
    ] * KEPT
    forget_index_files(tmp_path)
    assert not list(tmp_path.iterdir())
