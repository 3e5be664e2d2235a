"""What the case page reads: the case whole (or where it was merged), its photos, the cameras
near it and the lifecycle's moves — each through twin.ops or a named query."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import dict_row

from twin.app.cases.views import Moves, to_moves
from twin.db.queries import query
from twin.ops.errors import CaseMerged, CaseNotFound
from twin.ops.photos import list_photos
from twin.ops.record import get_case

MAX_CAMERAS = 50  # the nearest this many: a page lists, it does not survey


@dataclass(frozen=True)
class CaseRead:
    """A case as its page shows it; case None: merged (into names where) or missing."""

    code: str
    case: dict[str, Any] | None = None
    into: str | None = None
    photos: list[dict[str, Any]] = field(default_factory=list)
    cameras: list[dict[str, Any]] = field(default_factory=list)


def fetch_moves(conn: psycopg.Connection) -> Moves:
    """The lifecycle's moves, from the database's own table (005)."""
    return to_moves(tuple(r) for r in conn.execute(query("case_transitions")).fetchall())


def fetch_cameras_near(
    conn: psycopg.Connection, lon: float, lat: float, radius_m: float
) -> list[dict[str, Any]]:
    """The cameras within radius_m of a point, nearest first."""
    params = {"lon": lon, "lat": lat, "radius_m": radius_m, "limit": MAX_CAMERAS}
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query("case_cameras_near"), params).fetchall()


def read_case(conn: psycopg.Connection, code: str, radius_m: float) -> CaseRead:
    """The case with its photos and nearby cameras; merged or missing said so."""
    try:
        case = get_case(conn, code)
    except CaseMerged as exc:
        return CaseRead(code, into=exc.into)
    except CaseNotFound:
        return CaseRead(code)
    photos = list_photos(conn, code)
    cameras = fetch_cameras_near(conn, case["lon"], case["lat"], radius_m)
    return CaseRead(code, case, photos=photos, cameras=cameras)
