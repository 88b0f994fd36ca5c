"""Read a landing CSV into a SourceTable of text.

Row numbers count CSV records as a spreadsheet shows them: the header is row 1
and the first data record row 2, and a quoted note spanning several lines is
still one row (so the number is the record's, not the physical line's).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import numpy as np
import polars as pl

from orchestration.ingest.source_table import (
    EXTRA_VALUES,
    VALUES,
    SourceTable,
    match_columns,
    unique_headers,
)

_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "pipes"}
_LONE_CARRIAGE_RETURN = re.compile(rb"\r(?!\n)")


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
    line_end = text.find("\n")
    if line_end < 0:
        line_end = len(text) - 1
    if '"' not in text[:line_end]:  # no quote: the first line is the header
        return line_end + 1
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


def _decode(data: bytes) -> tuple[str, bool]:
    """The text, and whether the bytes are UTF-8 without a byte order mark (the common
    case: its body then goes to the CSV parser as it is, with no re-encoding)."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-8"), True
        except UnicodeDecodeError:
            pass
    return decode_text(data), False


def _value_counts(body: bytes, delimiter: str, width: int, records: int) -> np.ndarray | None:
    """How many values each record of `body` holds, so a row short of the header (a
    value left out shifts the rest into the wrong columns) is told from a row with
    empty values. Empty values after the header's last column are not counted: a stray
    trailing comma holds nothing. A blank line is a record of no values, as for polars.

    None when the records cannot be lined up with the `records` polars read (a value
    longer than the csv module reads): a row's width is then judged by the spare column
    alone, which finds a row too long but not one too short.
    """
    if _LONE_CARRIAGE_RETURN.search(body):  # text to polars, a line end to the csv module
        body = _LONE_CARRIAGE_RETURN.sub(b" ", body)

    def rows():
        # Decoded as it is read, a buffer at a time: a StringIO of the whole body held four
        # bytes a character (a 143 MB extract: 570 MB).
        lines = io.TextIOWrapper(io.BytesIO(body), encoding="utf-8", newline="")
        return csv.reader(lines, delimiter=delimiter)

    try:
        counts = np.fromiter(map(len, rows()), dtype=np.int32)
        if counts.size == records and (counts > width).any():
            for i, record in enumerate(rows()):
                if len(record) > width and not any(v.strip() for v in record[width:]):
                    counts[i] = width
    except csv.Error:
        return None
    return counts if counts.size == records else None


def read_csv_source(
    path: Path, columns: list[str] | tuple[str, ...], data: bytes | None = None
) -> tuple[SourceTable | None, str | None]:
    """The file's records as text plus a file-level problem, if any.

    `columns` are the kind's column names, matched to the header case-insensitively;
    `data` is the file's content when the caller has read it already. Returns
    (None, error) when no rows can be read; (table, error) when rows can be read but
    the file as a whole is wrong (a non-comma delimiter).
    """
    data = Path(path).read_bytes() if data is None else data
    text, utf8 = _decode(data)
    if not text or text.isspace():
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
    synthetic_header = delimiter.join((*source_columns, EXTRA_VALUES)) + "\n"
    # The body as UTF-8 bytes, each copy of a large file's text made once: its bytes for
    # polars, after the synthetic header, and the same bytes, read as text a buffer at a
    # time, for the count of each record's values.
    if utf8:  # header_end counts characters; the body starts after the header's bytes
        body = data[len(header_text.encode("utf-8")):]
    else:
        body = text[header_end:].encode("utf-8")
    del text
    try:
        frame = pl.read_csv(
            synthetic_header.encode("utf-8") + body,
            separator=delimiter,
            has_header=True,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:
        # The parser's own message quotes the offending text, which may be a note.
        return None, (
            "could not be read as CSV (look for a quote that is opened and not closed, or a "
            "quote inside a value that does not start with one)"
        )
    counts = _value_counts(body, delimiter, len(names), frame.height)
    frame = frame.with_columns(
        pl.lit(None, pl.Int32).alias(VALUES) if counts is None else pl.Series(VALUES, counts)
    )
    positions = match_columns(names, columns)
    table = SourceTable(
        frame=frame,
        headers=names,
        source_columns=source_columns,
        column_of={name: source_columns[i] for name, i in positions.items()},
        source_format="csv",
        first_row=2,
    )
    return table, error
