"""The time window's words and control state: pure functions of a window and a language."""

from __future__ import annotations

from datetime import date, datetime

from dash import dcc, html

from twin.app import ids
from twin.app.i18n import fmt_day, t
from twin.window import DEFAULT, PRESETS, Span, TimeWindow

CUSTOM = "custom"  # the control's value for a range of dates


def window_options(lang: str) -> list[dict[str, str]]:
    """The window control's choices: the presets, then a range of dates."""
    return [{"label": t(f"window_{p}", lang), "value": p} for p in PRESETS] + [
        {"label": t("window_custom", lang), "value": CUSTOM}
    ]


def window_label(window: TimeWindow, lang: str) -> str:
    """A window in words: 近7天 / Last 7 days, or its two dates."""
    if window.first is not None and window.last is not None:
        return t("window_range", lang, first=window.first.isoformat(), last=window.last.isoformat())
    return t(f"window_{window.text}", lang)


def trend_title(window: TimeWindow, span: Span, lang: str) -> str:
    """The trend's heading: per hour or per day, in which window."""
    key = "trend_hours" if span.hourly else "trend_days"
    return t(key, lang, window=window_label(window, lang))


def control_state(window: TimeWindow) -> tuple[str, str | None, str | None]:
    """What the controls show for a window: the choice, and the range's two dates."""
    if window.first is not None and window.last is not None:
        return CUSTOM, window.first.isoformat(), window.last.isoformat()
    return window.text, None, None


def bin_label(value: date, lang: str) -> str:
    """A trend bin on the chart's axis: an hour as 14:00, a day as the axis shows days."""
    if isinstance(value, datetime):
        return f"{value:%H}:00"
    return fmt_day(value, lang)


def window_bar() -> html.Div:
    """The window choice over the side panel (its words come with the language)."""
    return html.Div(
        [
            html.Label(id=ids.WINDOW_LABEL),
            dcc.RadioItems(id=ids.WINDOW, value=DEFAULT, className="windows", inline=True),
            dcc.DatePickerRange(
                id=ids.WINDOW_RANGE,
                updatemode="bothdates",
                display_format="YYYY-MM-DD",
                minimum_nights=0,
                className="window-range",
            ),
            dcc.Store(id=ids.WINDOW_DEFAULT, data=DEFAULT),  # the URL leaves it out
            dcc.Store(id=ids.WINDOW_SEEN),
        ],
        id=ids.WINDOW_BAR,
        className="window-bar",
    )
