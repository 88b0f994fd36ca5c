"""Row checks: an ordered list of (reason code, failing condition, reason) expressions.

A row gets ONE reason, the first check it fails in list order, so each rule module
documents its order by the order of its list. A null condition counts as passing:
a check about a value that is missing leaves that to the missing_value check.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from orchestration.ingest.schemas import PII_COLUMNS

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
    reason: pl.Expr  # plain words naming the value


def file_rejected() -> RowCheck:
    """Every row of a file rejected as a whole; its reason is the file's problem."""
    return RowCheck(FILE_REJECTED, pl.col(FILE_ERROR).is_not_null(), pl.col(FILE_ERROR))


def too_many_values(extra_values_column: str) -> RowCheck:
    return RowCheck(
        "too_many_values",
        pl.col(extra_values_column),
        pl.lit("row has more values than the header has columns"),
    )


def missing_values(columns: tuple[str, ...]) -> list[RowCheck]:
    return [
        RowCheck("missing_value", text(c).is_null(), pl.lit(f"{c} is missing"))
        for c in columns
    ]


def unreadable(code: str, column: str, expected: str) -> RowCheck:
    """Text was given but the typed value did not come out of it."""
    reason = (
        pl.lit(f"{column} is not {expected} (personal data: the value is not repeated here)")
        if column in PII_COLUMNS
        else pl.format(f"{column} '{{}}' is not {expected}", text(column))
    )
    return RowCheck(code, text(column).is_not_null() & pl.col(column).is_null(), reason)


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
