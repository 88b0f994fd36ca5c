"""Read the one-form Excel workbook (sheet `Activity Form`) into a SourceTable.

The paper form puts pp_id, family_id, service month and submitted_at in B1..B4
(labels in column A) and the activity table under a header in row 6. People
insert rows and columns, so the labels and the header are found by their text
in the first rows rather than at fixed cells. Row numbers are the sheet's own.
The table's cells stay a slice of the sheet as fastexcel read it: the batch
stacks the slices of many forms and trims them in one pass.
"""

from __future__ import annotations

from pathlib import Path

import fastexcel
import polars as pl

from orchestration.ingest.source_table import (
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
# The same, looked up by text (no text names two columns).
_LABEL_OF = {text: column for column, texts in _LABELS.items() for text in texts}
_TABLE_HEADER_OF = {text: column for column, texts in _TABLE_HEADERS.items() for text in texts}


def _cell(value: str | None) -> str | None:
    if value is None:
        return None
    return value if value.strip() else None


def _find_table_header(rows: list[list[str | None]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for position, value in enumerate(row):
            column = _TABLE_HEADER_OF.get(label_key(value)) if value else None
            if column is not None and column not in found:
                found[column] = position
        if all(c in found for c in _REQUIRED_TABLE):
            return index, found
    return None


def _find_labels(rows: list[list[str | None]]) -> dict[str, str | None]:
    """Each label's value: the cell right of it (an empty cell there is an empty value)."""
    values: dict[str, str | None] = {}
    for row in rows:
        for position, value in enumerate(row):
            column = _LABEL_OF.get(label_key(value)) if value else None
            if column is not None and column not in values:
                values[column] = row[position + 1] if position + 1 < len(row) else None
    return values


def _sheet(path: Path) -> tuple[pl.DataFrame | None, str | None]:
    """The form's sheet as a grid of text, every cell as a String column.

    Read from the path, not from bytes in memory: the Excel reader then goes by the
    .xlsx extension (a file of another format is refused as a workbook) rather than
    guessing the format from the content."""
    # The reader's messages and the sheets' own names are not repeated: they are text of
    # the file, which may name a family.
    try:
        reader = fastexcel.read_excel(str(path))
    except (fastexcel.FastExcelError, OSError):
        return None, "could not be opened as an Excel workbook (damaged, or not an .xlsx file)"
    names = reader.sheet_names
    sheet = next((n for n in names if label_key(n) == label_key(SHEET_NAME)), None)
    if sheet is None:
        others = f"{len(names)} other sheet{'' if len(names) == 1 else 's'}"
        return None, f"workbook has no sheet named {SHEET_NAME} (it has {others})"
    try:
        # skip_rows=0 keeps leading empty rows, so frame row i is sheet row i + 1.
        grid = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes="string").to_polars()
    except fastexcel.FastExcelError:
        return None, f"sheet {SHEET_NAME} could not be read (a damaged sheet)"
    return grid, None


def read_activity_workbook(path: Path) -> tuple[SourceTable | None, str | None]:
    """The form's activity rows as text; the header block's values are `constants`.

    The table runs from the row under its header to the row before the first empty one.
    """
    grid, error = _sheet(path)
    if grid is None:
        return None, error
    rows = [[_cell(v) for v in row] for row in grid.rows()]
    header = _find_table_header(rows)
    if header is None:
        return None, (
            f"sheet {SHEET_NAME} has no table header (Date | Activity type | Minutes | Notes) "
            f"in its first {_SEARCH_ROWS} rows"
        )
    header_index, positions = header
    labels = _find_labels(rows[:header_index])
    missing = [c for c in _LABELS if c not in labels]
    if missing:
        error = f"sheet {SHEET_NAME} has no label for {', '.join(missing)} above the table"
    end = header_index + 1
    while end < len(rows) and any(v is not None for v in rows[end]):
        end += 1

    header_row = rows[header_index]
    table_columns = [c for c in _TABLE_HEADERS if c in positions]
    headers = unique_headers([*_LABELS, *(header_row[positions[c]] or c for c in table_columns)])
    source_columns = tuple(f"_c{i}" for i in range(len(headers)))
    label_columns, cell_columns = source_columns[:len(_LABELS)], source_columns[len(_LABELS):]
    # Series operations, not a frame query: a few microseconds per form, not a plan.
    cells = grid.slice(header_index + 1, end - header_index - 1).get_columns()
    frame = pl.DataFrame(
        [cells[positions[column]].cast(pl.String).alias(source)
         for source, column in zip(cell_columns, table_columns)]
    )
    table = SourceTable(
        frame=frame,
        headers=headers,
        source_columns=source_columns,
        column_of={column: source for source, column in
                   zip(source_columns, (*_LABELS, *table_columns))},
        source_format="xlsx",
        first_row=header_index + 2,
        constants={source: labels.get(column) for source, column in zip(label_columns, _LABELS)},
    )
    return table, error
