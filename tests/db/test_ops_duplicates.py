"""Duplicate reports across channels are flagged; merging counts a case once and is undone
exactly — counters, assignment, timeline and idempotency keys included."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from tests.db.test_ops_cases import assert_verified, report, stat
from tests.opsworld import CLOCK, NOW, H, clock_at, config
from twin.ops.cases import (
    CaseError,
    CaseMerged,
    CaseNotFound,
    act,
    create_case,
    get_case,
    merge,
    unmerge,
)

CONFIG = config()  # duplicates within 100 m and 24 h
# In the grid world a cell is 0.01 degrees: 0.001 cell is about 1 m east-west at 30 N.
M = 1 / 963.0


def filed(conn: psycopg.Connection, offset_h: float = 0, **fields: Any) -> dict[str, Any]:
    made = create_case(conn, report(**fields), clock_at(offset_h * H), CONFIG)
    return {"code": made.case["code"], "duplicate_of": made.duplicate_of, "case": made.case}


def test_a_near_report_of_an_open_case_from_another_channel_is_flagged(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    first = filed(conn, source="patrol")
    near = filed(conn, 2, x=0.5 + 60 * M, source="hotline")  # 60 m east, 2 h later
    assert near["duplicate_of"] == first["code"]
    assert near["case"]["duplicate_of"] == first["code"]
    assert near["case"]["timeline"][0]["data"]["duplicate_of"] == first["code"]
    linked = get_case(conn, first["code"])["duplicates"]
    assert [(d["code"], d["merged"], d["source"]) for d in linked] == [
        (near["code"], False, "hotline")
    ]


@pytest.mark.parametrize(
    ("fields", "offset_h", "why"),
    [
        ({"x": 0.5 + 140 * M}, 1, "140 m away: outside the radius"),
        ({}, 25, "25 h later: outside the window"),
        ({"category": "dispute"}, 1, "another category"),
    ],
)
def test_a_report_outside_the_window_is_not_flagged(
    conn: psycopg.Connection,
    world: dict[str, int],
    fields: dict[str, Any],
    offset_h: float,
    why: str,
) -> None:
    filed(conn)
    assert filed(conn, offset_h, **fields)["duplicate_of"] is None, why


def test_a_closed_case_attracts_no_duplicates(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    first = filed(conn)["code"]
    for i, action in enumerate(("start", "resolve", "close"), start=1):
        act(conn, first, action, actor="crew", clock=clock_at(i * 0.1 * H))
    assert filed(conn, 1)["duplicate_of"] is None


def test_the_nearest_open_case_is_the_one_flagged(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    far = filed(conn, x=0.5 - 80 * M)["code"]
    near = filed(conn, x=0.5 + 30 * M, y=0.5)["code"]
    assert far != near
    assert filed(conn, 1)["duplicate_of"] == near


def test_a_wider_configured_radius_flags_farther_reports(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    wide = config(radius_m=500)
    first = create_case(conn, report(), CLOCK, wide).case["code"]
    again = create_case(conn, report(x=0.5 + 300 * M), clock_at(H), wide)
    assert again.duplicate_of == first


def test_merging_counts_the_case_once_and_unmerging_restores_it(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    first = filed(conn, key="app-1")["code"]
    second = filed(conn, 1, x=1.5, source="hotline", key="hotline-7")  # in G2
    act(conn, second["code"], "start", actor="crew", clock=clock_at(2 * H))
    before = get_case(conn, second["code"])
    assert stat(conn, "D", "incidents") == 2 and stat(conn, "G2", "incidents") == 1

    survivor = merge(conn, second["code"], first, "duty officer", clock_at(3 * H))
    assert stat(conn, "D", "incidents") == 1 and stat(conn, "D", "open") == 1
    assert stat(conn, "G2", "incidents") == 0
    assert stat(conn, "G2", "incident_status_in_progress") == 0
    assert_verified(conn)
    [linked] = survivor["duplicates"]
    assert (linked["code"], linked["merged"], linked["source"]) == (second["code"], True, "hotline")
    assert linked["reported_at"] == NOW + 1 * H
    assert survivor["timeline"][-1]["action"] == "merged"
    with pytest.raises(CaseMerged) as err:
        get_case(conn, second["code"])
    assert err.value.into == first
    with pytest.raises(CaseMerged):
        act(conn, second["code"], "resolve", actor="crew", clock=clock_at(4 * H))
    # A retry of the merged report's create returns the case it now lives under.
    replay = create_case(
        conn, report(x=1.5, source="hotline", key="hotline-7"), clock_at(H), CONFIG
    )
    assert not replay.created and replay.case["code"] == first

    restored = unmerge(conn, second["code"], "duty officer", clock_at(5 * H))
    strip = ("timeline",)
    assert {k: v for k, v in restored.items() if k not in strip} == {
        k: v for k, v in before.items() if k not in strip
    }
    assert [e["action"] for e in restored["timeline"]][-2:] == ["merge", "unmerge"]
    assert get_case(conn, first)["duplicates"] == []
    assert (
        stat(conn, "D", "incidents") == 2 and stat(conn, "G2", "incident_status_in_progress") == 1
    )
    assert_verified(conn)


def test_a_chain_of_merges_unwinds_case_by_case(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    a, b, c = (filed(conn, i)["code"] for i in range(3))
    merge(conn, b, a, "duty", clock_at(4 * H))  # b under a
    merge(conn, a, c, "duty", clock_at(5 * H))  # a (carrying b) under c
    assert sorted(d["code"] for d in get_case(conn, c)["duplicates"] if d["merged"]) == sorted(
        [a, b]
    )
    assert stat(conn, "D", "incidents") == 1
    unmerge(conn, a, "duty", clock_at(6 * H))  # a comes back with b under it again
    assert [d["code"] for d in get_case(conn, a)["duplicates"] if d["merged"]] == [b]
    assert [d["code"] for d in get_case(conn, c)["duplicates"] if d["merged"]] == []
    assert stat(conn, "D", "incidents") == 2
    assert_verified(conn)


@pytest.mark.parametrize(
    ("code", "into", "field"),
    [("A", "A", "into"), ("A", "NOPE", "into")],
)
def test_a_bad_merge_is_refused(
    conn: psycopg.Connection, world: dict[str, int], code: str, into: str, field: str
) -> None:
    create_case(conn, report(code="A"), CLOCK, CONFIG)
    with pytest.raises(CaseError) as err:
        merge(conn, code, into, "duty", CLOCK)
    assert err.value.field == field
    assert stat(conn, "D", "incidents") == 1


def test_unmerging_a_case_never_merged_is_refused(
    conn: psycopg.Connection, world: dict[str, int]
) -> None:
    create_case(conn, report(code="A"), CLOCK, CONFIG)
    with pytest.raises(CaseError):
        unmerge(conn, "A", "duty", CLOCK)
    with pytest.raises(CaseNotFound):
        unmerge(conn, "NOPE", "duty", CLOCK)
    with pytest.raises(CaseNotFound):
        merge(conn, "NOPE", "A", "duty", CLOCK)
