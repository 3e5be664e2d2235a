"""Which resource modules make up the API: each gives a Flask blueprint and its OpenAPI paths."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from flask import Blueprint, Flask

from twin.api.errors import register_errors

if TYPE_CHECKING:
    from twin.app.context import AppContext


class Resource(NamedTuple):
    """One resource of the API: how to build its routes, and their OpenAPI path items."""

    blueprint: Callable[[AppContext], Blueprint]
    paths: dict[str, Any]


# The modules of the API's resources, each defining `RESOURCE: Resource`. One list, so the
# OpenAPI document and the routes can never disagree on what exists.
RESOURCE_MODULES: tuple[str, ...] = (
    "twin.api.openapi",
    "twin.api.cases",
    "twin.api.devices",
    "twin.open311.routes",
    "twin.api.plan_versions",
    "twin.api.plan_checks",
    "twin.api.plan_edits",
    "twin.api.plan_transfer",
)


def resources() -> list[Resource]:
    """The resources of RESOURCE_MODULES, in order."""
    return [importlib.import_module(name).RESOURCE for name in RESOURCE_MODULES]


def register_api(server: Flask, ctx: AppContext) -> None:
    """Mount every resource's blueprint on the app's server."""
    register_errors(server)
    for resource in resources():
        server.register_blueprint(resource.blueprint(ctx))


def openapi_paths() -> dict[str, Any]:
    """Every resource's OpenAPI path items, merged."""
    paths: dict[str, Any] = {}
    for resource in resources():
        paths.update(resource.paths)
    return paths
