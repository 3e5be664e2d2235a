"""Hypothesis-made bad payloads for every write route: each is a 4xx that names the field,
and every table of the database is unchanged after it."""

from __future__ import annotations

from typing import Any

import psycopg
from dash import Dash
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.gridworld import point

CASE = {
    "category": "sanitation",
    "severity": 3,
    "source": "hotline",
    "lon": 114.005,
    "lat": 30.005,
    "description": "rubbish",
    "actor": "desk",
}
READING = {"code": "S1", "value": 1.5, "status": "alarm", "at": "2026-01-01T00:00:00Z"}
BEAT = {"code": "K1", "status": "online", "at": "2026-01-01T00:00:00Z"}
ACTION = {"actor": "duty officer", "note": "go", "department": "street office"}
# What is wrong for each kind of field: a value of another JSON type, or out of range.
# (A NUL anywhere in a body is refused by the app before any route, naming no field: its
# own test is test_api_cases; here the text never holds one.)
TEXT = st.characters(exclude_characters="\x00")
NOT_TEXT = st.one_of(
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(TEXT, max_size=3), st.integers(), max_size=2),
)
NOT_NUMBER = st.one_of(
    st.text(TEXT, max_size=5),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.floats(min_value=1e13, max_value=1e300),
    st.just(None),
)
KINDS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "case": {
        "category": st.one_of(
            NOT_TEXT,
            st.text(TEXT, max_size=8).filter(lambda s: s != "sanitation").map(lambda s: "x" + s),
        ),
        "severity": st.one_of(st.integers().filter(lambda n: not 1 <= n <= 4), NOT_NUMBER),
        "source": st.one_of(NOT_TEXT, st.just("pigeon")),
        "lon": st.one_of(NOT_NUMBER, st.floats(min_value=180.001, max_value=1e9)),
        "lat": st.one_of(NOT_NUMBER, st.floats(max_value=-90.001, min_value=-1e9)),
        "description": st.one_of(NOT_TEXT, st.text(TEXT, min_size=4001, max_size=4005)),
        "reported_at": st.one_of(
            NOT_TEXT, st.text(TEXT, max_size=12), st.just("2026-01-01T00:00:00")
        ),
        "actor": NOT_TEXT,
    },
    "reading": {
        "code": st.one_of(NOT_TEXT, st.just("S404")),
        "value": st.one_of(st.text(TEXT, max_size=5), st.booleans(), st.floats(min_value=1e13)),
        "status": st.one_of(NOT_TEXT, st.just("burning")),
        "at": st.one_of(NOT_TEXT, st.just("noon")),
    },
    "beat": {
        "code": st.one_of(NOT_TEXT, st.just("K404")),
        "status": st.one_of(NOT_TEXT, st.just("asleep")),
        "at": st.one_of(NOT_TEXT, st.just("2026-13-01T00:00:00Z")),
    },
    "action": {
        "actor": st.one_of(NOT_TEXT, st.just(""), st.just("   ")),
        "note": st.one_of(NOT_TEXT, st.text(TEXT, min_size=2001, max_size=2003)),
        "department": NOT_TEXT,
    },
}


def mutated(kind: str, valid: dict[str, Any]) -> st.SearchStrategy[tuple[str | None, Any]]:
    """(the field named wrong or None, a body) with exactly one thing wrong."""
    one_field = st.sampled_from(sorted(KINDS[kind])).flatmap(
        lambda f: KINDS[kind][f].map(lambda v, f=f: (f, valid | {f: v}))
    )
    extra = (
        st.text(TEXT, min_size=1, max_size=6)
        .filter(lambda k: k not in valid)
        .map(lambda k: (k, valid | {k: 1}))
    )
    not_object = st.one_of(
        st.lists(st.integers(), max_size=2), st.integers(), st.text(TEXT, max_size=4)
    )
    return st.one_of(one_field, extra, not_object.map(lambda b: ("body", b)))


