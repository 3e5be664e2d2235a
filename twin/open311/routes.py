"""/open311/v2/: services.json, requests.json (GET and POST) and requests/<id>.json, as
GeoReport v2 has them; jurisdiction_id is accepted (twin serves one jurisdiction)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, request

from twin.activity import Clock
from twin.api.answer import answer
from twin.api.cases import ops_config
from twin.api.errors import ApiError
from twin.api.payload import text, timestamp
from twin.api.registry import Resource
from twin.catalog.terms import CASES
from twin.open311.errors import Open311Error, open311_error
from twin.open311.mapping import (
    OPEN311_ACTOR,
    OPEN311_SEVERITY,
    OPEN311_SOURCE,
    build_request,
    build_services,
)
from twin.open311.paths import open311_paths
from twin.ops.cases import CaseError, CaseNotFound, NewCase, create_case, get_case
from twin.ops.listing import CaseFilter, FilterError, list_cases

if TYPE_CHECKING:
    from twin.app.context import AppContext

MAX_SPAN = timedelta(days=90)  # the standard's widest start_date..end_date
MAX_REQUESTS = 1000  # the most requests one GET answers (the newest)
MAX_IDS = 100  # service_request_id values one GET may name


def blueprint(ctx: AppContext) -> Blueprint:
    """The Open311 routes over the app's pool."""
    bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
    cases = ctx.layers[CASES]
    config = ops_config(ctx)
    open_statuses = cases.field("status").open_values
    closed_statuses = tuple(s for s in cases.field("status").allowed if s not in open_statuses)

    @bp.errorhandler(Open311Error)
    def refused(exc: Open311Error) -> Response:
        return open311_error(exc.status, exc.description)

    @bp.errorhandler(ApiError)
    def refused_field(exc: ApiError) -> Response:
        return open311_error(400, f"{exc.field}: {exc.message}")

    @bp.before_request
    def jurisdiction() -> None:
        param("jurisdiction_id")  # accepted and checked as text; one jurisdiction is served

    @bp.get("/services.json")
    def services() -> Response:
        return answer(build_services(cases))

    @bp.get("/requests.json")
    def requests_list() -> Response:
        ids = _comma("service_request_id")
        if len(ids) > MAX_IDS:
            raise Open311Error(400, f"service_request_id: at most {MAX_IDS} ids")
        if ids:  # the standard: ids override every other parameter
            filters = CaseFilter(codes=ids)
        else:
            filters = _filters(cases.field("category").allowed, open_statuses, closed_statuses)
        with ctx.pool.connection() as conn:
            try:
                rows, _ = list_cases(conn, filters, None, MAX_REQUESTS)
            except FilterError as exc:
                raise Open311Error(400, f"{exc.field}: {exc.message}") from None
        return answer([build_request(r, cases) for r in rows])

    @bp.get("/requests/<request_id>.json")
    def request_one(request_id: str) -> Response:
        with ctx.pool.connection() as conn:
            try:
                case = get_case(conn, request_id)
            except CaseNotFound:
                raise Open311Error(404, f"no service request {request_id!r}") from None
            except CaseError as exc:  # merged into another: that one is the request now
                raise Open311Error(404, exc.message) from None
        return answer([build_request(case, cases)])

    @bp.post("/requests.json")
    def request_create() -> Response:
        new = _new_case(cases.field("category").allowed)
        clock = Clock.current(ctx.settings.timezone)
        with ctx.pool.connection() as conn:
            try:
                done = create_case(conn, new, clock, config)
            except CaseError as exc:
                raise Open311Error(400, f"{exc.field}: {exc.message}") from None
        notice = f"filed as case {done.case['code']}"
        if done.duplicate_of:
            notice += f"; it may repeat case {done.duplicate_of}"
        body = [
            {"service_request_id": done.case["code"], "service_notice": notice, "account_id": None}
        ]
        return answer(body, 201)

    return bp


def param(name: str) -> str | None:
    """A query or form parameter's text (None when absent), or a 400 naming it."""
    raw = request.values.get(name)
    try:
        return text(raw, name, max_len=4000 if name == "description" else 200)
    except ApiError as exc:
        raise Open311Error(400, f"{name}: {exc.message}") from None


def _comma(name: str) -> tuple[str, ...]:
    raw = param(name)
    return tuple(dict.fromkeys(v.strip() for v in raw.split(",") if v.strip())) if raw else ()


def _time(name: str) -> datetime | None:
    raw = param(name)
    if raw is None:
        return None
    try:
        return timestamp(raw, name)
    except ApiError as exc:
        raise Open311Error(400, f"{name}: {exc.message}") from None


def _filters(
    categories: tuple[str, ...], open_statuses: tuple[str, ...], closed: tuple[str, ...]
) -> CaseFilter:
    """GET requests.json's filters: service_code, status (open/closed), the date range."""
    codes = _comma("service_code")
    for code in codes:
        if code not in categories:
            raise Open311Error(400, f"service_code: {code[:200]!r} is not a service")
    statuses: tuple[str, ...] = ()
    for status in _comma("status"):
        if status not in ("open", "closed"):
            raise Open311Error(400, "status: must be open, closed or both")
        statuses += open_statuses if status == "open" else closed
    start, end = _time("start_date"), _time("end_date")
    if start is not None and end is not None:
        if end < start:
            raise Open311Error(400, "end_date: is before start_date")
        if end - start > MAX_SPAN:
            raise Open311Error(400, "end_date: the range may not span more than 90 days")
    if start is None and end is None:
        start = Clock.current().now - MAX_SPAN  # the standard's default: the last 90 days
    elif start is None:
        assert end is not None
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    return CaseFilter(categories=codes, statuses=statuses, since=start, until=end)


def _new_case(categories: tuple[str, ...]) -> NewCase:
    """POST requests.json's form fields as a new case. Names, e-mail and phone are accepted
    and not kept: twin stores no more personal data than it needs."""
    code = param("service_code")
    if code is None:
        raise Open311Error(400, "service_code: is required")
    if code not in categories:
        raise Open311Error(400, f"service_code: {code!r} is not a service")
    lat, lon = param("lat"), param("long")
    if lat is None or lon is None:
        raise Open311Error(400, "lat and long are required: twin does not geocode addresses")
    description = param("description") or ""
    media = param("media_url")
    if media:
        description = f"{description}\n{media}".strip()
    return NewCase(
        category=code,
        severity=OPEN311_SEVERITY,
        source=OPEN311_SOURCE,
        lon=_coordinate(lon, "long", 180),
        lat=_coordinate(lat, "lat", 90),
        description=description[:4000],
        actor=OPEN311_ACTOR,
    )


def _coordinate(raw: str, name: str, bound: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name}: {raw[:50]!r} is not a number") from None
    if not -bound <= value <= bound:  # also refuses nan and inf
        raise Open311Error(400, f"{name}: must be from -{bound:g} to {bound:g}")
    return value


def _paths() -> dict[str, Any]:
    return open311_paths()


RESOURCE = Resource(blueprint=blueprint, paths=_paths())
