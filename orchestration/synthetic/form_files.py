"""Writes activity forms the way they arrive: sites' CSV exports (in the encodings and
date styles Excel produces) and single-form workbooks in the paper form's layout."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xlsxwriter

from orchestration.synthetic import months
from orchestration.synthetic.activity_forms import Form, FormRow

CSV_COLUMNS = ("pp_id", "family_id", "service_month", "submitted_at", "activity_date",
               "activity_type", "duration_minutes", "notes")
SHEET = "Activity Form"
# Workbooks record a creation time; a fixed one keeps the files byte-identical.
WORKBOOK_CREATED = dt.datetime(2019, 7, 1)


@dataclass(frozen=True)
class ExportStyle:
    encoding: str  # utf-8 | utf-8-sig | cp1252
    us_dates: bool  # M/D/YYYY as Excel writes them
    upper_header: bool
    extra_column: bool

    @classmethod
    def draw(cls, rng: np.random.Generator) -> ExportStyle:
        u = rng.random()
        encoding = "cp1252" if u < 0.15 else "utf-8-sig" if u < 0.30 else "utf-8"
        return cls(encoding, bool(rng.random() < 0.12), bool(rng.random() < 0.1),
                   bool(rng.random() < 0.1))


def _date_text(value: dt.date | str, us: bool) -> str:
    if isinstance(value, str):
        return value
    return f"{value.month}/{value.day}/{value.year}" if us else value.isoformat()


def _datetime_text(value: dt.datetime, us: bool) -> str:
    if us:
        return f"{value.month}/{value.day}/{value.year} {value.hour}:{value.minute:02d}"
    return value.isoformat(timespec="seconds")


def csv_records(form: Form, us_dates: bool) -> list[list[str]]:
    month = months.month_text(form.month)
    return [[
        row.pp_id or form.pp_id,
        form.family_id if row.family_id is None else row.family_id,
        row.service_month or month,
        _datetime_text(form.submitted_at, us_dates),
        _date_text(row.activity_date, us_dates),
        row.activity_type,
        str(row.duration_minutes),
        row.notes,
    ] for row in form.rows]


def write_export(path: Path, forms: list[Form], style: ExportStyle, delimiter: str = ",",
                 drop_column: str | None = None) -> int:
    header = [c.upper() if style.upper_header else c for c in CSV_COLUMNS]
    records = [r for form in forms for r in csv_records(form, style.us_dates)]
    if style.extra_column:
        header.append("entered_by")
        records = [r + ["site export"] for r in records]
    if drop_column is not None:
        at = CSV_COLUMNS.index(drop_column)
        header.pop(at)
        records = [r[:at] + r[at + 1:] for r in records]
    buffer = io.StringIO()
    line_end = "\r\n" if style.encoding == "cp1252" else "\n"
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(records)
    path.write_bytes(buffer.getvalue().encode(style.encoding))
    return len(records)


def write_header_only(path: Path) -> None:
    path.write_text(",".join(CSV_COLUMNS) + "\n", encoding="utf-8")


def write_workbook(path: Path, form: Form, sheet: str = SHEET, month_as_date: bool = False
                   ) -> int:
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    workbook.set_properties({"created": WORKBOOK_CREATED, "author": "Parent Partner"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    stamp_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    bold = workbook.add_format({"bold": True})
    sheet_ = workbook.add_worksheet(sheet)
    for r, label in enumerate(("Parent Partner ID", "Family ID", "Service month", "Submitted")):
        sheet_.write_string(r, 0, label, bold)
    sheet_.write_string(0, 1, form.pp_id)
    if form.family_id:
        sheet_.write_string(1, 1, form.family_id)
    if month_as_date:
        sheet_.write_datetime(2, 1, dt.datetime.combine(months.first_day(form.month),
                                                        dt.time()), date_format)
    else:
        sheet_.write_string(2, 1, months.month_text(form.month))
    sheet_.write_datetime(3, 1, form.submitted_at, stamp_format)
    for c, label in enumerate(("Date", "Activity type", "Minutes", "Notes")):
        sheet_.write_string(5, c, label, bold)
    for r, row in enumerate(form.rows, start=6):
        _write_row(sheet_, r, row, date_format)
    sheet_.set_column(0, 0, 18)
    sheet_.set_column(1, 1, 22)
    sheet_.set_column(3, 3, 60)
    workbook.close()
    return len(form.rows)


def _write_row(sheet, r: int, row: FormRow, date_format) -> None:
    if isinstance(row.activity_date, dt.date):
        sheet.write_datetime(r, 0, dt.datetime.combine(row.activity_date, dt.time()),
                             date_format)
    elif row.activity_date:
        sheet.write_string(r, 0, row.activity_date)
    if row.activity_type:
        sheet.write_string(r, 1, row.activity_type)
    minutes = row.duration_minutes
    if isinstance(minutes, int | float):
        sheet.write_number(r, 2, minutes)
    elif minutes:
        try:
            sheet.write_number(r, 2, float(minutes))
        except ValueError:
            sheet.write_string(r, 2, minutes)
    if row.notes:
        sheet.write_string(r, 3, row.notes)


def workbook_name(form: Form, suffix: str = "") -> str:
    return f"{form.pp_id}_{form.family_id or 'pp-level'}{suffix}.xlsx"
