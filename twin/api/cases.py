"""/api/cases: create (idempotently), read, list by filter with a cursor, act along the
lifecycle, and attach photos. Routes only parse and answer; twin.ops does the work."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from flask import Blueprint, Response, request

from twin.activity import Clock
from twin.api.answer import answer
from twin.api.errors import ApiError
from twin.api.payload import (
    MAX_TEXT,
    bad,
    json_object,
    no_other_fields,
    number,
    query_list,
    query_text,
    text,
    timestamp,
    whole,
)
from twin.api.registry import Resource
from twin.catalog.terms import CASES
from twin.ops.cases import (
    ACTIONS,
    CaseError,
    CaseMerged,
    CaseNotFound,
    NewCase,
    act,
    create_case,
    get_case,
)
from twin.ops.config import OpsConfig, load_config
from twin.ops.listing import MAX_LIMIT, CaseFilter, FilterError, list_cases
from twin.ops.merging import merge, unmerge
from twin.ops.photos import MAX_PHOTO_BYTES, add_photo, fetch_photo, list_photos

if TYPE_CHECKING:
    from twin.app.context import AppContext

CREATE_FIELDS = (
    "category",
    "severity",
    "source",
    "lon",
    "lat",
    "description",
    "reported_at",
    "code",
    "actor",
    "key",
)
ACTION_FIELDS = ("actor", "note", "department", "officer")
T = TypeVar("T")
LIMIT = re.compile(r"[0-9]{1,4}")  # ASCII digits only: str.isdigit() takes "²", int() not


def ops_config(ctx: AppContext) -> OpsConfig:
    """The live-operations configuration the server runs with (TWIN_OPS_DIR)."""
    return load_config(ctx.settings.ops_dir, ctx.layers[CASES])


def blueprint(ctx: AppContext) -> Blueprint:
    """The case routes over the app's pool."""
    bp = Blueprint("api_cases", __name__)
    config = ops_config(ctx)  # read once: a bad file stops the server at start, not a request
    cases = ctx.layers[CASES]

    def clock() -> Clock:
        return Clock.current(ctx.settings.timezone)

    @contextmanager
    def connection() -> Iterator[Any]:
        with ctx.pool.connection() as conn:
            yield conn

    @bp.post("/api/cases")
    def create() -> Response:
        new = read_new_case(json_object(), request.headers.get("Idempotency-Key"))
        with connection() as conn:
            done = refused(lambda: create_case(conn, new, clock(), config))
        body = {
            "case": public(done.case),
            "created": done.created,
            "rule": done.rule,
            "duplicate_of": done.duplicate_of,
        }
        where = {"Location": f"/api/cases/{quote(done.case['code'], safe='')}"}
        return answer(body, 201 if done.created else 200, where)

    @bp.get("/api/cases")
    def listing() -> Response:
        filters = read_filter(
            cases.field("status").allowed,
            cases.field("category").allowed,
            cases.field("source").allowed,
        )
        raw_limit = query_text("limit") or "100"
        if not LIMIT.fullmatch(raw_limit) or not 1 <= int(raw_limit) <= MAX_LIMIT:
            raise bad("limit", f"must be a whole number from 1 to {MAX_LIMIT}", 400)
        with connection() as conn:
            try:
                rows, after = list_cases(conn, filters, query_text("cursor"), int(raw_limit))
            except FilterError as exc:
                raise bad(exc.field, exc.message, 400) from None
        return answer({"cases": rows, "next": after})

    @bp.get("/api/cases/<code>")
    def one(code: str) -> Response:
        with connection() as conn:
            return answer(public(refused(lambda: get_case(conn, code))))

    for action in ACTIONS:
        bp.add_url_rule(
            f"/api/cases/<code>/{action}",
            f"act_{action}",
            acting(action, connection, clock),
            methods=["POST"],
        )

    @bp.post("/api/cases/<code>/merge")
    def merging(code: str) -> Response:
        body = json_object()
        no_other_fields(body, ("into", "actor"))
        into = text(body.get("into"), "into", required=True)
        actor = text(body.get("actor"), "actor", required=True)
        assert into is not None and actor is not None  # required
        with connection() as conn:
            return answer(public(refused(lambda: merge(conn, code, into, actor, clock()))))

    @bp.post("/api/cases/<code>/unmerge")
    def unmerging(code: str) -> Response:
        body = json_object()
        no_other_fields(body, ("actor",))
        actor = text(body.get("actor"), "actor", required=True)
        assert actor is not None  # required
        with connection() as conn:
            return answer(public(refused(lambda: unmerge(conn, code, actor, clock()))))

    @bp.post("/api/cases/<code>/photos")
    def photo_add(code: str) -> Response:
        if request.content_length is not None and request.content_length > MAX_PHOTO_BYTES:
            raise bad("photo", f"the photo is larger than {MAX_PHOTO_BYTES} bytes", 413)
        data = request.get_data()  # (the app's NUL check has read it already)
        if len(data) > MAX_PHOTO_BYTES:
            raise bad("photo", f"the photo is larger than {MAX_PHOTO_BYTES} bytes", 413)
        actor = query_text("actor")
        if not actor or not actor.strip():
            raise bad("actor", "who adds the photo must be named (?actor=...)", 400)
        note = query_text("note", MAX_TEXT)
        with connection() as conn:
            photo, added = refused(
                lambda: add_photo(
                    conn,
                    code,
                    data,
                    actor=actor,
                    clock=clock(),
                    declared=request.mimetype or None,
                    note=note or None,
                )
            )
        return answer(photo_json(code, photo), 201 if added else 200)

    @bp.get("/api/cases/<code>/photos")
    def photo_list(code: str) -> Response:
        with connection() as conn:
            photos = refused(lambda: list_photos(conn, code))
        return answer({"photos": [photo_json(code, p) for p in photos]})

    @bp.get("/api/cases/<code>/photos/<int:photo_id>")
    def photo_bytes(code: str, photo_id: int) -> Response:
        with connection() as conn:
            try:
                kind, data, digest = refused(lambda: fetch_photo(conn, code, photo_id))
            except LookupError as exc:
                raise ApiError(404, "photo", str(exc)) from None
        response = Response(data, mimetype=kind)
        response.headers["Cache-Control"] = "private, max-age=86400"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.set_etag(digest)
        response.make_conditional(request)
        return response

    return bp


