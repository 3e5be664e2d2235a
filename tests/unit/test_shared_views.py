"""What a refresh shows is built once per key and shared by every page that asks."""

from __future__ import annotations

import threading
import time

from twin.app.shared import AHEAD, PerVersion


def test_pages_asking_at_once_share_one_build() -> None:
    shown = PerVersion()
    builds: list[int] = []

    def build() -> str:
        builds.append(1)
        time.sleep(0.05)  # long enough for every other page to ask meanwhile
        return "view"

    got: list[str] = []
    pages = [
        threading.Thread(target=lambda: got.append(shown.get((7, "en"), build))) for _ in range(20)
    ]
    for page in pages:
        page.start()
    for page in pages:
        page.join()
    assert got == ["view"] * 20
    assert len(builds) == 1 and shown.computed == 1


def test_a_new_version_is_built_again_and_old_ones_are_dropped() -> None:
    shown = PerVersion(keep=2)
    for version in (1, 2, 3):
        shown.get(("cockpit", version), lambda v=version: v)  # type: ignore[misc]
    assert shown.get(("cockpit", 3), lambda: -1) == 3
    assert shown.get(("cockpit", 1), lambda: -1) == -1  # dropped: built afresh
    assert shown.computed == 4


def test_a_build_may_ask_for_another_key() -> None:
    shown = PerVersion()
    outer = shown.get("diff", lambda: shown.get("before", lambda: 1) + 1)
    assert outer == 2


def test_only_the_latest_views_asked_are_built_ahead() -> None:
    shown = PerVersion(keep=100)

    class Snap:
        def __init__(self, version: int) -> None:
            self.version = version

    for view in range(AHEAD + 5):  # a client asking for ever new views
        shown.of("map", view, Snap(1), lambda s, v=view: (s.version, v))
    before = shown.computed
    shown.build_ahead(Snap(2))
    assert shown.computed - before == AHEAD
    assert shown.peek(("map", 2, AHEAD + 4)) == (2, AHEAD + 4)  # the latest asked
    assert shown.peek(("map", 2, 0)) is None
