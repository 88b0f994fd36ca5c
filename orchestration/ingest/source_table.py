"""The rows of one landing file as text, before any validation.

Both readers (CSV and the Excel activity form) produce a `SourceTable`, so the
validation rules never care where a row came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

ROW_NUMBER = "_row_number"
EXTRA_VALUES = "_extra_values"  # the row had more values than the header has columns


@dataclass(frozen=True)
class SourceTable:
    """`frame` holds ROW_NUMBER (Int32), EXTRA_VALUES (Boolean) and one String column
    per source column, named `source_columns[i]`; `headers[i]` is that column's name as
    the file wrote it (made unique), which keys the raw record of a rejected row.
    `column_of` maps a kind's column name to the frame column holding it."""

    frame: pl.DataFrame
    headers: tuple[str, ...]
    source_columns: tuple[str, ...]
    column_of: dict[str, str]
    source_format: str  # csv | xlsx

    @property
    def rows_read(self) -> int:
        return self.frame.height

    def raw_records(self, frame: pl.DataFrame) -> pl.Series:
        """Each row of `frame` (a subset of this table's rows) as a JSON object header -> text."""
        if not self.source_columns:
            return pl.Series("raw_record", ["{}"] * frame.height, dtype=pl.String)
        return frame.select(
            pl.struct(
                pl.col(c).alias(h) for c, h in zip(self.source_columns, self.headers)
            ).struct.json_encode().alias("raw_record")
        ).to_series()


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


def label_key(text: str) -> str:
    """How a label on a paper form is compared: case, punctuation and spacing ignored."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())
