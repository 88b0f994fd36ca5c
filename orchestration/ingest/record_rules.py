"""Validation of the snapshot and contract files (every kind but activity forms).

Checks, in the order that picks a rejected row's one reason: file_rejected (the file
as a whole is wrong), too_many_values, too_few_values, missing_value (the kind's
required columns, in schema order), then each column in schema order - invalid_id
(the id columns, schemas.ID_COLUMNS), invalid_date (dates, and invoices'
service_month), invalid_number (hours, amount, annual_value, retainage_pct, sfy,
score), unknown_code (the code lists of seeds/code_lists.csv, and topic/item codes
from their seeds), invalid_fips (county_fips) - and last duplicate_key: a row whose
key repeats an earlier accepted row of the same file (the first one is kept; which
repeat is right is a question for the sender, not a guess for the platform).

The rules run over the rows of many files of one kind at once: a frame carries,
beside the text columns, the columns of its row's file (FILE_INDEX, FILE_ERROR and
EXTRACT_DATE, the date in a snapshot's file name).
"""

from __future__ import annotations

import polars as pl

from orchestration.ingest.reference import CodeLists
from orchestration.ingest.row_checks import (
    FILE_INDEX,
    REASON,
    REASON_CODE,
    RowCheck,
    file_rejected,
    invalid_id,
    missing_values,
    reason,
    reason_code,
    text,
    text_name,
    unreadable,
    value_counts,
)
from orchestration.ingest.schemas import ID_COLUMNS, FileKind
from orchestration.ingest.source_table import ROW_NUMBER
from orchestration.ingest.value_parsing import (
    normalise_code,
    parse_county_fips,
    parse_date,
    parse_fraction,
    parse_money,
    parse_month,
    parse_number,
    parse_whole_number,
    with_parsed,
)

# Codes with a seed of their own: (kind name, column) -> (CodeLists attribute, seed file).
# Every other coded column is listed in seeds/code_lists.csv (CodeLists.landing_codes).
SEED_CODES: dict[tuple[str, str], tuple[str, str]] = {
    ("training_records", "topic_code"): ("training_topics", "seeds/training_topics.csv"),
    ("fidelity_checklists", "item_code"): ("fidelity_items", "seeds/fidelity_items.csv"),
    ("parent_outcomes", "item_code"): ("outcome_items", "seeds/parent_outcome_items.csv"),
}
# Decimal columns: name -> (parser, low, high, how a person reads the rule).
_DECIMALS = {
    "hours": (parse_number, 0.0, None, "a number of 0 or more"),
    "amount": (parse_money, None, None, "an amount of money"),
    "annual_value": (parse_money, 0.0, None, "an amount of money of 0 or more"),
    "retainage_pct": (parse_fraction, 0.0, 1.0, "a share from 0 to 1 (or 0% to 100%)"),
}
_WHOLE = {"sfy": (2000, 2100), "score": (1, 5)}
# Read before the typed cast: "SFY2020" names the same year as "2020".
_PREPARE = {"sfy": lambda t: t.str.replace(r"(?i)^sfy\s*", "")}
EXTRACT_DATE = "_extract_date"  # Date from the file name (snapshot kinds), else null
_FIRST_ROW = "_first_row_of_key"


def input_columns(kind: FileKind) -> tuple[str, ...]:
    """The kind's columns that come from the file (extract_date comes from its name)."""
    return tuple(c for c in kind.columns if c != "extract_date")


def _decimal(column: str) -> tuple[pl.Expr, str]:
    parser, low, high, words = _DECIMALS[column]
    value = parser(text(column))
    ok = pl.lit(True)
    if low is not None:
        ok = ok & (value >= low)
    if high is not None:
        ok = ok & (value <= high)
    return pl.when(ok).then(value), words


def _allowed_codes(kind: FileKind, column: str, code_lists: CodeLists):
    if (kind.name, column) in code_lists.landing_codes:
        codes = code_lists.landing_codes[(kind.name, column)]
        return codes, f"one of {', '.join(codes)}"
    attribute, seed = SEED_CODES[(kind.name, column)]
    return tuple(sorted(getattr(code_lists, attribute))), f"a code in {seed}"


