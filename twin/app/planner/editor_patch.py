"""The editor's layers sent as what changed: a Dash Patch that turns the FeatureCollection the
map draws into the next one, so an edit sends its few units, not the whole area's outlines."""

from __future__ import annotations

from typing import Any

from dash import Patch

Json = dict[str, Any]


def patch_of(old: Json, new: Json) -> Patch:
    """The Patch that turns the collection `old` (as the page holds it) into `new`; both are
    in code order (features with an "id"), which the patch keeps."""
    was = {f["id"]: f for f in old["features"]}
    now = [f["id"] for f in new["features"]]
    kept = set(now)
    patch = Patch()
    for i in reversed(range(len(old["features"]))):  # from the end: earlier indices hold
        if old["features"][i]["id"] not in kept:
            del patch["features"][i]
    for i, f in enumerate(new["features"]):  # the kept ones keep their order: insert in place
        if f["id"] not in was:
            patch["features"].insert(i, f)
        elif was[f["id"]] != f:
            patch["features"][i] = f
    return patch
