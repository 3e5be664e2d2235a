"""The README documents every setting and every CLI command and option."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from twin.cli import parser
from twin.settings import Settings, SettingsError, setting_names

README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")


@pytest.mark.parametrize("name", setting_names())
def test_readme_names_every_setting(name: str) -> None:
    assert f"`{name}`" in README


def cli_options() -> list[str]:
    found = []
    sub = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    for command, p in sub.choices.items():
        found.append(f"twin {command}")
        for action in p._actions:
            found += [o for o in action.option_strings if o.startswith("--") and o != "--help"]
            if action.choices and not action.option_strings:
                found += [f"twin {command} {c}" for c in action.choices]
    return found


@pytest.mark.parametrize("text", cli_options())
def test_readme_documents_every_cli_command_and_option(text: str) -> None:
    assert text in README


def test_settings_read_the_environment() -> None:
    s = Settings.from_env(
        {
            "TWIN_PORT": "9000",
            "TWIN_LANG": "en",
            "TWIN_PGDATA": "/x/pg",
            "TWIN_STATUS_YELLOW_CAMERA_ONLINE": "0.75",
        }
    )
    assert (s.port, s.lang, str(s.pgdata), s.status_yellow_camera_online) == (
        9000,
        "en",
        "/x/pg",
        0.75,
    )
    assert Settings.from_env({}) == Settings()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TWIN_PORT": "eighty"}, "TWIN_PORT='eighty' is not a valid int"),
        ({"TWIN_LANG": "fr"}, "TWIN_LANG='fr': choose zh-CN or en"),
        ({"TWIN_BASEMAP_URL": "http://tiles/{z}/{x}.png"}, "needs {z}, {x}, {y}"),
        ({"TWIN_TIMEZONE": "Mars/Olympus"}, "TWIN_TIMEZONE='Mars/Olympus': not a known zone"),
        ({"TWIN_TOUR_SECONDS": "0"}, "must be at least 1"),
        ({"TWIN_LOAD_READERS": "3"}, "TWIN_LOAD_READERS must be 1 or 2"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)
