"""The errors of twin.ops: a refused request names its field; a missing case its code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import psycopg

from twin.db.queries import query


class CaseError(ValueError):
    """A request twin refuses (an HTTP 4xx): which field, and why.

    key and params name the refusal for the dashboard, which words it in the page's language
    (twin.app.cases.refusals); the API answers message, in English."""

    def __init__(
        self, field: str, message: str, key: str = "", params: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.key = key
        self.params = dict(params or {})


class CaseMerged(CaseError):
    """The case was merged into another: act on (or read) that one."""

    def __init__(self, code: str, into: str) -> None:
        super().__init__(
            "code", f"case {code} was merged into {into}", "merged", {"code": code, "into": into}
        )
        self.code = code
        self.into = into


class CaseNotFound(LookupError):
    """No case has this code (an HTTP 404)."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no case {code!r}")
        self.code = code


def merged_into(cur: psycopg.Cursor[Any], code: str) -> str | None:
    """The code of the case a merged case now lives under (None: not merged)."""
    row = cur.execute(query("case_merged_into"), {"code": code}).fetchone()
    if row is None:
        return None
    return str(row["into_code"] if isinstance(row, dict) else row[0])


def missing(cur: psycopg.Cursor[Any], code: str) -> CaseError | CaseNotFound:
    """The error for a code that names no case now: merged away, or unknown."""
    into = merged_into(cur, code)
    return CaseMerged(code, into) if into is not None else CaseNotFound(code)