def acting(action: str, connection: Callable[[], Any], clock: Callable[[], Clock]) -> Any:
    """The view of one lifecycle action."""

    def view(code: str) -> Response:
        body = json_object()
        no_other_fields(body, ACTION_FIELDS)
        actor = text(body.get("actor"), "actor", required=True)
        assert actor is not None  # required
        fields = {
            name: text(body.get(name), name, max_len=MAX_TEXT if name == "note" else 200)
            for name in ("note", "department", "officer")
        }
        with connection() as conn:
            case = refused(lambda: act(conn, code, action, actor=actor, clock=clock(), **fields))
        return answer(public(case))

    view.__name__ = f"act_{action}"
    return view


def refused(work: Callable[[], T]) -> T:
    """Run work; twin.ops's refusals become the API's 4xx."""
    try:
        return work()
    except CaseNotFound as exc:
        raise ApiError(404, "code", str(exc)) from None
    except CaseMerged as exc:
        raise ApiError(409, "code", exc.message) from None
    except CaseError as exc:
        status = 409 if exc.field in ("key", "action") else 422
        if exc.field == "code" and "already exists" in exc.message:
            status = 409
        raise ApiError(status, exc.field, exc.message) from None


def read_new_case(body: dict[str, Any], header_key: str | None) -> NewCase:
    """A create's body as a NewCase (the key from the Idempotency-Key header or the body)."""
    no_other_fields(body, CREATE_FIELDS)
    key = text(header_key, "Idempotency-Key")
    body_key = text(body.get("key"), "key")
    if key is not None and body_key is not None and key != body_key:
        raise bad("Idempotency-Key", "differs from the body's key")
    reported = body.get("reported_at")
    return NewCase(
        category=text(body.get("category"), "category", required=True) or "",
        severity=whole(body.get("severity"), "severity", 1, 4)
        if body.get("severity") is not None
        else _missing("severity"),
        source=text(body.get("source"), "source", required=True) or "",
        lon=number(body.get("lon"), "lon", -180, 180),
        lat=number(body.get("lat"), "lat", -90, 90),
        description=text(body.get("description"), "description", max_len=4000) or "",
        reported_at=None if reported is None else timestamp(reported, "reported_at"),
        code=text(body.get("code"), "code", max_len=64),
        actor=text(body.get("actor"), "actor") or text(body.get("source"), "source") or "api",
        key=key if key is not None else body_key,
    )


def _missing(field: str) -> Any:
    raise bad(field, "is required")


def read_filter(
    statuses: tuple[str, ...], categories: tuple[str, ...], sources: tuple[str, ...]
) -> CaseFilter:
    """The listing's filters from the query string, each checked (a 400 names the bad one)."""
    severities = query_list("severity", ("1", "2", "3", "4"))
    since, until = (query_text(name, 40) for name in ("from", "to"))
    return CaseFilter(
        statuses=query_list("status", statuses),
        categories=query_list("category", categories),
        severities=tuple(int(s) for s in severities),
        sources=query_list("source", sources),
        unit=query_text("unit"),
        bbox=_bbox(query_text("bbox", 100)),
        since=None if since is None else _query_time(since, "from"),
        until=None if until is None else _query_time(until, "to"),
    )


def _query_time(value: str, field: str) -> Any:
    try:
        return timestamp(value, field)
    except ApiError as exc:
        raise bad(exc.field, exc.message, 400) from None


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """w,s,e,n in degrees, west below east and south below north."""
    if value is None:
        return None
    try:
        w, s, e, n = (float(v) for v in value.split(","))
    except ValueError:
        raise bad("bbox", "must be west,south,east,north in degrees", 400) from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise bad("bbox", "must be west,south,east,north with west < east, south < north", 400)
    return w, s, e, n


def public(case: dict[str, Any]) -> dict[str, Any]:
    """A case as the API shows it: without the store's internal id."""
    return {k: v for k, v in case.items() if k != "id"}


def photo_json(code: str, photo: dict[str, Any]) -> dict[str, Any]:
    """A photo's record with the URL of its bytes."""
    return photo | {"url": f"/api/cases/{quote(code, safe='')}/photos/{photo['id']}"}


def _paths() -> dict[str, Any]:
    from twin.api.case_paths import case_paths

    return case_paths()


RESOURCE = Resource(blueprint=blueprint, paths=_paths())
