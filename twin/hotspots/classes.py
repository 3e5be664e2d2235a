"""The seven hotspot classes, from the FDR-adjusted p-value and the sign of Gi* z."""

from __future__ import annotations

import numpy as np

CLASSES = ("hot_99", "hot_95", "hot_90", "none", "cold_90", "cold_95", "cold_99")
# (class suffix, largest adjusted p that earns it), strictest first.
LEVELS = ((99, 0.01), (95, 0.05), (90, 0.10))


def classify(z: np.ndarray, p_fdr: np.ndarray) -> np.ndarray:
    """One class per unit: hot_/cold_ 99/95/90 by adjusted p and sign of z; "" if either is NaN."""
    z = np.asarray(z, dtype=float)
    p = np.asarray(p_fdr, dtype=float)
    out = np.full(z.shape, "none", dtype=object)
    for level, alpha in reversed(LEVELS):
        hit = np.isfinite(p) & (p <= alpha)
        out[hit & (z > 0)] = f"hot_{level}"
        out[hit & (z < 0)] = f"cold_{level}"
    out[~(np.isfinite(z) & np.isfinite(p))] = ""
    return out
