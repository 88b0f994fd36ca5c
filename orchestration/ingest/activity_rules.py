"""Validation of activity-form rows (spec: landing-zone.md, activity forms).

Checks, in the order that picks a rejected row's one reason:
  file_rejected (the file as a whole is wrong), too_many_values, too_few_values,
  missing_value (pp_id, service_month, submitted_at, activity_date, activity_type,
  duration_minutes), invalid_id (pp_id, family_id), invalid_date (service_month, then
  activity_date), invalid_datetime (submitted_at), invalid_duration,
  unknown_activity_type, family_required, family_not_allowed, month_mismatch,
  activity_outside_month, activity_after_submission, future_activity, unknown_pp,
  unknown_family.
Format problems come first (they make later comparisons meaningless), then the
form's own consistency, then the lookups against the roster and referrals.

Warnings on kept rows (';'-joined in `warnings`): outside_match_period,
not_matched_pp, duplicate_row (a repeat of an earlier kept row of the same file).

The rules run over the rows of many files at once: a frame carries, beside the text
columns, the columns of its row's file (FILE_INDEX, FILE_ERROR, SOURCE_FORMAT and
FOLDER_MONTH, the service month of the file's folder).
"""

from __future__ import annotations

from functools import lru_cache

import polars as pl

from orchestration.ingest.reference import ActivityReference
from orchestration.ingest.row_checks import (
    FILE_INDEX,
    REASON_CODE,
    SOURCE_FORMAT,
    RowCheck,
    file_rejected,
    invalid_id,
    missing_values,
    reason,
    reason_code,
    text,
    unreadable,
    value_counts,
)
from orchestration.ingest.schemas import ACTIVITY_ROWS
from orchestration.ingest.value_parsing import (
    normalise_code,
    parse_date,
    parse_datetime,
    parse_month,
    parse_whole_number,
    with_parsed,
)
from orchestration.reference_data import program_parameter

# The reason codes of a rejected row, in the order that picks its one reason, and the
# warning codes of a kept row: the names the generator plants its errors under.
REASON_CODES = (
    "too_many_values", "too_few_values", "missing_value", "invalid_id", "invalid_date",
    "invalid_datetime", "invalid_duration",
    "unknown_activity_type", "family_required", "family_not_allowed", "month_mismatch",
    "activity_outside_month", "activity_after_submission", "future_activity", "unknown_pp",
    "unknown_family",
)
WARNING_CODES = ("outside_match_period", "not_matched_pp", "duplicate_row")
# Columns read from the file; source_format and warnings are set here.
INPUT_COLUMNS = (
    "pp_id", "family_id", "service_month", "submitted_at", "activity_date", "activity_type",
    "duration_minutes", "notes",
)
_DUPLICATE_KEY = (FILE_INDEX, *INPUT_COLUMNS)
FOLDER_MONTH = "_folder_month"  # Date: first day of the file's YYYY-MM folder


@lru_cache(maxsize=8)
def _id_series(ids: frozenset[str]) -> pl.Series:
    """The ids as one list value, so is_in tests membership rather than pairing rows.

    Cached: a month's files share one reference, and building this is most of the
    fixed cost of validating a single-form workbook."""
    return pl.Series(sorted(ids), dtype=pl.String).implode()


