"""The rows of one landing file as text, before any validation.

Both readers (CSV and the Excel activity form) produce a `SourceTable`, so the
validation rules never care where a row came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import polars as pl

ROW_NUMBER = "_row_number"
EXTRA_VALUES = "_extra_values"  # the row had more values than the header has columns
VALUES = "_values"  # how many values a CSV record held; null when not counted
HEADER_WIDTH = "_header_width"  # how many columns the header of the row's file names


@dataclass(frozen=True)
class SourceTable:
    """The cells of one file as read, before any per-row work.

    `frame` holds one String column per source column read row by row, named
    `source_columns[i]`, and, for a CSV, EXTRA_VALUES (the text beyond the header's
    width, null when none) and VALUES (how many values the record held). Its rows are
    the file's records in order, the first being sheet/file row `first_row`; a CSV's
    records with no value at all are still in it (they are not rows: the batch drops
    them, keeping the row numbers of the rest).
    `constants` are source columns with one value for every row (the header block of
    an Excel form), kept out of the frame. `headers[i]` is the name of
    `source_columns[i]` as the file wrote it (made unique), which keys the raw record
    of a rejected row; `column_of` maps a kind's column name to its source column.

    No per-file frame operation happens here: the batch stacks the tables of many
    files first and does the per-row work once.
    """

    frame: pl.DataFrame
    headers: tuple[str, ...]
    source_columns: tuple[str, ...]
    column_of: dict[str, str]
    source_format: str  # csv | xlsx
    first_row: int
    constants: dict[str, str | None] = field(default_factory=dict)

    @property
    def shape_key(self) -> tuple:
        """Tables with the same key stack into one frame and map columns alike."""
        return (
            self.source_format, self.headers, tuple(self.column_of.items()),
            tuple(self.constants),
        )


def header_key(name: str) -> str:
    """How a column name is compared: trimmed, case-insensitive."""
    return name.strip().lower()


def unique_headers(names: list[str]) -> tuple[str, ...]:
    """Trimmed names; a blank one becomes column_<n>, a repeated one gets a suffix."""
    seen: set[str] = set()
    result = []
    for position, name in enumerate(names, start=1):
        base = name.strip() or f"column_{position}"
        candidate, n = base, 2
        while candidate.lower() in seen:
            candidate, n = f"{base}_{n}", n + 1
        seen.add(candidate.lower())
        result.append(candidate)
    return tuple(result)


def match_columns(headers: tuple[str, ...], wanted: list[str]) -> dict[str, int]:
    """Position of each wanted column among headers (first match, case-insensitive)."""
    positions: dict[str, int] = {}
    for position, header in enumerate(headers):
        key = header_key(header)
        if key in wanted and key not in positions:
            positions[key] = position
    return positions


@lru_cache(maxsize=4096)
def label_key(text: str) -> str:
    """How a label on a paper form is compared: case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())
