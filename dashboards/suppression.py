"""How leadership's hidden cells read: the leadership publication (built at publish by
orchestration/disclosure) holds a hidden cell as null with a `<column>__suppressed` flag
beside it; pages and downloads show it as SUPPRESSED_LABEL, never as a gap. A rate over
no cases (denominator 0) has no value to hide: it stays empty, and reads as empty.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from orchestration.disclosure.definitions import FLAG_SUFFIX

# One label for every hidden cell: a cell hidden to protect another is not small, so `<11`
# would be false there, and a label telling the two kinds apart would give the reader
# bounds that can disclose the small one (with a total of 12 and two hidden cells, knowing
# that one is not 1..10 makes it 11 and the other 1).
SUPPRESSED_LABEL = "suppressed"
SUPPRESSED_NOTE = (
    "suppressed: a count of 1 to 10, a rate or figure that would give one away (its cases, "
    "or the cases not meeting it, number 1 to 10), or a figure hidden so that none of those "
    "can be worked out from a total, another month or another table"
)


def for_display(
    frame: pl.DataFrame, text: Callable[[str, pl.DataType], pl.Expr] | None = None
) -> pl.DataFrame:
    """The table as shown and downloaded: suppressed cells read SUPPRESSED_LABEL, flags dropped.

    A column with a suppressed cell becomes text; `text(column, dtype)` renders its other
    cells (e.g. `Labels.text`, so a share still reads as a percentage), by default as
    they are. An empty cell (a rate over no cases) stays empty, never suppressed."""
    flags = [c for c in frame.columns if c.endswith(FLAG_SUFFIX)]
    render = text or (lambda column, dtype: pl.col(column).cast(pl.String))
    shown = frame.with_columns(
        pl.when(pl.col(flag))
        .then(pl.lit(SUPPRESSED_LABEL))
        .otherwise(render(column, frame.schema[column]))
        .alias(column)
        for flag in flags
        for column in [flag.removesuffix(FLAG_SUFFIX)]
        if frame[flag].any()
    )
    return shown.drop(flags)


def cell(row: dict, column: str):
    """One cell of a row as read: SUPPRESSED_LABEL where the publication hid it."""
    return SUPPRESSED_LABEL if row.get(column + FLAG_SUFFIX) else row[column]
