"""The case core: create a case (idempotently), act on it along the lifecycle, read it whole.

Every write goes through the store's triggers: the grid is assigned and the counters kept by
the database, the lifecycle (005) refuses a move it does not allow.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row

from twin.activity import Clock
from twin.db.queries import query
from twin.ops.config import OpsConfig
from twin.ops.deadlines import build_due_times
from twin.ops.dispatch import choose
from twin.ops.duplicates import find_duplicate
from twin.ops.errors import CaseError, CaseMerged, CaseNotFound
from twin.ops.lifecycle import ACTIONS, act
from twin.ops.merging import merge, unmerge
from twin.ops.record import add_event, get_case

__all__ = [
    "ACTIONS",
    "CaseError",
    "CaseMerged",
    "CaseNotFound",
    "Created",
    "NewCase",
    "act",
    "create_case",
    "get_case",
    "merge",
    "unmerge",
]

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_TEXT = {"description": 4000, "actor": 200, "key": 200}
NEXT_ID = "SELECT nextval(pg_get_serial_sequence('incident', 'id')) AS id"
FUTURE_SLACK = timedelta(minutes=5)  # a device's clock may run a little ahead


@dataclass(frozen=True)
class NewCase:
    """A report to file as a case."""

    category: str
    severity: int
    source: str
    lon: float
    lat: float
    description: str = ""
    reported_at: datetime | None = None
    code: str | None = None
    actor: str = ""
    key: str | None = None  # idempotency key: a retry with the same key makes no second case


@dataclass(frozen=True)
class Created:
    """What create_case did: the case, whether it was written now (False: the same key
    replayed), the dispatch rule that fired and the open case it likely duplicates."""

    case: dict[str, Any]
    created: bool
    rule: str | None
    duplicate_of: str | None


def _text(value: Any, field: str, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise CaseError(field, f"must be text, not {type(value).__name__}")
    if required and not value.strip():
        raise CaseError(field, "must not be empty")
    limit = MAX_TEXT.get(field, 200)
    if len(value) > limit:
        raise CaseError(field, f"is {len(value)} characters long; at most {limit}")
    if "\x00" in value:
        raise CaseError(field, "must not contain NUL characters")
    return value


def check_new_case(new: NewCase, clock: Clock, config: OpsConfig) -> datetime:
    """Refuse a report twin cannot file, naming the field; return its report time."""
    vocab = config.vocabulary
    if new.category not in vocab.categories:
        raise CaseError("category", f"{new.category!r} is not one of {', '.join(vocab.categories)}")
    if isinstance(new.severity, bool) or new.severity not in vocab.severities:
        raise CaseError("severity", f"{new.severity!r} is not one of 1 (most serious) to 4")
    if new.source not in vocab.sources:
        raise CaseError("source", f"{new.source!r} is not one of {', '.join(vocab.sources)}")
    for name, bound in (("lon", 180.0), ("lat", 90.0)):
        value = getattr(new, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise CaseError(name, f"must be a number, not {value!r}")
        if not math.isfinite(value) or abs(value) > bound:
            raise CaseError(name, f"{value!r} is outside -{bound:g}..{bound:g} (WGS 84 degrees)")
    _text(new.description, "description")
    _text(new.actor, "actor", required=True)
    if new.key is not None:
        _text(new.key, "key", required=True)
    if new.code is not None and not (isinstance(new.code, str) and CODE.match(new.code)):
        raise CaseError("code", "must be 1-64 letters, digits, '_', '.' or '-', starting alnum")
    at = new.reported_at if new.reported_at is not None else clock.now
    if not isinstance(at, datetime) or at.tzinfo is None:
        raise CaseError("reported_at", "must be a time with its zone (ISO 8601 with an offset)")
    if at > clock.now + FUTURE_SLACK:
        raise CaseError("reported_at", f"{at.isoformat()} is in the future")
    return at


def request_hash(new: NewCase) -> str:
    """A digest of everything a create asks for but its key (a replay must ask the same)."""
    body = asdict(new)
    body.pop("key")
    text = json.dumps(body, sort_keys=True, default=lambda v: v.isoformat(), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def create_case(conn: psycopg.Connection, new: NewCase, clock: Clock, config: OpsConfig) -> Created:
    """File a report as a case: stage deadlines set, dispatched by the first matching rule,
    flagged when it likely repeats an open case; one transaction. The same key again with
    the same body returns the first case (created False); with another body, CaseError."""
    at = check_new_case(new, clock, config)
    digest = request_hash(new)
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(NEXT_ID).fetchone()
        assert row is not None
        case_id = row["id"]
        if new.key is not None:
            params = {"key": new.key, "id": case_id, "hash": digest, "at": clock.now}
            if cur.execute(query("case_key_claim"), params).fetchone() is None:
                return _replayed(conn, new.key, digest)
        code = new.code or _next_code(cur, clock)
        if new.code is not None and _code_taken(cur, new.code):
            raise CaseError("code", f"case {new.code} already exists")
        # The unit's officer and the duplicate search in one round trip (the duplicate's
        # fetch sends both).
        with conn.pipeline():
            officer = cur.execute(query("case_unit_officer"), {"lon": new.lon, "lat": new.lat})
            duplicate = find_duplicate(conn, new.category, new.lon, new.lat, at, config)
            found = officer.fetchone()
        unit_officer = found["officer"] if found else None
        decision = choose(config.rules, new.category, new.severity, new.source, unit_officer)
        values = {
            "id": case_id,
            "code": code,
            "category": new.category,
            "severity": new.severity,
            "source": new.source,
            "status": "dispatched" if decision else "reported",
            "reported_at": at,
            "dispatched_at": max(clock.now, at) if decision else None,
            **build_due_times(at, config.hours(new.category, new.severity)),
            "department": decision.department if decision else None,
            "officer": decision.officer if decision else None,
            "dispatch_rule": decision.rule if decision else None,
            "duplicate_of": duplicate,
            "description": new.description or None,
            "lon": float(new.lon),
            "lat": float(new.lat),
        }
        data: dict[str, Any] = {"source": new.source}
        if duplicate:
            data["duplicate_of"] = duplicate
        events = [(at, new.actor, "report", new.description or None, data)]
        if decision:
            chosen = {
                "rule": decision.rule,
                "department": decision.department,
                "officer": decision.officer,
            }
            events.append((values["dispatched_at"], "twin", "dispatch", None, chosen))
        # The insert locks its units' counters until commit: it, the timeline and the case
        # read back go in one round trip. No savepoint: a refusal rolls the whole create back.
        try:
            with conn.pipeline():
                cur.execute(query("case_insert"), values)
                for event in events:
                    add_event(cur, case_id, *event)
                case = get_case(conn, code, case_id)
        except psycopg.errors.UniqueViolation as exc:
            if exc.diag.table_name != "incident":
                raise  # a timeline row is no taken code
            raise CaseError("code", f"case {code} already exists") from None
    return Created(case, True, decision.rule if decision else None, duplicate)


def _replayed(conn: psycopg.Connection, key: str, digest: str) -> Created:
    """The case an earlier create with this key made (nothing written now)."""
    with conn.cursor(row_factory=dict_row) as cur:
        held = cur.execute(query("case_key_holder"), {"key": key}).fetchone()
    assert held is not None  # the claim found it taken
    if held["request_hash"] != digest:
        raise CaseError("key", f"idempotency key {key!r} was used for a different request")
    if held["code"] is None:  # deleted since (not merged: a merge keeps the way to it)
        raise CaseError("key", f"the case idempotency key {key!r} made no longer exists")
    case = get_case(conn, held["code"])
    return Created(case, False, case["dispatch_rule"], case["duplicate_of"])


def _code_taken(cur: psycopg.Cursor[Any], code: str) -> bool:
    row = cur.execute(query("case_code_taken"), {"code": code}).fetchone()
    return bool(row and row["taken"])


def _next_code(cur: psycopg.Cursor[Any], clock: Clock) -> str:
    """A fresh code: C, the local date, a running number (skipping any code in use)."""
    while True:
        row = cur.execute("SELECT nextval('incident_code_seq') AS n").fetchone()
        assert row is not None
        code = f"C{clock.local:%Y%m%d}{row['n']:06d}"
        if not _code_taken(cur, code):
            return code
