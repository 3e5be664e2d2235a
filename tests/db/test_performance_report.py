"""`twin report performance`: the evaluation written as CSV and as an Excel workbook, each
read back (the workbook with openpyxl); bad arguments exit 2 naming what was wrong."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from openpyxl import load_workbook

from tests import gridworld
from tests.db.test_cli import twin
from tests.db.test_ops_cases import report
from tests.opsworld import H, config
from twin.activity import Clock
from twin.ops.cases import act, create_case

TZ = "Asia/Shanghai"


def two_cases(conn: psycopg.Connection) -> tuple[str, str]:
    """Two cases reported 10 h before the real now (the CLI reads the real clock): one
    dispatched to roads after 1 h and resolved after 4 h, one dispatched to roads after 3 h
    (late: 'other' allows 2 h) and still open; the period: from two days ago to today."""
    gridworld.build(conn)
    then = datetime.now(UTC) - 10 * H
    made = [
        create_case(conn, report(x, 0.5, category="other"), Clock(then, TZ), config()).case["code"]
        for x in (0.5, 1.5)
    ]
    for code, hours in zip(made, (1, 3), strict=True):
        act(conn, code, "dispatch", actor="t", department="roads", clock=Clock(then + hours * H))
    act(conn, made[0], "start", actor="t", clock=Clock(then + 2 * H))
    act(conn, made[0], "resolve", actor="t", clock=Clock(then + 4 * H))
    today = Clock(datetime.now(UTC), TZ).local.date()
    return (today - timedelta(days=2)).isoformat(), today.isoformat()


def test_a_csv_report_reads_back_with_a_row_per_department_and_the_city(
    db_url: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    first, last = two_cases(conn)
    out = tmp_path / "perf.csv"
    env = {"TWIN_DATABASE_URL": db_url, "TWIN_LANG": "en"}
    done = twin(
        "report",
        "performance",
        "--from",
        first,
        "--to",
        last,
        "--by",
        "department",
        "--out",
        str(out),
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert f"{out}: 1 row(s) by department for {first}/{last}" in done.stdout
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["Code"], r["Name"], r["Cases"]) for r in rows] == [
        ("roads", "roads", "2"),
        ("", "City", "2"),
    ]
    roads = rows[0]
    assert roads["Time to dispatch, median (h)"] == "2.0"  # 1 h and 3 h
    assert roads["Dispatched on time"] == "0.5"
    assert roads["Resolved on time"] == "1.0"  # the open one is not due for 72 h
    assert roads["Overdue rate"] == "0.0"


def test_an_xlsx_report_reads_back_with_openpyxl_in_chinese(
    db_url: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    first, last = two_cases(conn)
    out = tmp_path / "perf.xlsx"
    env = {"TWIN_DATABASE_URL": db_url}
    done = twin(
        "report",
        "performance",
        "--period",
        f"{first}/{last}",
        "--by",
        "grid",
        "--lang",
        "zh-CN",
        "--out",
        str(out),
        env=env,
    )
    assert done.returncode == 0, done.stderr
    book = load_workbook(out)
    sheet = book["performance"]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    head = values[0]
    assert head[:3] == ["编号", "名称", "事件数"]
    column = {name: i for i, name in enumerate(head)}
    by_code = {r[0]: r for r in values[1:]}
    assert [r[0] for r in values[1:]] == ["G1", "G2", "G3", "G4", None]  # the city: no code
    assert by_code["G1"][column["事件数"]] == 1
    assert by_code["G1"][column["处置时长中位数（时）"]] == pytest.approx(4.0)
    assert by_code["G2"][column["按时分派率"]] == 0.0
    assert by_code["G3"][column["按时分派率"]] is None  # no case: nothing to rate
    assert values[-1][1] == "全市"
    cell = sheet.cell(row=2, column=column["按时分派率"] + 1)
    assert cell.number_format == "0.0%"
    about = dict(book["about"].iter_rows(values_only=True))
    assert about["评估周期"] == f"{first}/{last}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "period '2026-13': month must be in 1..12"),
        (["--period", "last month"], "expected a month (2026-11), a week (2026-W47)"),
        (["--from", "2026-11-05"], "give --period, or --from and --to"),
        (["--period", "2026-11", "--to", "2026-11-05"], "either --period or --from/--to"),
        (["--period", "2026-11", "--by", "county"], "by 'county': expected one of grid, "),
        (["--period", "2026-11", "--out", "x.pdf"], "write a .csv or an .xlsx file"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args: list[str], message: str, tmp_path: Path) -> None:
    argv = ["report", "performance", "--out", str(tmp_path / "x.csv"), *args]
    done = twin(*argv, env={"TWIN_DATABASE_URL": "postgresql://nowhere.invalid/x"})
    assert done.returncode == 2
    assert done.stderr.startswith("twin: error: ") and message in done.stderr, done.stderr
