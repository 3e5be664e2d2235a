"""Colour vision for tests: the Machado 2009 dichromacy simulations (colorspacious, severity
100), greyscale, CIEDE2000 distances and WCAG contrast ratios."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from colorspacious import cspace_convert, deltaE
from PIL import Image

# name -> colorspacious CVD type (None: greyscale by relative luminance)
SIMULATIONS: dict[str, str | None] = {
    "deuteranopia": "deuteranomaly",
    "protanopia": "protanomaly",
    "tritanopia": "tritanomaly",
    "greyscale": None,
}
DICHROMACIES = ("deuteranopia", "protanopia", "tritanopia")


def rgb(colour: str | tuple[float, ...] | list[float]) -> np.ndarray:
    """A colour as sRGB 0-255 floats, from '#rrggbb' or a sequence."""
    if isinstance(colour, str):
        h = colour.lstrip("#")
        return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)], dtype=float)
    return np.asarray(colour[:3], dtype=float)


def _linear(c: np.ndarray) -> np.ndarray:
    c = c / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def simulated(pixels: np.ndarray, name: str) -> np.ndarray:
    """sRGB 0-255 pixels (..., 3) as seen with the named deficiency (or in greyscale)."""
    kind = SIMULATIONS[name]
    if kind is None:
        y = _linear(pixels) @ np.array([0.2126, 0.7152, 0.0722])
        g = np.where(y <= 0.0031308, 12.92 * y, 1.055 * y ** (1 / 2.4) - 0.055) * 255
        return np.repeat(g[..., None], 3, axis=-1)
    space = {"name": "sRGB1+CVD", "cvd_type": kind, "severity": 100}
    return np.clip(cspace_convert(pixels / 255, space, "sRGB1"), 0, 1) * 255


def delta_e(a: np.ndarray, b: np.ndarray) -> float:
    """CIEDE2000 between two sRGB 0-255 colours."""
    return float(deltaE(a, b, input_space="sRGB255"))


def smallest_distance(colours: dict[str, np.ndarray], name: str | None) -> tuple[float, str]:
    """The smallest CIEDE2000 between any two of the colours (simulated unless name is None),
    and which pair it is."""
    seen = {k: simulated(v, name) if name else v for k, v in colours.items()}
    pairs = [(delta_e(seen[a], seen[b]), f"{a}/{b}") for a, b in _pairs(list(seen))]
    return min(pairs)


def _pairs(keys: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :]]


def contrast(fg: np.ndarray, bg: np.ndarray) -> float:
    """The WCAG contrast ratio of two opaque sRGB 0-255 colours."""
    weights = np.array([0.2126, 0.7152, 0.0722])
    hi, lo = sorted([float(_linear(fg) @ weights), float(_linear(bg) @ weights)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def simulate_image(source: Path, name: str, target: Path) -> Path:
    """Write a copy of a PNG as seen with the named deficiency (or in greyscale)."""
    pixels = np.asarray(Image.open(source).convert("RGB"), dtype=float)
    seen = simulated(pixels, name)
    Image.fromarray(np.round(seen).astype(np.uint8)).save(target)
    return target
