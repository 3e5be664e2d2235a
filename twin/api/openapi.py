"""/api/openapi.json (OpenAPI 3.1, from every resource's paths) and /api/docs, a reference
page drawn on the server from the same document: plain HTML, no script, nothing fetched."""

from __future__ import annotations

import json
from functools import cache
from html import escape
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, abort, request
from werkzeug.exceptions import HTTPException

from twin.api import registry
from twin.api.answer import answer
from twin.api.registry import Resource
from twin.open311.errors import open311_error

if TYPE_CHECKING:
    from twin.app.context import AppContext

PREFIXES = ("/api/", "/open311/")
METHODS = ("get", "post", "put", "patch", "delete")
TITLE = "twin HTTP API"


@cache
def document() -> dict[str, Any]:
    """The OpenAPI document of every resource in the registry."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": "1",
            "description": "Cases, their lifecycle and photos, device batches, and Open311 "
            'GeoReport v2. Errors are JSON {"error": {"field", "message"}} (Open311\'s '
            "routes answer in that standard's own error form).",
        },
        "paths": dict(sorted(registry.openapi_paths().items())),
    }


def blueprint(ctx: AppContext) -> Blueprint:
    """The document and its reference page."""
    bp = Blueprint("api_openapi", __name__)

    @bp.get("/api/openapi.json")
    def openapi_json() -> Response:
        return Response(json.dumps(document(), ensure_ascii=False), mimetype="application/json")

    @bp.before_app_request
    def no_page_under_the_api() -> None:
        """A path under /api/ or /open311/ that names no route is a 404, not the app's page
        (Dash answers every other path with it)."""
        rule = request.url_rule.rule if request.url_rule else ""
        if request.path.startswith(PREFIXES) and not rule.startswith(PREFIXES):
            abort(404)

    @bp.after_app_request
    def errors_in_json(response: Response) -> Response:
        """An error answered in plain text by a check the whole app runs (a NUL byte, a slow
        database) is, under /api/ and /open311/, the route family's JSON error too."""
        if not request.path.startswith(PREFIXES) or response.status_code < 400:
            return response
        if response.mimetype == "application/json":
            return response
        message = response.get_data(as_text=True)[:500]
        if request.path.startswith("/open311/"):
            return open311_error(response.status_code, message)
        return answer({"error": {"field": None, "message": message}}, response.status_code)

    @bp.app_errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        """Under /api/, a 404, 405 or 400 the router or a check raised is the API's JSON error
        too (Open311's routes answer in their own form); elsewhere the page's own."""
        if request.path.startswith("/open311/"):
            return open311_error(exc.code or 500, exc.description or exc.name)
        if not request.path.startswith("/api/"):
            return exc
        message = exc.description or exc.name
        response = answer({"error": {"field": None, "message": message}}, exc.code or 500)
        if exc.code == 405:
            response.headers["Allow"] = ", ".join(getattr(exc, "valid_methods", None) or [])
        return response

    @bp.get("/api/docs")
    def docs() -> Response:
        return Response(reference_page(document()), mimetype="text/html")

    return bp


def reference_page(doc: dict[str, Any]) -> str:
    """The document as one readable HTML page: every route, its parameters, bodies and
    answers (all text escaped: descriptions are data)."""
    toc, parts = [], []
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            anchor = escape(f"{method}-{path}", quote=True)
            title = f"{method.upper()} {path}"
            toc.append(
                f'<li><a href="#{anchor}">{escape(title)}</a> — '
                f"{escape(op.get('summary', ''))}</li>"
            )
            parts.append(_operation(anchor, title, op))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(doc['info']['title'])}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(doc['info']['title'])}</h1><p>{escape(doc['info']['description'])}</p>"
        '<p>The machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a>'
        f"</p><ul>{''.join(toc)}</ul>{''.join(parts)}</body></html>"
    )


def _operation(anchor: str, title: str, op: dict[str, Any]) -> str:
    html = [f'<section id="{anchor}"><h2><code>{escape(title)}</code></h2>']
    html.append(f"<p><b>{escape(op.get('summary', ''))}</b></p>")
    if op.get("description"):
        html.append(f"<p>{escape(op['description'])}</p>")
    params = op.get("parameters", [])
    if params:
        rows = "".join(
            f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
            f"<td>{'yes' if p.get('required') else ''}</td>"
            f"<td>{escape(p.get('description', ''))}</td>"
            f"<td><code>{escape(_json(p.get('schema', {})))}</code></td></tr>"
            for p in params
        )
        html.append(
            "<table><tr><th>parameter</th><th>in</th><th>required</th><th>meaning</th>"
            f"<th>schema</th></tr>{rows}</table>"
        )
    for kind, content in op.get("requestBody", {}).get("content", {}).items():
        html.append(f"<h3>Body ({escape(kind)})</h3>{_schema(content.get('schema', {}))}")
    html.append("<h3>Answers</h3><dl>")
    for status, response in op.get("responses", {}).items():
        html.append(f"<dt>{escape(status)}</dt><dd>{escape(response.get('description', ''))}")
        for content in response.get("content", {}).values():
            if status.startswith("2"):
                html.append(_schema(content.get("schema", {})))
        html.append("</dd>")
    html.append("</dl></section>")
    return "".join(html)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _schema(schema: dict[str, Any]) -> str:
    return f"<pre>{escape(json.dumps(schema, indent=2, ensure_ascii=False))}</pre>"


STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;"
    "color:#202124}code,pre{font-family:ui-monospace,monospace}pre{background:#f1f3f4;"
    "padding:.6em;overflow:auto;max-height:30em}table{border-collapse:collapse}"
    "td,th{border:1px solid #dadce0;padding:.2em .5em;text-align:left;vertical-align:top}"
    "section{border-top:1px solid #dadce0;margin-top:1.5em}"
)

RESOURCE = Resource(blueprint=blueprint, paths={})
