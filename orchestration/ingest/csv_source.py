"""Read a landing CSV into a SourceTable of text.

Row numbers count CSV records as a spreadsheet shows them: the header is row 1
and the first data record row 2, and a quoted note spanning several lines is
still one row (so the number is the record's, not the physical line's).
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import polars as pl

from orchestration.ingest.source_table import (
    EXTRA_VALUES,
    ROW_NUMBER,
    SourceTable,
    match_columns,
    unique_headers,
)

_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "pipes"}


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252.

    Excel's "CSV" export writes Windows-1252; decoding that as UTF-8 fails on the
    first accented letter, so the fallback is safe for real UTF-8 files. The one
    blind spot: Windows-1252 text whose only non-ASCII bytes happen to spell valid
    UTF-8 (an accented capital right before a curly quote, say) reads as UTF-8.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return data.decode("latin-1")


def _first_record_end(text: str) -> int:
    """Index just past the header record (a quoted header may span lines)."""
    in_quotes = False
    for index, char in enumerate(text):
        if char == '"':
            in_quotes = not in_quotes
        elif char == "\n" and not in_quotes:
            return index + 1
    return len(text)


def _parse_header(header_text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(header_text, newline=""), delimiter=delimiter), [])
    except csv.Error:  # a stray carriage return or NUL: keep the text as one name
        return [header_text.strip()]


def _other_delimiter(header_text: str) -> str | None:
    counts = {d: header_text.count(d) for d in _OTHER_DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] > 0 else None


def read_csv_source(path: Path, columns: list[str]) -> tuple[SourceTable | None, str | None]:
    """The file's rows as text plus a file-level problem, if any.

    `columns` are the kind's column names, matched to the header case-insensitively.
    Returns (None, error) when no rows can be read; (table, error) when rows can be
    read but the file as a whole is wrong (a non-comma delimiter).
    """
    text = decode_text(Path(path).read_bytes())
    if not text.strip():
        return None, "empty file"
    header_end = _first_record_end(text)
    header_text = text[:header_end]
    delimiter, error = ",", None
    headers = _parse_header(header_text, delimiter)
    if len(headers) <= 1 and (other := _other_delimiter(header_text)):
        delimiter = other
        headers = _parse_header(header_text, delimiter)
        error = f"columns are separated by {_OTHER_DELIMITERS[other]}, not commas"
    names = unique_headers(headers)
    source_columns = tuple(f"_c{i}" for i in range(len(names)))
    # One spare column catches values beyond the header's width, which polars
    # would otherwise drop without a word.
    synthetic_header = delimiter.join((*source_columns, EXTRA_VALUES))
    body = text[header_end:]
    try:
        frame = pl.read_csv(
            (synthetic_header + "\n" + body).encode("utf-8"),
            separator=delimiter,
            has_header=True,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return None, f"could not be read as CSV ({first_line})"
    cells = [pl.col(c).str.strip_chars().fill_null("") for c in source_columns]
    blank = pl.all_horizontal([c == "" for c in cells]) if cells else pl.lit(True)
    frame = (
        frame.with_columns(
            pl.int_range(2, pl.len() + 2, dtype=pl.Int32).alias(ROW_NUMBER),
            pl.col(EXTRA_VALUES).is_not_null().alias(EXTRA_VALUES),
        )
        # A record with no value at all (a blank line, a trailing ",,,") is not a row.
        .filter(~(blank & ~pl.col(EXTRA_VALUES)))
        .select(ROW_NUMBER, EXTRA_VALUES, *source_columns)
    )
    positions = match_columns(names, columns)
    table = SourceTable(
        frame=frame,
        headers=names,
        source_columns=source_columns,
        column_of={name: source_columns[i] for name, i in positions.items()},
        source_format="csv",
    )
    return table, error