def fingerprint(conn: psycopg.Connection) -> dict[str, str]:
    """Every table of the schema: a digest of all its rows."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            " AND table_name <> 'spatial_ref_sys' ORDER BY 1"
        )
    ]
    return {
        t: conn.execute(
            f"SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{t}\" x"
        ).fetchone()[0]  # type: ignore[index]
        for t in tables
    }


def _wrap(kind: str, body: Any) -> Any:
    if kind == "reading":
        return {"readings": [READING, body]}
    if kind == "beat":
        return {"heartbeats": [body]}
    return body


ROUTES = {
    "case": "/api/cases",
    "reading": "/api/sensors/readings",
    "beat": "/api/cameras/heartbeats",
    "action": "/api/cases/E0/dispatch",
}
VALID = {"case": CASE, "reading": READING, "beat": BEAT, "action": ACTION}


def test_bad_payloads_are_4xx_and_change_nothing(app: Dash, conn: psycopg.Connection) -> None:
    conn.execute(
        "INSERT INTO sensor (code, kind, geom) VALUES ('S1', 'smoke', %s)", [point(0.5, 0.5)]
    )
    conn.execute(
        "INSERT INTO camera (code, name, geom) VALUES ('K1', 'gate', %s)", [point(0.5, 0.5)]
    )
    client = app.server.test_client()
    before = fingerprint(conn)
    for kind in ROUTES:
        refuses_all(client, conn, before, kind)
    photo = client.post("/api/cases/E0/photos?actor=a", data=b"GIF89a", content_type="image/gif")
    assert photo.status_code == 422 and fingerprint(conn) == before


def refuses_all(client: Any, conn: psycopg.Connection, before: dict[str, str], kind: str) -> None:
    """Send one route many bodies with one thing wrong each."""
    route = ROUTES[kind]

    @given(wrong=mutated(kind, VALID[kind]))
    @settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def refused(wrong: tuple[str | None, Any]) -> None:
        field, body = wrong
        got = client.post(route, json=_wrap(kind, body))
        assert 400 <= got.status_code < 500, (route, body, got.get_data(as_text=True))
        named = got.get_json()["error"]["field"]
        if field == "body" and kind in ("reading", "beat"):
            assert named.endswith("]"), named  # the item that is no object
        elif kind in ("reading", "beat"):
            assert named.endswith(f".{field}"), (named, field)
        else:
            assert named == field, (named, field, body)
        assert fingerprint(conn) == before

    refused()


FORM = {"service_code": "sanitation", "lat": "30.005", "long": "114.005", "description": "x"}
NOT_COORDINATE = st.one_of(
    st.text(TEXT, max_size=6).filter(lambda s: not _is_float(s)),
    st.floats(min_value=180.001, max_value=1e300).map(str),
    st.just("nan"),
    st.just("inf"),
)
FORM_WRONG = {
    "service_code": st.text(TEXT, max_size=8).map(lambda s: "no-" + s),
    "lat": NOT_COORDINATE,
    "long": NOT_COORDINATE,
    "start_date": st.text(TEXT, min_size=1, max_size=12),
}


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_bad_open311_forms_and_photos_change_nothing(app: Dash, conn: psycopg.Connection) -> None:
    client = app.server.test_client()
    before = fingerprint(conn)

    @given(field=st.sampled_from(sorted(FORM_WRONG)), data=st.data())
    @settings(
        max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def refused_form(field: str, data: st.DataObject) -> None:
        form = FORM | {field: data.draw(FORM_WRONG[field])}
        if field == "start_date":
            got = client.get("/open311/v2/requests.json", query_string={field: form[field]})
        else:
            got = client.post("/open311/v2/requests.json", data=form)
        assert got.status_code == 400, (form, got.get_data(as_text=True))
        assert got.get_json()[0]["description"].startswith(field), got.get_json()
        assert fingerprint(conn) == before

    @given(
        body=st.binary(max_size=64).filter(
            lambda b: not b.startswith((b"\xff\xd8\xff", b"\x89PNG", b"RIFF"))
        ),
        kind=st.sampled_from(["image/png", "image/jpeg", "image/webp", "text/plain"]),
    )
    @settings(
        max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def refused_photo(body: bytes, kind: str) -> None:
        got = client.post("/api/cases/E0/photos?actor=a", data=body, content_type=kind)
        assert got.status_code in (400, 422), got.get_data(as_text=True)
        assert fingerprint(conn) == before

    refused_form()
    refused_photo()
