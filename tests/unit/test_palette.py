"""The status palette and ramps hold up under colour blindness (Machado 2009, severity 100)
and in greyscale; text on a status colour is readable; the CSS uses the palette."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from colorspacious import cspace_convert

from tests.colour_vision import (
    DICHROMACIES,
    SIMULATIONS,
    contrast,
    rgb,
    simulated,
    smallest_distance,
)
from twin.app.palette import (
    ALERT_RAMP,
    SIZE_RAMP,
    STATUS_COLOURS,
    STATUS_GLYPH,
    STATUS_INK,
    ramp_steps,
)

ASSETS = Path(__file__).resolve().parents[2] / "assets"
MAP_BACKGROUNDS = {"cockpit": "#dfe6ec", "wall": "#0b1622"}  # .map on each page (twin.css)


def fill_opacity() -> float:
    """The units' fill opacity in assets/twin_map.js."""
    found = re.search(r"fillOpacity: ([\d.]+),\s*\};\s*\},\s*hoverStyle", _js())
    assert found, "unitStyle's fillOpacity not found"
    return float(found.group(1))


def _js() -> str:
    return (ASSETS / "twin_map.js").read_text()


def drawn(background: str) -> dict[str, np.ndarray]:
    """Each status colour as a map fill shows it: over the map's background at its opacity."""
    a = fill_opacity()
    return {s: a * rgb(c) + (1 - a) * rgb(background) for s, c in STATUS_COLOURS.items()}


@pytest.mark.parametrize("vision", [None, *DICHROMACIES])
def test_status_classes_stay_apart_in_every_vision(vision: str | None) -> None:
    colours = {s: rgb(c) for s, c in STATUS_COLOURS.items()}
    distance, pair = smallest_distance(colours, vision)
    assert distance >= 20, f"{pair}: ΔE2000 {distance:.1f} ({vision or 'normal vision'})"
    for page, background in MAP_BACKGROUNDS.items():
        distance, pair = smallest_distance(drawn(background), vision)
        assert distance >= 20, f"{page} map {pair}: ΔE2000 {distance:.1f} ({vision})"


def test_status_classes_differ_in_lightness_so_greyscale_keeps_them_apart() -> None:
    distance, pair = smallest_distance({s: rgb(c) for s, c in STATUS_COLOURS.items()}, "greyscale")
    assert distance >= 20, f"{pair}: ΔE2000 {distance:.1f} in greyscale"


def test_text_on_each_status_colour_is_readable() -> None:
    for status, colour in STATUS_COLOURS.items():
        ratio = contrast(rgb(STATUS_INK[status]), rgb(colour))
        assert ratio >= 4.5, f"{status}: {ratio:.2f}:1"


def test_each_status_has_its_own_glyph() -> None:
    assert set(STATUS_GLYPH) == set(STATUS_COLOURS)
    assert len(set(STATUS_GLYPH.values())) == len(STATUS_GLYPH)


@pytest.mark.parametrize("ramp", [ALERT_RAMP, SIZE_RAMP], ids=["alert", "size"])
@pytest.mark.parametrize("vision", [None, *SIMULATIONS])
def test_ramps_darken_step_by_step_in_every_vision(ramp: tuple[str, ...], vision: str) -> None:
    colours = np.array([rgb(c) for c in ramp])
    seen = simulated(colours, vision) if vision else colours
    lightness = cspace_convert(seen, "sRGB255", "CIELab")[:, 0]
    assert np.all(np.diff(lightness) < -5), f"L* {np.round(lightness, 1)}"


def test_any_number_of_classes_spans_the_ramp_from_end_to_end() -> None:
    for n in range(2, len(ALERT_RAMP) + 1):
        steps = ramp_steps(n, "worse")
        assert (steps[0], steps[-1]) == (ALERT_RAMP[0], ALERT_RAMP[-1])
        assert ramp_steps(n, "better") == steps[::-1]
        assert len(set(steps)) == n
    assert ramp_steps(1, "worse") == [ALERT_RAMP[0]]
    assert ramp_steps(3, "neutral") == [SIZE_RAMP[0], SIZE_RAMP[2], SIZE_RAMP[4]]


def test_the_stylesheet_draws_badges_and_dots_in_the_palette() -> None:
    css = (ASSETS / "twin.css").read_text()
    for status, colour in STATUS_COLOURS.items():
        badge = re.search(rf"\.badge-{status} \{{([^}}]*)\}}", css)
        dot = re.search(rf"\.dot-{status} \{{([^}}]*)\}}", css)
        assert badge and dot, status
        assert f"background: {colour};" in badge.group(1)
        ink = STATUS_INK[status]
        assert re.search(rf"color: ({ink}|#fff);", badge.group(1)), badge.group(1)
        assert f"background: {colour};" in dot.group(1)
