"""The map's and badges' colours: status classes, their ink and mark, and the ramps.

Status colours differ in lightness as well as hue (yellow light, green mid, red dark), so
they stay apart under deuteranopia, protanopia and tritanopia (CIEDE2000 >= 20 under the
Machado 2009 simulations; tests/unit/test_palette.py) and in greyscale. Alert also has a
second channel: a glyph in badges and a heavy outline on the map.
"""

from __future__ import annotations

STATUS_COLOURS = {"green": "#5ca18f", "yellow": "#fee579", "red": "#aa1c1a"}
# Text on a status colour: dark on the light ones, white on red (each >= 4.5:1).
STATUS_INK = {"green": "#102a43", "yellow": "#102a43", "red": "#ffffff"}
# A shape for each status, so a badge reads without its colour.
STATUS_GLYPH = {"green": "✓", "yellow": "!", "red": "▲"}
NO_DATA = "#9aa5b1"
# Sequential ramps from the calm end to the alarming end, rising steadily in darkness so the
# order survives colour blindness and greyscale. ALERT for good/bad figures (reversed when
# more is better), SIZE for figures that are neither (population, area).
ALERT_RAMP = ("#fdf0d2", "#f8c57f", "#ec8a43", "#c8452f", "#7a1424")
SIZE_RAMP = ("#e4eef8", "#aecbe6", "#6fa2cf", "#3a70ad", "#163e70")
CLASSES = len(ALERT_RAMP)
# The map's alert outline (the second channel): dark on the light map, white on the wall.
ALERT_OUTLINE = {"light": "#1f0808", "dark": "#ffffff"}


def ramp_steps(n: int, higher: str) -> list[str]:
    """The colours of n classes in rising order of value, spread over the ramp so the lowest
    and highest class always take its two ends (a single class takes the calm end).

    higher: "worse" (more is alarming), "better" (more is calm) or "neutral" (a size).
    """
    ramp = SIZE_RAMP if higher == "neutral" else ALERT_RAMP
    if n <= 0:
        return []
    if n == 1:
        return [ramp[0]]
    steps = [ramp[round(i * (len(ramp) - 1) / (n - 1))] for i in range(n)]
    return steps[::-1] if higher == "better" else steps
