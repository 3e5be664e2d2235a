"""Pages that take the whole screen (the shell's map and side give way to their own parts):
one list, so the router, the shell, the navigation and the server agree on them.

Each page's module has ``register(app, ctx)``, which adds the callbacks that build the page's
parts into its container when the URL's mode is the page's, and clear them when it leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class OwnPage:
    """A page of its own: mode (Route.mode), path, navigation label key, its module."""

    mode: str
    path: str  # "/planner": that path; "/case/": a prefix, the rest of the path is the key
    module: str  # a module with register(app, ctx)
    nav_key: str | None = None  # an i18n key: an item in the navigation; None: links only

    @property
    def container(self) -> str:
        """The id of the Div the page's parts go in."""
        return f"page-{self.mode}"

    @property
    def keyed(self) -> bool:
        """Whether the path carries a key (a case code, a plan id)."""
        return self.path.endswith("/")

    def key_of(self, path: str) -> str | None:
        """The key in path (keyed pages), "" for the page's own path, None when not this page."""
        if self.keyed:
            rest = path.removeprefix(self.path)
            return rest if rest != path and rest else None
        return "" if path == self.path else None

    def href(self, key: str | None = None) -> str:
        """The page's path (with its key, quoted, for keyed pages)."""
        return self.path + quote(key or "", safe="") if self.keyed else self.path


# Pages add themselves here (one line each); their modules are imported by the server.
OWN_PAGES: tuple[OwnPage, ...] = (
    OwnPage("case", "/case/", "twin.app.cases.page"),
    OwnPage("compare", "/planner/compare", "twin.app.planner.compare"),  # before /planner/<id>
    OwnPage("planner", "/planner", "twin.app.planner.plans", nav_key="nav_planner"),
    OwnPage("plan", "/planner/", "twin.app.planner.editor"),
    OwnPage("performance", "/performance", "twin.app.performance.page", nav_key="nav_performance"),
)


def own_page(mode: str, pages: tuple[OwnPage, ...] = OWN_PAGES) -> OwnPage | None:
    """The own page of a mode, or None."""
    return next((p for p in pages if p.mode == mode), None)
