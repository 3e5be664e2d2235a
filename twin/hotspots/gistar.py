"""Getis-Ord Gi* (the star form, binary weights, self included) with normal and permutation p."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.special import ndtr  # scipy.stats would add a second to every `twin` command

# Units per chunk of the permutation draw: bounds memory at chunk × permutations × k floats.
_CHUNK = 256


@dataclass(frozen=True)
class GiStar:
    """Gi* per unit: z-score, two-sided normal p, permutation p (or None) and the islands mask."""

    z: np.ndarray
    p_norm: np.ndarray
    p_sim: np.ndarray | None
    islands: np.ndarray


def gi_star(y: np.ndarray, w: csr_matrix, permutations: int = 0, seed: int = 0) -> GiStar:
    """Gi* of `y` over binary weights `w` (no diagonal: self is added here), esda's star form."""
    y = np.asarray(y, dtype=float).ravel()
    n = len(y)
    w = csr_matrix(w, dtype=float)
    if w.shape != (n, n):
        raise ValueError(f"weights are {w.shape[0]}×{w.shape[1]} but there are {n} values")
    neighbours = np.diff(w.indptr)
    islands = neighbours == 0
    cardinality = neighbours + 1.0
    local = w @ y + y
    total = y.sum()
    mean = total / n
    variance = (y**2).sum() / n - mean**2
    z = np.full(n, np.nan)
    p = np.full(n, np.nan)
    ok = ~islands
    if total == 0 or variance <= 0 or n < 2:
        # A constant field carries no evidence of clustering anywhere.
        z[ok], p[ok] = 0.0, 1.0
        return GiStar(z, p, _all_ones(ok) if permutations else None, islands)
    # Getis & Ord (1992) moments under randomisation, written as esda writes them.
    g = local / total
    expected = cardinality / n
    var_g = cardinality * (n - cardinality) / (n - 1) / n**2 * (variance / mean**2)
    # A unit whose neighbourhood is the whole study area has a fixed sum: zero variance, no
    # evidence (z 0), where the formula would give NaN.
    spread = ok & (var_g > 0)
    z[ok] = 0.0
    z[spread] = (g[spread] - expected[spread]) / np.sqrt(var_g[spread])
    p[ok] = 2.0 * ndtr(-np.abs(z[ok]))  # the normal's two tails
    p_sim = _permutation_p(y, w, local, permutations, seed) if permutations else None
    if p_sim is not None:
        p_sim[islands] = np.nan
    return GiStar(z, p, p_sim, islands)


def _all_ones(ok: np.ndarray) -> np.ndarray:
    """Permutation p of 1 where a unit has neighbours, NaN elsewhere."""
    return np.where(ok, 1.0, np.nan)


def _permutation_p(
    y: np.ndarray, w: csr_matrix, local: np.ndarray, permutations: int, seed: int
) -> np.ndarray:
    """Two-sided pseudo p, conditional randomisation: y_i fixed, neighbours drawn from the rest."""
    n = len(y)
    rng = np.random.default_rng(seed)
    neighbours = np.diff(w.indptr)
    kmax = int(neighbours.max()) if n else 0
    out = np.full(n, np.nan)
    if kmax == 0:
        return out
    # One draw of kmax distinct indices out of n-1 per permutation, shared by all units (as esda
    # does): unit i takes the first k_i and skips itself by shifting indices ≥ i up by one.
    draws = np.stack([rng.permutation(n - 1)[:kmax] for _ in range(permutations)])
    for start in range(0, n, _CHUNK):
        units = np.arange(start, min(start + _CHUNK, n))
        idx = draws[None, :, :] + (draws[None, :, :] >= units[:, None, None])
        values = y[idx]  # units × permutations × kmax
        take = np.arange(kmax)[None, None, :] < neighbours[units][:, None, None]
        sims = (values * take).sum(axis=2) + y[units][:, None]
        above = (sims >= local[units][:, None]).sum(axis=1)
        below = (sims <= local[units][:, None]).sum(axis=1)
        extreme = np.minimum(above, below)
        out[units] = np.minimum(1.0, 2.0 * (extreme + 1) / (permutations + 1))
    return out
