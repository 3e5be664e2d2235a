"""Photos of a case: checked for size and type by their bytes (not by what the sender
claims), stored in the database with the case, and put on its timeline."""

from __future__ import annotations

import hashlib
from typing import Any

import psycopg
from psycopg.rows import dict_row

from twin.activity import Clock
from twin.db.queries import query
from twin.ops.errors import CaseError, missing
from twin.ops.record import add_event

MAX_PHOTO_BYTES = 5 * 1024 * 1024  # as the table's constraint (016)
MAX_PHOTOS = 20  # photos one case holds
MAX_NOTE = 2000
# The first bytes of each type taken: a JPEG, a PNG, a WebP (RIFF....WEBP).
TYPES = {"image/jpeg": (b"\xff\xd8\xff",), "image/png": (b"\x89PNG\r\n\x1a\n",)}
TYPE_NAMES = ("image/jpeg", "image/png", "image/webp")


def sniff(data: bytes) -> str | None:
    """The image type of the bytes, when it is one twin takes."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for kind, heads in TYPES.items():
        if data.startswith(heads):
            return kind
    return None


def check_photo(data: bytes, declared: str | None) -> str:
    """The photo's type, or a CaseError: empty, too large, not an image twin takes, or not
    what the sender says it is."""
    if not data:
        raise CaseError("photo", "the photo is empty")
    if len(data) > MAX_PHOTO_BYTES:
        raise CaseError("photo", f"the photo is larger than {MAX_PHOTO_BYTES} bytes")
    kind = sniff(data)
    if kind is None:
        raise CaseError("photo", f"not an image of a type twin takes ({', '.join(TYPE_NAMES)})")
    if declared is not None and declared != kind:
        raise CaseError("Content-Type", f"the bytes are {kind}, not {declared}")
    return kind


def add_photo(
    conn: psycopg.Connection,
    code: str,
    data: bytes,
    *,
    actor: str,
    clock: Clock,
    declared: str | None = None,
    note: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """Attach a photo to a case (the same bytes again: the photo already there); the
    photo's record and whether it was added now."""
    kind = check_photo(data, declared)
    digest = hashlib.sha256(data).hexdigest()
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        case = cur.execute(query("case_lock"), {"code": code}).fetchone()
        if case is None:
            raise missing(cur, code)
        photos = cur.execute(query("photo_list"), {"incident_id": case["id"]}).fetchall()
        same = [p for p in photos if p["sha256"] == digest]
        if same:
            return same[0], False
        if len(photos) >= MAX_PHOTOS:
            raise CaseError("photo", f"case {code} holds {MAX_PHOTOS} photos already")
        params = {
            "incident_id": case["id"],
            "content_type": kind,
            "bytes": data,
            "sha256": digest,
            "actor": actor,
            "note": note,
            "added_at": clock.now,
        }
        photo = cur.execute(query("photo_insert"), params).fetchone()
        assert photo is not None  # the case is locked: no other upload raced this one
        event = {"photo": photo["id"], "content_type": kind, "size": photo["size"]}
        add_event(cur, case["id"], clock.now, actor, "photo", note, event)
    return photo, True


def list_photos(conn: psycopg.Connection, code: str) -> list[dict[str, Any]]:
    """A case's photos (without their bytes), oldest first."""
    with conn.cursor(row_factory=dict_row) as cur:
        case = cur.execute(query("case_id"), {"code": code}).fetchone()
        if case is None:
            raise missing(cur, code)
        return cur.execute(query("photo_list"), {"incident_id": case["id"]}).fetchall()


def fetch_photo(conn: psycopg.Connection, code: str, photo_id: int) -> tuple[str, bytes, str]:
    """(content type, bytes, sha256) of one photo of a case, or CaseNotFound/LookupError."""
    with conn.cursor(row_factory=dict_row) as cur:
        case = cur.execute(query("case_id"), {"code": code}).fetchone()
        if case is None:
            raise missing(cur, code)
        row = cur.execute(query("photo_bytes"), {"incident_id": case["id"], "id": photo_id})
        found = row.fetchone()
    if found is None:
        raise LookupError(f"case {code} has no photo {photo_id}")
    return found["content_type"], bytes(found["bytes"]), found["sha256"]
