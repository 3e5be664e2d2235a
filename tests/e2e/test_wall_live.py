"""A published plan reaches an open wall: the city outline under it and the tour's mark are
fetched anew under the new map's fingerprint, without a reload."""

from __future__ import annotations

import time

from tests.e2e.conftest import Served, Watched
from tests.e2e.test_map import assert_clean
from tests.e2e.test_plan_live import REFRESH_MS, ROUND_TRIPS_MS, split_and_publish
from tests.e2e.test_screen import open_screen

TOUR_MS = 2000  # TWIN_TOUR_SECONDS=2 in the served app (tests/e2e/conftest.py)


def fetched(watched: Watched, part: str) -> list[str]:
    """The URLs the page requested that contain part, in order."""
    return [u for u in watched.requests if part in u]


def wait_until(watched: Watched, ms: int, done: object) -> None:
    """Poll done() every 100 ms for ms milliseconds; fail naming the requests seen."""
    deadline = time.monotonic() + ms / 1000
    while not done():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("not within the time; requests:\n" + "\n".join(watched.requests))
        watched.page.wait_for_timeout(100)


def test_an_open_wall_fetches_the_new_outlines_after_a_publish(
    served: Served, watched: Watched
) -> None:
    watched.page.set_viewport_size({"width": 1920, "height": 1080})
    open_screen(watched, served.url)
    city = fetched(watched, "/twin/outlines/district.pbf")
    assert len(city) == 1 and "?map=" in city[0], city  # one fetch, under the map's fingerprint
    wait_until(watched, TOUR_MS * 3, lambda: fetched(watched, "/twin/outline/"))
    assert "?map=" in fetched(watched, "/twin/outline/")[0]
    split_and_publish(served.db_url, "wall-split", 2)
    wait_until(
        watched,
        REFRESH_MS + ROUND_TRIPS_MS,
        lambda: len(fetched(watched, "/twin/outlines/district.pbf")) == 2,
    )
    new_map = fetched(watched, "/twin/outlines/district.pbf")[1].partition("map=")[2]
    assert new_map and new_map != city[0].partition("map=")[2]
    # The tour's next mark is drawn from the new map too.
    wait_until(
        watched,
        TOUR_MS * 3,
        lambda: any(u.endswith(f"map={new_map}") for u in fetched(watched, "/twin/outline/")),
    )
    documents = [u for u in watched.requests if u.rstrip("/").endswith("/screen")]
    assert len(documents) == 1  # no reload
    assert_clean(watched, served.url)