def _typed_and_checks(
    kind: FileKind, code_lists: CodeLists
) -> tuple[list[pl.Expr], list[RowCheck]]:
    typed: list[pl.Expr] = []
    checks = [file_rejected(), *value_counts(), *missing_values(kind.required)]
    for column, dtype in kind.columns.items():
        source = _PREPARE.get(column, lambda t: t)(text(column))
        key = (kind.name, column)
        if column == "extract_date":
            typed.append(pl.col(EXTRACT_DATE).cast(pl.Date).alias(column))
        elif column in ID_COLUMNS:
            typed.append(source.alias(column))
            checks.append(invalid_id(column))
        elif column == "service_month":
            typed.append(parse_month(source).alias(column))
            checks.append(unreadable("invalid_date", column, "a month (YYYY-MM)"))
        elif dtype == pl.Date:
            typed.append(parse_date(source).alias(column))
            checks.append(
                unreadable("invalid_date", column, "a valid date (YYYY-MM-DD or M/D/YYYY)")
            )
        elif column in _DECIMALS:
            value, words = _decimal(column)
            typed.append(value.alias(column))
            checks.append(unreadable("invalid_number", column, words))
        elif column in _WHOLE:
            low, high = _WHOLE[column]
            typed.append(parse_whole_number(source, low, high).alias(column))
            checks.append(
                unreadable("invalid_number", column, f"a whole number from {low} to {high}")
            )
        elif key in code_lists.landing_codes or key in SEED_CODES:
            codes, words = _allowed_codes(kind, column, code_lists)
            code = normalise_code(source)
            typed.append(code.alias(column))
            checks.append(RowCheck(
                "unknown_code",
                code.is_not_null() & ~code.is_in(pl.Series(codes, dtype=pl.String).implode()),
                pl.lit(f"{column} is not {words}"),
            ))
        elif column == "county_fips":
            typed.append(parse_county_fips(source).alias(column))
            checks.append(unreadable("invalid_fips", column, "a five-digit county FIPS code"))
        else:
            typed.append(source.alias(column))
    return typed, checks


def _key_hash(key: tuple[str, ...]) -> pl.Expr:
    return pl.struct(FILE_INDEX, *key).hash()


def _reject_repeated_keys(frame: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    """Mark duplicate_key on a passing row whose key repeats an earlier passing row of
    its file; _FIRST_ROW keeps that earlier row's number for the reason.

    Grouping every row on the file and key columns held more than the extract itself (the
    2.1 million rows of a scale-50 fidelity extract: 550 MB). Rows are first grouped on a
    64-bit hash of them; only those sharing a hash with another passing row are grouped on
    the values, so a collision marks nothing. A row outside them repeats no key.
    """
    passing = pl.col(REASON_CODE).is_null()
    shares_a_hash = frame.select(
        passing.cast(pl.Int32).sum().over(_key_hash(key)) >= 2
    ).to_series()
    positions = shares_a_hash.arg_true()
    first_row = pl.when(passing).then(pl.col(ROW_NUMBER)).min().over(FILE_INDEX, *key)
    firsts = (
        frame.select(FILE_INDEX, *key, ROW_NUMBER, REASON_CODE)[positions]
        .select(first_row).to_series()
    )
    column = pl.repeat(None, frame.height, dtype=frame.schema[ROW_NUMBER], eager=True)
    with_first = frame.with_columns(column.scatter(positions, firsts).alias(_FIRST_ROW))
    repeated = passing & (pl.col(ROW_NUMBER) != pl.col(_FIRST_ROW))
    return with_first.with_columns(
        pl.when(repeated).then(pl.lit("duplicate_key")).otherwise(pl.col(REASON_CODE))
        .alias(REASON_CODE)
    )


def _duplicate_reason(key: tuple[str, ...]) -> pl.Expr:
    return pl.format(
        f"the key ({', '.join(key)}) repeats row {{}} of the same file", pl.col(_FIRST_ROW)
    )


def check_rows(
    frame: pl.DataFrame,
    kind: FileKind,
    *,
    code_lists: CodeLists,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every rule but duplicate_key, each row on its own: (the rows that pass, typed and
    without their text columns; the rows that fail, with reason columns).

    `frame` carries the text columns of `input_columns(kind)` and the file columns
    (module doc) of the rows of any number of files of that kind. A rule looks at its row
    and its file only, so the rows of a large file can be checked a slice at a time.
    """
    typed, checks = _typed_and_checks(kind, code_lists)
    checked = with_parsed(frame, typed).with_columns(reason_code(checks))
    passing = pl.col(REASON_CODE).is_null()
    rejected = checked.filter(~passing).with_columns(reason(checks).alias(REASON))
    texts = [text_name(c) for c in input_columns(kind)]
    return checked.filter(passing).drop(texts, strict=False), rejected


def reject_repeated_keys(
    passed: pl.DataFrame, kind: FileKind
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """duplicate_key over the rows that passed every other rule (`check_rows`), all files'
    rows together: (the rows accepted, the repeats rejected with reason columns)."""
    marked = _reject_repeated_keys(passed, kind.key)
    passing = pl.col(REASON_CODE).is_null()
    rejected = marked.filter(~passing).with_columns(_duplicate_reason(kind.key).alias(REASON))
    return marked.filter(passing).drop(_FIRST_ROW), rejected.drop(_FIRST_ROW)


def validate_records(
    frame: pl.DataFrame,
    kind: FileKind,
    *,
    code_lists: CodeLists,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(accepted rows, rejected rows with reason columns) of files of one kind: `check_rows`
    then `reject_repeated_keys`. Accepted rows are typed, without their text columns."""
    passed, rejected = check_rows(frame, kind, code_lists=code_lists)
    accepted, repeated = reject_repeated_keys(passed, kind)
    return accepted, pl.concat([rejected, repeated], how="diagonal_relaxed")
