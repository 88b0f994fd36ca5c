"""Downloads that open in a spreadsheet as data, never as something it runs.

A spreadsheet takes a CSV cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return for a formula (OWASP's "CSV injection"), and a landing file's name, an id or a
reason is text that a sender chose. Every CSV download writes such a text cell with a
leading `'`, which spreadsheets read as "what follows is text". Only text is escaped:
a negative number stays a number.

The monthly packet's workbook stores text as text, never as a formula or a link
(xlsxwriter's `strings_to_formulas` and `strings_to_urls` off), so it needs no escape.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

FORMULA_START = r"^[=+\-@\t\r]"
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def inert_text(frame: pl.DataFrame, text_columns: Iterable[str]) -> pl.DataFrame:
    """`frame` with each cell of `text_columns` that a spreadsheet would run prefixed `'`."""
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then("'" + pl.col(c))
        .otherwise(pl.col(c)).alias(c)
        for c in text_columns
    )
