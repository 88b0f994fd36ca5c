"""Read the one-form Excel workbook (sheet `Activity Form`) into a SourceTable.

The paper form puts pp_id, family_id, service month and submitted_at in B1..B4
(labels in column A) and the activity table under a header in row 6. People
insert rows and columns, so the labels and the header are found by their text
in the first rows rather than at fixed cells. Row numbers are the sheet's own.
"""

from __future__ import annotations

from pathlib import Path

import fastexcel
import polars as pl

from orchestration.ingest.source_table import (
    EXTRA_VALUES,
    ROW_NUMBER,
    SourceTable,
    label_key,
    unique_headers,
)

SHEET_NAME = "Activity Form"
_SEARCH_ROWS = 20

# Header block: kind column -> the labels a form may use for it.
_LABELS = {
    "pp_id": {"pp id", "parent partner", "parent partner id", "pp"},
    "family_id": {"family id", "family"},
    "service_month": {"service month", "month"},
    "submitted_at": {"submitted at", "submitted", "submitted on", "date submitted", "submission date"},
}
# Table header: kind column -> the header texts a form may use for it.
_TABLE_HEADERS = {
    "activity_date": {"date", "activity date"},
    "activity_type": {"activity type", "type", "activity"},
    "duration_minutes": {"minutes", "duration minutes", "duration", "mins"},
    "notes": {"notes", "note", "comments"},
}
_REQUIRED_TABLE = ("activity_date", "activity_type", "duration_minutes")


def _cell(value: str | None) -> str | None:
    if value is None:
        return None
    return value if value.strip() else None


def _find_table_header(rows: list[list[str | None]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for position, value in enumerate(row):
            key = label_key(value) if value else ""
            for column, texts in _TABLE_HEADERS.items():
                if key in texts and column not in found:
                    found[column] = position
        if all(c in found for c in _REQUIRED_TABLE):
            return index, found
    return None


def _find_labels(rows: list[list[str | None]]) -> dict[str, str | None]:
    """Each label's value: the cell right of it (an empty cell there is an empty value)."""
    values: dict[str, str | None] = {}
    for row in rows:
        for position, value in enumerate(row):
            key = label_key(value) if value else ""
            for column, texts in _LABELS.items():
                if key in texts and column not in values:
                    values[column] = row[position + 1] if position + 1 < len(row) else None
    return values


def _sheet_rows(path: Path) -> tuple[list[list[str | None]] | None, str | None]:
    try:
        reader = fastexcel.read_excel(str(path))
    except (fastexcel.FastExcelError, OSError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"could not be opened as an Excel workbook ({reason})"
    names = reader.sheet_names
    sheet = next((n for n in names if label_key(n) == label_key(SHEET_NAME)), None)
    if sheet is None:
        listed = ", ".join(f"'{n}'" for n in names) or "none"
        return None, f"workbook has no sheet '{SHEET_NAME}' (its sheets: {listed})"
    try:
        # skip_rows=0 keeps leading empty rows, so frame row i is sheet row i + 1.
        grid = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string").to_polars()
    except fastexcel.FastExcelError as exc:
        return None, f"sheet '{sheet}' could not be read ({str(exc).strip().splitlines()[0]})"
    return [[_cell(v) for v in row] for row in grid.rows()], None


def read_activity_workbook(path: Path) -> tuple[SourceTable | None, str | None]:
    """The form's activity rows as text, each carrying the header block's values."""
    rows, error = _sheet_rows(path)
    if rows is None:
        return None, error
    header = _find_table_header(rows)
    if header is None:
        return None, (
            f"sheet '{SHEET_NAME}' has no table header 'Date | Activity type | Minutes | Notes' "
            f"in its first {_SEARCH_ROWS} rows"
        )
    header_index, positions = header
    labels = _find_labels(rows[:header_index])
    missing = [c for c in _LABELS if c not in labels]
    if missing:
        error = f"sheet '{SHEET_NAME}' has no label for {', '.join(missing)} above the table"

    activity_rows: list[tuple[int, list[str | None]]] = []
    for index in range(header_index + 1, len(rows)):
        if all(v is None for v in rows[index]):
            break
        activity_rows.append((index + 1, rows[index]))

    header_row = rows[header_index]
    table_columns = [c for c in _TABLE_HEADERS if c in positions]
    headers = unique_headers([*_LABELS, *(header_row[positions[c]] or c for c in table_columns)])
    source_columns = tuple(f"_c{i}" for i in range(len(headers)))
    data: dict[str, list] = {
        ROW_NUMBER: [number for number, _ in activity_rows],
        EXTRA_VALUES: [False] * len(activity_rows),
    }
    for source, column in zip(source_columns, _LABELS):
        data[source] = [labels.get(column)] * len(activity_rows)
    for source, column in zip(source_columns[len(_LABELS):], table_columns):
        data[source] = [row[positions[column]] if positions[column] < len(row) else None
                        for _, row in activity_rows]
    schema = {ROW_NUMBER: pl.Int32, EXTRA_VALUES: pl.Boolean} | {c: pl.String for c in source_columns}
    table = SourceTable(
        frame=pl.DataFrame(data, schema=schema),
        headers=headers,
        source_columns=source_columns,
        column_of={column: source for source, column in
                   zip(source_columns, (*_LABELS, *table_columns))},
        source_format="xlsx",
    )
    return table, error
