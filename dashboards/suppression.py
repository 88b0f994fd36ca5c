"""Small-cell suppression for the leadership role.

A count of 1..10 is not shown (zero is); a rate is not shown when its numerator or
denominator is not shown or its denominator is 1..10. A rate over no cases (denominator
0) has no value to hide: it stays empty, and reads as empty, never as suppressed. `suppress` keeps each
column's dtype, sets a suppressed cell to null and adds a boolean
`<column>__suppressed` flag, so charts can drop the cell and tables can say it is
suppressed (`for_display`) instead of leaving a gap.

Complementary suppression (see `complementary`) then hides more counts within each
table (`by`) so that no hidden count can be worked out from the shown counts and the
table's sums: its total row (`total_rows`) and its total columns (`column_totals`).
Only sums declared in the shape are protected. A month shown beside its year-to-date
is one: show them as columns of one row with the year-to-date declared as the total
of the month columns it adds up; a frame of one row per month with a running total
column is a relation across tables that this module does not see, so such a frame
must not be shown to leadership.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from dashboards.complementary import Relation, complement

SMALL_CELL_MAX = 10
# One label for every hidden cell: a cell hidden to protect another is not small, so `<11`
# would be false there, and a label telling the two kinds apart would give the reader
# bounds that can disclose the small one (with a total of 12 and two hidden cells, knowing
# that one is not 1..10 makes it 11 and the other 1).
SUPPRESSED_LABEL = "suppressed"
SUPPRESSED_NOTE = (
    "suppressed: a count of 1 to 10, a rate over 1 to 10 cases, or a figure hidden so that "
    "one of those cannot be worked out from a total"
)
FLAG_SUFFIX = "__suppressed"


@dataclass(frozen=True)
class TableShape:
    """What a table's cells are and how they add up.

    counts: count columns. rates: rate column -> (numerator column, denominator column).
    by: columns splitting the frame into independent tables (e.g. one per month).
    total_rows: rows whose columns equal these values are the sum of the other rows of
    their table (e.g. {"level": "state"}). column_totals: total column -> its parts.
    """

    counts: tuple[str, ...]
    rates: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    by: tuple[str, ...] = ()
    total_rows: Mapping[str, object] = field(default_factory=dict)
    column_totals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _is_small(column: str) -> pl.Expr:
    value = pl.col(column)
    return value.is_not_null() & (value >= 1) & (value <= SMALL_CELL_MAX)


def suppress(frame: pl.DataFrame, shape: TableShape) -> pl.DataFrame:
    """Primary and complementary suppression of counts, and of the rates built on them."""
    counts = list(shape.counts)
    hidden = frame.select(_is_small(column) for column in counts).to_numpy().astype(bool)
    if shape.total_rows or shape.column_totals:
        values = frame.select(pl.col(counts).cast(pl.Float64)).to_numpy()
        is_total = _total_row_mask(frame, shape.total_rows)
        column_sums = _column_sums(shape)
        for rows in _tables(frame, shape.by):
            relations = _table_relations(values[rows], is_total[rows], column_sums)
            hidden[rows] = complement(values[rows], hidden[rows], relations)
    flagged = frame.with_columns(
        pl.Series(column + FLAG_SUFFIX, hidden[:, j], dtype=pl.Boolean)
        for j, column in enumerate(counts)
    )
    rate_flags = []
    for rate, (numerator, denominator) in shape.rates.items():
        hidden_rate = _is_small(denominator)
        for part in (numerator, denominator):
            if part in shape.counts:
                hidden_rate = hidden_rate | pl.col(part + FLAG_SUFFIX)
        rate_flags.append(hidden_rate.fill_null(False).alias(rate + FLAG_SUFFIX))
    flagged = flagged.with_columns(rate_flags)
    return flagged.with_columns(
        pl.when(pl.col(column + FLAG_SUFFIX)).then(None).otherwise(pl.col(column)).alias(column)
        for column in (*shape.counts, *shape.rates)
    )


def _tables(frame: pl.DataFrame, by: tuple[str, ...]) -> list[np.ndarray]:
    """Row positions of each independent table, in a stable order."""
    if not by:
        return [np.arange(frame.height)]
    groups = frame.with_row_index("__row").group_by(list(by), maintain_order=True).agg("__row")
    return [np.asarray(rows, dtype=np.int64) for rows in groups["__row"]]


def _total_row_mask(frame: pl.DataFrame, total_rows: Mapping[str, object]) -> np.ndarray:
    if not total_rows:
        return np.zeros(frame.height, dtype=bool)
    matches = (pl.col(c).eq(v).fill_null(False) for c, v in total_rows.items())
    return frame.select(pl.all_horizontal(matches)).to_series().to_numpy()


def _column_sums(shape: TableShape) -> list[tuple[int, tuple[int, ...]]]:
    """Each total column and its parts as positions among the counts."""
    counts = list(shape.counts)
    for total, parts in shape.column_totals.items():
        if total not in counts or not set(parts) <= set(counts):
            raise ValueError(f"column total {total!r} and its parts must all be counts")
    return [
        (counts.index(total), tuple(counts.index(p) for p in parts))
        for total, parts in shape.column_totals.items()
    ]


def _table_relations(
    values: np.ndarray, is_total: np.ndarray, column_sums: list[tuple[int, tuple[int, ...]]]
) -> list[Relation]:
    """One table's sums as cell relations: its total row and its total columns."""
    totals = np.flatnonzero(is_total)
    if len(totals) > 1:
        raise ValueError(f"a table has {len(totals)} total rows; give `by` to split them")
    rows, columns = values.shape
    relations: list[Relation] = [
        ((i, total), tuple((i, p) for p in parts))
        for i in range(rows)
        for total, parts in column_sums
    ]
    if len(totals) == 1:
        detail = [i for i in range(rows) if i != totals[0]]
        relations += [((totals[0], j), tuple((i, j) for i in detail)) for j in range(columns)]
    # A sum with a missing cell is not one anyone can use, nor one to protect.
    return [r for r in relations if not any(np.isnan(values[c]) for c in (r[0], *r[1]))]


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
