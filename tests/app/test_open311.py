"""Open311 GeoReport v2 read by the real `georeport` client, and a POST in the standard's form
fields that lands in the dashboard's counts."""

from __future__ import annotations

import georeport
import psycopg
import requests
from dash import Dash

from tests.app.live import served
from tests.gridworld import lonlat
from twin.store import fetch_grid, fetch_one_status


def test_georeport_client_reads_services_and_requests(app: Dash, conn: psycopg.Connection) -> None:
    conn.execute(
        "UPDATE incident SET status = 'dispatched', department = 'sanitation' WHERE code = 'E1'"
    )
    with served(app) as url:
        client = georeport.GeoReport(f"{url}/open311/v2", jurisdiction="twin.example")
        services = client.get_service_list()
        assert [s["service_code"] for s in services][:2] == ["public_security", "fire_hazard"]
        assert {s["metadata"] for s in services} == {False}
        everything = client.get_service_requests()
        assert sorted(r["service_request_id"] for r in everything) == ["E0", "E1", "E2"]
        one = client.get_service_request("E1")
        assert one["status"] == "open" and one["service_code"] == "sanitation"
        assert "dispatched" in one["status_notes"] and "sanitation" in one["status_notes"]
        assert one["agency_responsible"] == "sanitation"
        two = client.get_service_requests(service_request_id="E0,E2")
        assert sorted(r["service_request_id"] for r in two) == ["E0", "E2"]
        assert client.get_service_requests(status="closed") == []
        missing = requests.get(f"{url}/open311/v2/requests/NOPE.json", timeout=10)
        assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_a_posted_request_appears_in_the_counts(app: Dash, conn: psycopg.Connection) -> None:
    g2 = fetch_grid(conn, "G2")["id"]
    before = fetch_one_status(conn, g2)["open"]
    lon, lat = lonlat(1.5, 0.4)
    with served(app) as url:
        form = {
            "jurisdiction_id": "twin.example",
            "service_code": "city_management",
            "lat": str(lat),
            "long": str(lon),
            "description": "broken street light",
            "first_name": "Li",
            "phone": "13800000000",
            "media_url": "http://photos/1.jpg",
        }
        got = requests.post(f"{url}/open311/v2/requests.json", data=form, timeout=10)
        assert got.status_code == 201, got.text
        code = got.json()[0]["service_request_id"]
        back = georeport.GeoReport(f"{url}/open311/v2").get_service_request(code)
        assert back["service_code"] == "city_management" and back["status"] == "open"
        assert back["lat"] == lat and back["long"] == lon
        bad = requests.post(
            f"{url}/open311/v2/requests.json", data=form | {"service_code": "unicorns"}, timeout=10
        )
        assert bad.status_code == 400 and "service_code" in bad.json()[0]["description"]
        nowhere = requests.post(
            f"{url}/open311/v2/requests.json",
            data={"service_code": "other", "address_string": "1 Main St"},
            timeout=10,
        )
        assert nowhere.status_code == 400 and "lat" in nowhere.json()[0]["description"]
    assert fetch_one_status(conn, g2)["open"] == before + 1
    row = conn.execute(
        "SELECT source, severity, description FROM incident WHERE code = %s", [code]
    ).fetchone()
    assert row == ("citizen_photo", 4, "broken street light\nhttp://photos/1.jpg")
    stored = conn.execute("SELECT count(*) FROM incident WHERE description LIKE '%13800000000%'")
    assert stored.fetchone() == (0,)  # the phone number is not kept
