"""The cases API over HTTP: create with a key, read, list by filter and cursor, act along
the lifecycle, photos; every refusal a 4xx naming the field."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from dash import Dash

NEW = {
    "category": "sanitation",
    "severity": 3,
    "source": "hotline",
    "lon": 114.005,
    "lat": 30.005,
    "description": "rubbish by the gate",
    "actor": "hotline desk",
}


def png(width: int = 1, height: int = 1) -> bytes:
    """A real, tiny PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x00\x00\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def count(conn: psycopg.Connection, table: str = "incident") -> int:
    row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(row[0])


def test_create_with_a_key_twice_makes_one_case(app: Dash, conn: psycopg.Connection) -> None:
    client = app.server.test_client()
    before = count(conn)
    first = client.post("/api/cases", json=NEW, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/cases", json=NEW, headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 200
    assert again.get_json()["created"] is False
    assert again.get_json()["case"]["code"] == first.get_json()["case"]["code"]
    assert count(conn) == before + 1
    other = client.post(
        "/api/cases", json=NEW | {"severity": 2}, headers={"Idempotency-Key": "k-1"}
    )
    assert other.status_code == 409 and other.get_json()["error"]["field"] == "key"
    code = first.get_json()["case"]["code"]
    assert first.headers["Location"] == f"/api/cases/{code}"
    got = client.get(f"/api/cases/{code}").get_json()
    assert got["grid_code"] == "G1" and got["source"] == "hotline"
    assert got["timeline"][0]["action"] == "report"
    assert "id" not in got


def test_bad_create_names_the_field_and_writes_nothing(app: Dash, conn: psycopg.Connection) -> None:
    client = app.server.test_client()
    before = count(conn)
    for body, field in (
        (NEW | {"category": "aliens"}, "category"),
        (NEW | {"severity": 9}, "severity"),
        (NEW | {"lon": "east"}, "lon"),
        (NEW | {"reported_at": "yesterday"}, "reported_at"),
        (NEW | {"colour": "red"}, "colour"),
        ({k: v for k, v in NEW.items() if k != "lat"}, "lat"),
        (NEW | {"description": "\ud800"}, "description"),
    ):
        got = client.post("/api/cases", json=body)
        assert got.status_code == 422, (body, got.get_json())
        assert got.get_json()["error"]["field"] == field
    assert client.post("/api/cases", data="[1]", content_type="application/json").status_code == 400
    assert client.post("/api/cases", data="x=1").status_code == 415
    deep = client.post(
        "/api/cases", data="[" * 100_000 + "]" * 100_000, content_type="application/json"
    )
    assert deep.status_code == 400 and deep.get_json()["error"]["field"] == "body"
    assert count(conn) == before


def test_actions_move_a_case_with_actor_and_note(app: Dash, conn: psycopg.Connection) -> None:
    client = app.server.test_client()
    code = client.post("/api/cases", json=NEW | {"category": "other"}).get_json()["case"]["code"]
    steps: list[tuple[str, dict[str, Any], str]] = [
        ("dispatch", {"department": "street office"}, "dispatched"),
        ("start", {}, "in_progress"),
        ("resolve", {"note": "cleared"}, "resolved"),
        ("reopen", {"note": "still there"}, "in_progress"),
        ("resolve", {}, "resolved"),
        ("close", {}, "closed"),
    ]
    for action, extra, status in steps:
        got = client.post(f"/api/cases/{code}/{action}", json={"actor": "duty officer"} | extra)
        assert got.status_code == 200, got.get_json()
        assert got.get_json()["status"] == status
    timeline = client.get(f"/api/cases/{code}").get_json()["timeline"]
    assert [e["action"] for e in timeline][-6:] == [s[0] for s in steps]
    assert timeline[-4]["note"] == "cleared" and timeline[-1]["actor"] == "duty officer"
    late = client.post(f"/api/cases/{code}/start", json={"actor": "duty officer"})
    assert late.status_code == 409 and late.get_json()["error"]["field"] == "action"
    nobody = client.post(f"/api/cases/{code}/reopen", json={})
    assert nobody.status_code == 422 and nobody.get_json()["error"]["field"] == "actor"
    assert client.post("/api/cases/NOPE/start", json={"actor": "a"}).status_code == 404


def _codes(client: Any, query: str) -> list[str]:
    got = client.get(f"/api/cases?{query}")
    assert got.status_code == 200, got.get_json()
    return [c["code"] for c in got.get_json()["cases"]]


def test_list_filters_and_cursor(app: Dash, conn: psycopg.Connection) -> None:
    client = app.server.test_client()
    # The fixture's E0 (G1, overdue, reported 4 days ago), E1 (G1), E2 (G2, severity 1).
    assert sorted(_codes(client, "")) == ["E0", "E1", "E2"]
    assert _codes(client, "unit=G1") == ["E1", "E0"]  # newest first
    assert _codes(client, "unit=G2") == ["E2"]
    assert sorted(_codes(client, "unit=D")) == ["E0", "E1", "E2"]
    assert _codes(client, "severity=1") == ["E2"]
    assert sorted(_codes(client, "severity=1,3")) == ["E0", "E1", "E2"]
    assert _codes(client, "status=closed") == []
    assert _codes(client, "bbox=114.012,30.0,114.02,30.01") == ["E2"]
    conn.execute("UPDATE incident SET source = 'hotline' WHERE code = 'E1'")
    assert _codes(client, "source=hotline") == ["E1"]
    old = conn.execute("SELECT reported_at FROM incident WHERE code = 'E0'").fetchone()
    assert old is not None
    since = old[0].isoformat().replace("+", "%2B")
    assert "E0" in _codes(client, f"from={since}") and "E0" not in _codes(client, f"to={since}")
    seen, cursor = [], ""
    for _ in range(5):
        page = client.get(f"/api/cases?limit=1{cursor}").get_json()
        seen += [c["code"] for c in page["cases"]]
        if page["next"] is None:
            break
        cursor = f"&cursor={page['next']}"
    assert sorted(seen) == ["E0", "E1", "E2"] and len(seen) == 3
    for query, field in (
        ("unit=NOWHERE", "unit"),
        ("status=lost", "status"),
        ("bbox=1,2", "bbox"),
        ("cursor=xyz", "cursor"),
        ("limit=0", "limit"),
        ("limit=%C2%B2", "limit"),
        ("from=today", "from"),
    ):
        got = client.get(f"/api/cases?{query}")
        assert got.status_code == 400 and got.get_json()["error"]["field"] == field, query


def test_photos_are_checked_stored_and_served(app: Dash, conn: psycopg.Connection) -> None:
    client = app.server.test_client()
    image = png()
    sent = client.post(
        "/api/cases/E0/photos?actor=officer%20G1&note=before", data=image, content_type="image/png"
    )
    assert sent.status_code == 201, sent.get_json()
    photo = sent.get_json()
    assert photo["size"] == len(image) and photo["content_type"] == "image/png"
    again = client.post(
        "/api/cases/E0/photos?actor=officer%20G1", data=image, content_type="image/png"
    )
    assert again.status_code == 200 and again.get_json()["id"] == photo["id"]
    listed = client.get("/api/cases/E0/photos").get_json()["photos"]
    assert [p["id"] for p in listed] == [photo["id"]]
    got = client.get(photo["url"])
    assert got.status_code == 200 and got.data == image and got.mimetype == "image/png"
    lying = client.post("/api/cases/E0/photos?actor=a", data=image, content_type="image/jpeg")
    assert lying.status_code == 422 and lying.get_json()["error"]["field"] == "Content-Type"
    text = client.post("/api/cases/E0/photos?actor=a", data=b"hello", content_type="image/png")
    assert text.status_code == 422 and text.get_json()["error"]["field"] == "photo"
    big = client.post(
        "/api/cases/E0/photos?actor=a",
        data=image + b"\0" * (5 * 1024 * 1024),
        content_type="image/png",
    )
    assert big.status_code == 413
    assert (
        client.post("/api/cases/E0/photos", data=image, content_type="image/png").status_code == 400
    )
    assert client.get("/api/cases/E9/photos").status_code == 404
    assert client.get(f"/api/cases/E1{photo['url'][12:]}").status_code == 404  # not E1's photo
    assert count(conn, "incident_photo") == 1


def test_device_batches_change_the_counters(app: Dash, conn: psycopg.Connection) -> None:
    from tests.gridworld import point

    conn.execute(
        "INSERT INTO sensor (code, kind, geom) VALUES ('S1', 'smoke', %s)", [point(0.5, 0.5)]
    )
    conn.execute(
        "INSERT INTO camera (code, name, status, geom) VALUES ('K1', 'gate', 'offline', %s)",
        [point(0.5, 0.5)],
    )
    client = app.server.test_client()

    def stat(column: str) -> int:
        row = conn.execute(
            f"SELECT {column} FROM grid_stat s JOIN grid g ON g.id = s.grid_id WHERE g.code = 'G1'"
        ).fetchone()
        assert row is not None
        return int(row[0])

    assert stat("sensor_status_alarm") == 0 and stat("camera_status_offline") == 1
    got = client.post(
        "/api/sensors/readings",
        json={
            "readings": [
                {"code": "S1", "value": 80.5, "status": "alarm", "at": "2026-01-01T08:00:00+08:00"},
                {"code": "S1", "value": 10.0, "at": "2025-12-31T08:00:00+08:00"},  # older: ignored
            ]
        },
    )
    assert got.status_code == 200 and got.get_json() == {"received": 2, "applied": 1}
    assert stat("sensor_status_alarm") == 1
    row = conn.execute("SELECT last_value FROM sensor WHERE code = 'S1'").fetchone()
    assert row is not None and row[0] == 80.5
    beat = client.post("/api/cameras/heartbeats", json={"heartbeats": [{"code": "K1"}]})
    assert beat.status_code == 200 and stat("camera_status_offline") == 0
    unknown = client.post(
        "/api/sensors/readings",
        json={"readings": [{"code": "S1", "status": "normal"}, {"code": "S404", "value": 1}]},
    )
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["field"] == "readings[1].code"
    assert stat("sensor_status_alarm") == 1  # the whole batch refused
    bad = client.post(
        "/api/cameras/heartbeats", json={"heartbeats": [{"code": "K1", "status": "on"}]}
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "heartbeats[0].status"


def test_openapi_document_and_reference_page(app: Dash) -> None:
    client = app.server.test_client()
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    for path in (
        "/api/cases",
        "/api/cases/{code}/dispatch",
        "/api/sensors/readings",
        "/open311/v2/requests.json",
    ):
        assert path in doc["paths"]
    page = client.get("/api/docs").get_data(as_text=True)
    assert "POST /api/cases" in page and "<script" not in page
    assert [s for s in page.split('"') if s.startswith(("http://", "https://", "//"))] == []
    missing = client.get("/api/nothing")
    assert missing.status_code == 404 and missing.get_json()["error"]["field"] is None


def test_merge_and_unmerge_keep_the_report_and_its_photos(
    app: Dash, conn: psycopg.Connection
) -> None:
    client = app.server.test_client()
    image = png()
    assert (
        client.post(
            "/api/cases/E1/photos?actor=a", data=image, content_type="image/png"
        ).status_code
        == 201
    )
    merged = client.post("/api/cases/E1/merge", json={"into": "E0", "actor": "duty officer"})
    assert merged.status_code == 200, merged.get_json()
    assert [d["code"] for d in merged.get_json()["duplicates"] if d["merged"]] == ["E1"]
    assert sorted(_codes(client, "")) == ["E0", "E2"]  # counted once, as the surviving case
    gone = client.get("/api/cases/E1")
    assert gone.status_code == 409 and "E0" in gone.get_json()["error"]["message"]
    self_merge = client.post("/api/cases/E0/merge", json={"into": "E0", "actor": "a"})
    assert self_merge.status_code == 422 and self_merge.get_json()["error"]["field"] == "into"
    back = client.post("/api/cases/E1/unmerge", json={"actor": "duty officer"})
    assert back.status_code == 200 and back.get_json()["code"] == "E1"
    assert [p["size"] for p in client.get("/api/cases/E1/photos").get_json()["photos"]] == [
        len(image)
    ]


def test_a_nul_anywhere_is_a_json_400(app: Dash, conn: psycopg.Connection) -> None:
    client = app.server.test_client()
    before = count(conn)
    got = client.post("/api/cases", json=NEW | {"description": "a\x00b"})
    assert got.status_code == 400 and "NUL" in got.get_json()["error"]["message"]
    form = client.post("/open311/v2/requests.json?x=%00", data={"service_code": "other"})
    assert form.status_code == 400 and form.get_json()[0]["code"] == 400
    assert count(conn) == before


def test_a_device_time_ahead_of_the_clock_is_refused(app: Dash, conn: psycopg.Connection) -> None:
    from tests.gridworld import point

    conn.execute(
        "INSERT INTO sensor (code, kind, geom) VALUES ('S1', 'smoke', %s)", [point(0.5, 0.5)]
    )
    ahead = (datetime.now(UTC) + timedelta(hours=1)).isoformat()  # ahead of any clock's now
    got = app.server.test_client().post(
        "/api/sensors/readings", json={"readings": [{"code": "S1", "value": 1.0, "at": ahead}]}
    )
    assert got.status_code == 422
    assert got.get_json()["error"]["field"] == "readings[0].at"
    row = conn.execute("SELECT last_reading_at FROM sensor WHERE code = 'S1'").fetchone()
    assert row == (None,)
