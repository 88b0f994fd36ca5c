"""Small-cell suppression for the leadership role.

A count of 1..10 is not shown (zero is); a rate is not shown when its numerator or
denominator is not shown or its denominator is under 11. `suppress` keeps each
column's dtype, sets a suppressed cell to null and adds a boolean
`<column>__suppressed` flag, so charts can drop the cell and tables can say it is
suppressed (`for_display`) instead of leaving a gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

SMALL_CELL_MAX = 10
SUPPRESSED_LABEL = "<11"
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
    """Primary suppression of counts and the rates built on them."""
    flagged = frame.with_columns(
        _is_small(column).alias(column + FLAG_SUFFIX) for column in shape.counts
    )
    rate_flags = []
    for rate, (numerator, denominator) in shape.rates.items():
        hidden = pl.col(denominator).is_not_null() & (pl.col(denominator) <= SMALL_CELL_MAX)
        for part in (numerator, denominator):
            if part in shape.counts:
                hidden = hidden | pl.col(part + FLAG_SUFFIX)
        rate_flags.append(hidden.fill_null(False).alias(rate + FLAG_SUFFIX))
    flagged = flagged.with_columns(rate_flags)
    return flagged.with_columns(
        pl.when(pl.col(column + FLAG_SUFFIX)).then(None).otherwise(pl.col(column)).alias(column)
        for column in (*shape.counts, *shape.rates)
    )


def for_display(frame: pl.DataFrame) -> pl.DataFrame:
    """The table as shown and downloaded: suppressed cells read `<11`, flags dropped."""
    flags = [c for c in frame.columns if c.endswith(FLAG_SUFFIX)]
    shown = frame.with_columns(
        pl.when(pl.col(flag))
        .then(pl.lit(SUPPRESSED_LABEL))
        .otherwise(pl.col(flag.removesuffix(FLAG_SUFFIX)).cast(pl.String))
        .alias(flag.removesuffix(FLAG_SUFFIX))
        for flag in flags
    )
    return shown.drop(flags)
