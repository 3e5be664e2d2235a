"""Merging duplicate reports under one case, and undoing it.

A merged case leaves the incident table whole (kept in incident_merged), so every count,
list, map and statistic sees the reports once, as the surviving case, which lists them as
its duplicates; unmerging puts the row back as it was, with its id, code and timeline.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row

from twin.activity import Clock
from twin.db.queries import query
from twin.ops.errors import CaseError, CaseMerged, CaseNotFound, missing
from twin.ops.lifecycle import MAX_NAME
from twin.ops.record import add_event, get_case


def _actor(actor: str) -> None:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > MAX_NAME:
        raise CaseError(
            "actor",
            f"who merges must be named (at most {MAX_NAME} characters)",
            "actor_limit",
            {"limit": MAX_NAME},
        )


def merge(
    conn: psycopg.Connection, code: str, into: str, actor: str, clock: Clock
) -> dict[str, Any]:
    """Merge case `code` into case `into`; the surviving case after (its duplicates list
    the merged reports)."""
    _actor(actor)
    if code == into:
        raise CaseError("into", "a case cannot be merged into itself", "into_self")
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        found = {
            r["code"]: r for r in cur.execute(query("case_lock_pair"), {"codes": [code, into]})
        }
        if code not in found:
            raise missing(cur, code)
        if into not in found:
            err = missing(cur, into)
            if isinstance(err, CaseMerged):
                raise CaseError(
                    "into",
                    f"case {into} was merged into {err.into}: merge into that",
                    "into_merged",
                    {"into": into, "other": err.into},
                )
            raise CaseError("into", f"no case {into!r}", "no_into", {"into": into})
        source, target = found[code], found[into]
        params = {"id": source["id"], "into_id": target["id"], "at": clock.now, "actor": actor}
        cur.execute(query("case_merge"), params)
        add_event(cur, source["id"], clock.now, actor, "merge", None, {"into": into})
        add_event(cur, target["id"], clock.now, actor, "merged", None, {"code": code})
    return get_case(conn, into)


def unmerge(conn: psycopg.Connection, code: str, actor: str, clock: Clock) -> dict[str, Any]:
    """Make a merged case its own case again, as it was; that case after."""
    _actor(actor)
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        merged = cur.execute(query("case_merged_lock"), {"code": code}).fetchone()
        if merged is None:
            taken = cur.execute(query("case_code_taken"), {"code": code}).fetchone()
            if taken and taken["taken"]:
                raise CaseError(
                    "code", f"case {code} is not merged into another", "not_merged", {"code": code}
                )
            raise CaseNotFound(code)
        cur.execute(query("case_lock"), {"code": merged["into_code"]})
        try:
            with conn.transaction():
                cur.execute(query("case_unmerge"), {"id": merged["id"]})
        except psycopg.errors.UniqueViolation:
            raise CaseError(
                "code",
                f"a case {code} was written since: cannot unmerge",
                "written_since",
                {"code": code},
            ) from None
        data = {"from": merged["into_code"]}
        add_event(cur, merged["id"], clock.now, actor, "unmerge", None, data)
        add_event(cur, merged["into_id"], clock.now, actor, "unmerged", None, {"code": code})
    return get_case(conn, code)