def _month_text(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m")


def _typed(activity_types: dict[str, tuple[bool, bool]]) -> list[pl.Expr]:
    family_level = {code: flags[0] for code, flags in activity_types.items()}
    max_minutes = program_parameter("max_activity_minutes")  # seeds/program_parameters.csv
    activity_type = normalise_code(text("activity_type"))
    return [
        text("pp_id").alias("pp_id"),
        text("family_id").alias("family_id"),
        parse_month(text("service_month")).alias("service_month"),
        parse_datetime(text("submitted_at")).alias("submitted_at"),
        parse_date(text("activity_date")).alias("activity_date"),
        activity_type.alias("activity_type"),
        parse_whole_number(text("duration_minutes"), 1, max_minutes).alias("duration_minutes"),
        text("notes").alias("notes"),
        pl.col(SOURCE_FORMAT).alias("source_format"),
        activity_type.replace_strict(family_level, default=None, return_dtype=pl.Boolean)
        .alias("_family_level"),
    ]


def _checks(reference: ActivityReference | None) -> list[RowCheck]:
    family, code = pl.col("family_id"), pl.col("activity_type")
    date, month = pl.col("activity_date"), pl.col("service_month")
    checks = [
        file_rejected(),
        *value_counts(),
        *missing_values(ACTIVITY_ROWS.required),
        invalid_id("pp_id"),
        invalid_id("family_id"),
        unreadable("invalid_date", "service_month", "a month (YYYY-MM)"),
        unreadable("invalid_date", "activity_date", "a valid date (YYYY-MM-DD or M/D/YYYY)"),
        unreadable(
            "invalid_datetime", "submitted_at",
            "a valid date and time (ISO 8601 or M/D/YYYY H:MM)",
        ),
        unreadable(
            "invalid_duration", "duration_minutes",
            f"a whole number from 1 to {program_parameter('max_activity_minutes')}",
        ),
        RowCheck(
            "unknown_activity_type",
            pl.col("_family_level").is_null(),
            pl.lit("activity_type is not a code in seeds/activity_types.csv"),
        ),
        # From here on activity_type is a code of the seed, so it can be named.
        RowCheck(
            "family_required",
            pl.col("_family_level") & family.is_null(),
            pl.format("activity_type {} is a family-level activity but family_id is empty",
                      code),
        ),
        RowCheck(
            "family_not_allowed",
            ~pl.col("_family_level") & family.is_not_null(),
            pl.format("activity_type {} is a PP-level activity but family_id is given", code),
        ),
    ]
    checks += [
        RowCheck(  # a file outside a month folder is rejected whole, so never null here
            "month_mismatch",
            month != pl.col(FOLDER_MONTH),
            pl.format("service_month does not match the folder month {}",
                      _month_text(FOLDER_MONTH)),
        ),
        RowCheck(
            "activity_outside_month",
            date.dt.month_start() != month,
            pl.lit("activity_date is outside service_month"),
        ),
        RowCheck(
            "activity_after_submission",
            date > pl.col("submitted_at").dt.date(),
            pl.lit("activity_date is after submitted_at"),
        ),
    ]
    if reference is not None and reference.as_of is not None:
        checks.append(RowCheck(
            "future_activity",
            date > pl.lit(reference.as_of),
            pl.lit(f"activity_date is after the as-of date {reference.as_of.isoformat()}"),
        ))
    if reference is not None:
        checks += [
            RowCheck(
                "unknown_pp",
                ~pl.col("pp_id").is_in(_id_series(reference.pp_ids)),
                pl.lit("pp_id is not on the Parent Partner roster"),
            ),
            RowCheck(
                "unknown_family",
                family.is_not_null() & ~family.is_in(_id_series(reference.family_ids)),
                pl.lit("family_id is not in the referrals"),
            ),
        ]
    return checks


def _match_flags(accepted: pl.DataFrame, matches: pl.DataFrame) -> pl.DataFrame:
    """Per accepted row index: is any match of its family active on the activity date,
    and is one of those active matches with this row's PP?"""
    rows = accepted.select("_i", "family_id", "pp_id", "activity_date").filter(
        pl.col("family_id").is_not_null()
    )
    candidates = rows.join(
        matches.select(
            pl.col("family_id").cast(pl.String),
            pl.col("pp_id").cast(pl.String).alias("_match_pp"),
            pl.col("match_date").cast(pl.Date),
            pl.col("exit_date").cast(pl.Date),
        ),
        on="family_id",
        how="left",
    )
    active = (
        (pl.col("match_date") <= pl.col("activity_date"))
        & (pl.col("exit_date").is_null() | (pl.col("exit_date") >= pl.col("activity_date")))
    ).fill_null(False)
    return candidates.group_by("_i").agg(
        active.any().alias("_any_active"),
        (active & (pl.col("_match_pp") == pl.col("pp_id")).fill_null(False)).any()
        .alias("_active_same_pp"),
    )


def _warnings(accepted: pl.DataFrame, reference: ActivityReference | None) -> pl.DataFrame:
    accepted = accepted.with_row_index("_i")
    flags: list[pl.Expr] = []
    if reference is not None:
        accepted = accepted.join(
            _match_flags(accepted, reference.matches), on="_i", how="left", maintain_order="left"
        )
        has_family = pl.col("family_id").is_not_null()
        any_active = pl.col("_any_active").fill_null(False)
        flags += [
            pl.when(has_family & ~any_active).then(pl.lit("outside_match_period")),
            pl.when(has_family & any_active & ~pl.col("_active_same_pp").fill_null(False))
            .then(pl.lit("not_matched_pp")),
        ]
    flags.append(
        pl.when(~pl.struct(_DUPLICATE_KEY).is_first_distinct()).then(pl.lit("duplicate_row"))
    )
    joined = pl.concat_str(flags, separator=";", ignore_nulls=True)
    return accepted.with_columns(
        pl.when(joined.str.len_chars() > 0).then(joined).alias("warnings")
    )


def validate_activity_rows(
    frame: pl.DataFrame,
    *,
    activity_types: dict[str, tuple[bool, bool]],
    reference: ActivityReference | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(accepted rows with `warnings`, rejected rows with reason columns).

    `frame` carries the text columns of INPUT_COLUMNS and the file columns (module
    doc) of the rows of any number of files; both outputs keep every column of it.
    `reference` None skips the roster, referral and match lookups.
    """
    checks = _checks(reference)
    checked = with_parsed(frame, _typed(activity_types)).with_columns(reason_code(checks))
    passing = pl.col(REASON_CODE).is_null()
    accepted = _warnings(checked.filter(passing), reference)
    return accepted, checked.filter(~passing).with_columns(reason(checks))
