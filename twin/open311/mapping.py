"""twin's cases as Open311 service requests, and its categories as Open311 services: pure
functions over the catalog and a case's fields."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from twin.catalog import Layer

STAGE_TIMES = (
    "reported_at",
    "dispatched_at",
    "started_at",
    "escalated_at",
    "resolved_at",
    "closed_at",
)
# An Open311 report says nothing of severity: it is filed at the least serious, for the duty
# officer to raise; its source is a citizen's report (随手拍), the channel such apps are.
OPEN311_SEVERITY = 4
OPEN311_SOURCE = "citizen_photo"
OPEN311_ACTOR = "open311"


def build_services(cases: Layer) -> list[dict[str, Any]]:
    """One Open311 service per case category of the catalog."""
    return [
        {
            "service_code": v.value,
            "service_name": v.label.en,
            "description": f"{v.label.zh} · {v.label.en}",
            "metadata": False,
            "type": "realtime",
            "keywords": v.value.replace("_", " "),
            "group": cases.title.en,
        }
        for v in cases.field("category").values
    ]


def open_or_closed(status: str, open_statuses: tuple[str, ...]) -> str:
    """Open311's two statuses: open while twin still handles the case, else closed."""
    return "open" if status in open_statuses else "closed"


def status_notes(case: dict[str, Any], cases: Layer) -> str:
    """twin's detail of the status in words: the stage, who handles it, the deadline."""
    label = {v.value: v.label.en for v in cases.field("status").values}
    notes = [f"twin status: {case['status']} ({label.get(case['status'], case['status'])})"]
    if case.get("department"):
        notes.append(f"department: {case['department']}")
    if case.get("officer"):
        notes.append(f"officer: {case['officer']}")
    if case.get("due_at") and case["status"] in cases.field("status").open_values:
        notes.append(f"due: {_iso(case['due_at'])}")
    return "; ".join(notes)


def build_request(case: dict[str, Any], cases: Layer) -> dict[str, Any]:
    """One case as an Open311 service request."""
    names = {v.value: v.label.en for v in cases.field("category").values}
    stamps = [case[k] for k in STAGE_TIMES if case.get(k) is not None]
    return {
        "service_request_id": case["code"],
        "status": open_or_closed(case["status"], cases.field("status").open_values),
        "status_notes": status_notes(case, cases),
        "service_name": names.get(case["category"], case["category"]),
        "service_code": case["category"],
        "description": case.get("description") or "",
        "agency_responsible": case.get("department") or "",
        "service_notice": "",
        "requested_datetime": _iso(case["reported_at"]),
        "updated_datetime": _iso(max(stamps)),
        "expected_datetime": _iso(case["due_at"]),
        "address": "",
        "address_id": "",
        "zipcode": "",
        "lat": case["lat"],
        "long": case["lon"],
        "media_url": "",
    }


def _iso(at: datetime) -> str:
    return at.isoformat()
