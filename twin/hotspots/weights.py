"""Binary spatial weights (queen contiguity, distance band, k nearest) as sparse matrices."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.spatial import cKDTree

WEIGHTS_FORMS = ("queen", "band:METRES", "knn:K")


@dataclass(frozen=True)
class WeightsSpec:
    """A parsed weights choice: kind queen | band | knn and its parameter."""

    kind: str
    value: float = 0.0

    def __str__(self) -> str:
        if self.kind == "queen":
            return "queen"
        if self.kind == "band":
            return f"band:{self.value:g}"
        return f"knn:{int(self.value)}"


def parse_weights(text: str) -> WeightsSpec:
    """Parse "queen", "band:800" (metres) or "knn:6"; ValueError names the accepted forms."""
    text = text.strip().lower()
    if text == "queen":
        return WeightsSpec("queen")
    match = re.fullmatch(r"band:(\d+(?:\.\d+)?)", text)
    if match and float(match.group(1)) > 0:
        return WeightsSpec("band", float(match.group(1)))
    match = re.fullmatch(r"knn:(\d+)", text)
    if match and int(match.group(1)) > 0:
        return WeightsSpec("knn", int(match.group(1)))
    raise ValueError(f"weights {text!r}: expected one of {', '.join(WEIGHTS_FORMS)}")


def _binary(rows: np.ndarray, cols: np.ndarray, n: int) -> csr_matrix:
    """A binary n×n matrix with ones at (rows, cols), the diagonal left out."""
    keep = rows != cols
    data = np.ones(int(keep.sum()))
    w = coo_matrix((data, (rows[keep], cols[keep])), shape=(n, n)).tocsr()
    w.data[:] = 1.0  # duplicates summed by tocsr; weights stay binary
    w.eliminate_zeros()
    return w


def queen(geoms: Sequence[shapely.Geometry] | np.ndarray, tolerance: float = 0.0) -> csr_matrix:
    """Queen contiguity: polygons that share an edge or a vertex (or lie within `tolerance`)."""
    geoms = np.asarray(geoms, dtype=object)
    tree = shapely.STRtree(geoms)
    if tolerance > 0:
        pairs = tree.query(geoms, predicate="dwithin", distance=tolerance)
    else:
        pairs = tree.query(geoms, predicate="intersects")
    return _binary(pairs[0], pairs[1], len(geoms))


def distance_band(xy: np.ndarray, metres: float) -> csr_matrix:
    """Distance band: units whose points (e.g. centroids) lie within `metres` of each other."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    pairs = cKDTree(xy).query_pairs(r=metres, output_type="ndarray")
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    return _binary(rows, cols, len(xy))


def knn(xy: np.ndarray, k: int) -> csr_matrix:
    """The k nearest other units of each unit (not symmetric), ties broken by the k-d tree."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(xy)
    k = min(k, n - 1)
    if k <= 0:
        return csr_matrix((n, n))
    _, idx = cKDTree(xy).query(xy, k=k + 1)
    idx = np.asarray(idx).reshape(n, k + 1)
    self_at = idx == np.arange(n)[:, None]
    # Coincident points can put another unit before self; drop self, else the farthest.
    no_self = ~self_at.any(axis=1)
    self_at[no_self, k] = True
    cols = idx[~self_at].reshape(n, k)
    rows = np.repeat(np.arange(n), k)
    return _binary(rows, cols.ravel(), n)


def build_weights(
    spec: WeightsSpec, geoms: np.ndarray, xy: np.ndarray, tolerance: float = 0.0
) -> csr_matrix:
    """The weights `spec` asks for, from unit polygons (queen) or their points (band, knn)."""
    if spec.kind == "queen":
        return queen(geoms, tolerance)
    if spec.kind == "band":
        return distance_band(xy, spec.value)
    return knn(xy, int(spec.value))
