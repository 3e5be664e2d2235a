"""`twin report performance` files: an evaluation as CSV or as an Excel workbook."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from twin.app.i18n import t
from twin.performance.measures import MEASURES, Evaluation

FORMATS = ("csv", "xlsx")
_XLSX_FORMAT = {"rate": "0.0%", "hours": "0.00", "count": "0"}
_DIGITS = {"rate": 4, "hours": 2}


def report_format(path: Path) -> str:
    """The file's format by its suffix, or a ValueError naming the suffixes twin writes."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"--out {path}: write a .csv or an .xlsx file, not {path.suffix!r}")
    return fmt


def header(lang: str) -> list[str]:
    """The column names in lang: unit, name, then each measure."""
    return [t("perf_unit", lang), t("name", lang), *(t(f"perf_{m.key}", lang) for m in MEASURES)]


def table(evaluation: Evaluation, lang: str) -> list[list[Any]]:
    """The rows of the file: each unit, then the whole city (values, not formatted)."""
    out = []
    for row in [*evaluation.rows, evaluation.total]:
        if row is evaluation.total:
            unit, name = "", t("city", lang)
        elif row["unit"] is None:
            unit, name = "", t("perf_none", lang)
        else:
            unit, name = row["unit"], row["name"]
        out.append([unit, name, *(row[m.key] for m in MEASURES)])
    return out


def about(evaluation: Evaluation, lang: str) -> list[tuple[str, str]]:
    """What the file covers: period, its dates, grouping, when read."""
    period = evaluation.period
    return [
        (t("perf_period", lang), period.text),
        (t("perf_dates", lang), f"{period.first.isoformat()} – {period.last.isoformat()}"),
        (t("perf_by", lang), evaluation.grouping.by),
        (t("perf_at", lang), evaluation.at.isoformat()),
        (t("perf_cohort", lang), t("perf_cohort_rule", lang)),
    ]


def write_report(evaluation: Evaluation, path: Path, lang: str) -> int:
    """Write the evaluation to path (.csv or .xlsx); the number of unit rows."""
    fmt = report_format(path)
    rows = table(evaluation, lang)
    if fmt == "csv":
        _write_csv(path, header(lang), rows)
    else:
        _write_xlsx(path, header(lang), rows, about(evaluation, lang))
    return len(evaluation.rows)


def _rounded(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    return round(value, _DIGITS[kind]) if kind in _DIGITS else value


def _write_csv(path: Path, head: list[str], rows: list[list[Any]]) -> None:
    # utf-8-sig: Excel opens a CSV with Chinese names right only with the byte-order mark.
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        out = csv.writer(f)
        out.writerow(head)
        for row in rows:
            out.writerow(
                row[:2] + [_rounded(v, m.kind) for v, m in zip(row[2:], MEASURES, strict=True)]
            )


def _write_xlsx(
    path: Path, head: list[str], rows: list[list[Any]], info: list[tuple[str, str]]
) -> None:
    from openpyxl import Workbook  # only a workbook needs it

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "performance"
    sheet.append(head)
    for row in rows:
        sheet.append(row)
    for col, measure in enumerate(MEASURES, start=3):
        for cells in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
            cells[0].number_format = _XLSX_FORMAT[measure.kind]
    sheet.freeze_panes = "C2"
    notes = book.create_sheet("about")
    for pair in info:
        notes.append(list(pair))
    book.save(path)
