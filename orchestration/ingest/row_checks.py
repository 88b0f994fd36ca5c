"""Row checks: an ordered list of (reason code, failing condition, reason) expressions.

A row gets ONE reason, the first check it fails in list order, so each rule module
documents its order by the order of its list. A null condition counts as passing:
a check about a value that is missing leaves that to the missing_value check.

A reason names the column and what was expected, never a value as read: reasons are
published (marts.dq_rejected_rows), and a value in the wrong column - a note shifted
into duration_minutes - is personal data whatever its column. A date that parses is no
exception: a birth date typed into activity_date is still a birth date. A reason may
show a value only when it is the platform's own: a code of a seed list, the month of
the file's folder, the run's as-of date.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from orchestration.ingest.schemas import ID_PATTERN, ID_RULE
from orchestration.ingest.source_table import EXTRA_VALUES, HEADER_WIDTH, VALUES

REASON_CODE = "_reason_code"
REASON = "_reason"
FILE_REJECTED = "file_rejected"
# Columns a batch frame carries for every row, from the file the row came from.
FILE_INDEX = "_file"  # the file's position in the batch
FILE_ERROR = "_file_error"  # a problem rejecting the whole file, null when none
SOURCE_FORMAT = "_source_format"  # csv | xlsx


def text(column: str) -> pl.Expr:
    """The trimmed text of a column as read (null when blank)."""
    return pl.col(f"{column}:text")


def text_name(column: str) -> str:
    return f"{column}:text"


@dataclass(frozen=True)
class RowCheck:
    code: str
    fails: pl.Expr  # true when the row fails
    reason: pl.Expr  # plain words naming the column and the rule, not the value


def file_rejected() -> RowCheck:
    """Every row of a file rejected as a whole; its reason is the file's problem."""
    return RowCheck(FILE_REJECTED, pl.col(FILE_ERROR).is_not_null(), pl.col(FILE_ERROR))


def value_counts() -> list[RowCheck]:
    """A row with more or fewer values than its header has columns: its values do not
    sit under their columns, so nothing else about it can be judged."""
    counted = pl.format(
        "row has {} values, the header has {}", pl.col(VALUES), pl.col(HEADER_WIDTH)
    )
    return [
        RowCheck(
            "too_many_values",
            pl.col(EXTRA_VALUES),
            pl.when(pl.col(VALUES).is_not_null()).then(counted).otherwise(
                pl.format("row has more values than the header's {} columns",
                          pl.col(HEADER_WIDTH))
            ),
        ),
        RowCheck("too_few_values", pl.col(VALUES) < pl.col(HEADER_WIDTH), counted),
    ]


def missing_values(columns: tuple[str, ...]) -> list[RowCheck]:
    return [
        RowCheck("missing_value", text(c).is_null(), pl.lit(f"{c} is missing"))
        for c in columns
    ]


def unreadable(code: str, column: str, expected: str) -> RowCheck:
    """Text was given but the typed value did not come out of it."""
    return RowCheck(
        code, text(column).is_not_null() & pl.col(column).is_null(),
        pl.lit(f"{column} is not {expected}"),
    )


def invalid_id(column: str) -> RowCheck:
    """An id that is not of the contract's id form (schemas.ID_PATTERN)."""
    return RowCheck(
        "invalid_id", text(column).is_not_null() & ~text(column).str.contains(ID_PATTERN),
        pl.lit(f"{column} is not {ID_RULE}"),
    )


def reason_code(checks: list[RowCheck]) -> pl.Expr:
    """The code of the first check a row fails, null when it passes every one.

    Only the cheap conditions: the worded reasons are built for the failing rows
    alone (`reason`), a few in a thousand, not for every row read."""
    if not checks:
        return pl.lit(None, pl.String).alias(REASON_CODE)
    chain = pl.when(checks[0].fails).then(pl.lit(checks[0].code))
    for check in checks[1:]:
        chain = chain.when(check.fails).then(pl.lit(check.code))
    return chain.otherwise(None).cast(pl.String).alias(REASON_CODE)


def reason(checks: list[RowCheck]) -> pl.Expr:
    """The plain-words reason of the first check a row fails (null when none)."""
    if not checks:
        return pl.lit(None, pl.String).alias(REASON)
    chain = pl.when(checks[0].fails).then(checks[0].reason)
    for check in checks[1:]:
        chain = chain.when(check.fails).then(check.reason)
    return chain.otherwise(None).cast(pl.String).alias(REASON)


def apply_checks(frame: pl.DataFrame, checks: list[RowCheck]) -> pl.DataFrame:
    """Add REASON_CODE and REASON (both null when the row passes every check)."""
    return frame.with_columns(reason_code(checks), reason(checks))
