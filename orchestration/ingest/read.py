"""Read and validate one landing file: the entry point of ingestion.

`read_landing_file` never raises for bad input: a file it cannot use comes back
with `error` set and, when rows could be read at all, every row rejected with
reason_code `file_rejected`. Every row read is either accepted or rejected:
rows_read == accepted.height + rejected.height.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from orchestration.config import SEEDS_DIR
from orchestration.ingest import activity_rules, record_rules
from orchestration.ingest.csv_source import read_csv_source
from orchestration.ingest.discovery import LandingFile, fingerprint
from orchestration.ingest.file_limits import size_problem
from orchestration.ingest.reference import ActivityReference, CodeLists, load_code_lists
from orchestration.ingest.row_checks import REASON, REASON_CODE, text_name
from orchestration.ingest.schemas import ACTIVITY_ROWS, FileKind
from orchestration.ingest.source_table import ROW_NUMBER, SourceTable
from orchestration.ingest.value_parsing import blank_to_null
from orchestration.ingest.xlsx_form import read_activity_workbook

FILE_REJECTED = "file_rejected"
REJECTED_COLUMNS: dict[str, pl.DataType] = {
    "row_number": pl.Int32, "reason_code": pl.String, "reason": pl.String,
    "raw_record": pl.String,
}


def accepted_schema(kind: FileKind) -> dict[str, pl.DataType]:
    return {**kind.columns, ROW_NUMBER: pl.Int32}


@dataclass
class ReadResult:
    file: LandingFile
    sha256: str
    size_bytes: int
    rows_read: int
    accepted: pl.DataFrame  # kind.columns (names, order, dtypes) + _row_number (Int32)
    rejected: pl.DataFrame  # REJECTED_COLUMNS
    rows_warned: int
    error: str | None  # file-level problem in plain words, naming the file

    @property
    def status(self) -> str:
        if self.error is not None:
            return "rejected"
        return "loaded_with_rejections" if self.rejected.height else "loaded"


def _input_columns(kind: FileKind) -> tuple[str, ...]:
    if kind is ACTIVITY_ROWS:
        return activity_rules.INPUT_COLUMNS
    return record_rules.input_columns(kind)


def _read_source(f: LandingFile) -> tuple[SourceTable | None, str | None]:
    columns = list(_input_columns(f.kind))
    is_workbook = f.kind is ACTIVITY_ROWS and f.path.suffix.lower() == ".xlsx"
    if too_large := size_problem(f.path, is_workbook):
        return None, too_large
    if is_workbook:
        return read_activity_workbook(f.path)
    return read_csv_source(f.path, columns)


def _file_problem(f: LandingFile, table: SourceTable) -> str | None:
    """A problem that rejects the whole file though its rows could be read."""
    if f.kind.snapshot and f.extract_date is None:
        return (
            f"file name '{f.path.name}' does not end in _YYYY-MM-DD with a real date, "
            "so its extract date is unknown"
        )
    if f.kind is ACTIVITY_ROWS and f.partition_key is None:
        return "activity forms must sit in a YYYY-MM folder"
    missing = [c for c in f.kind.required if c not in table.column_of]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        return f"missing required column{plural} {', '.join(repr(c) for c in missing)}"
    return None


def _text_frame(table: SourceTable, columns: tuple[str, ...]) -> pl.DataFrame:
    return table.frame.with_columns(
        (
            blank_to_null(pl.col(table.column_of[c]))
            if c in table.column_of
            else pl.lit(None, dtype=pl.String)
        ).alias(text_name(c))
        for c in columns
    )


def _rejected_rows(table: SourceTable, rows: pl.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "row_number": rows.get_column(ROW_NUMBER),
            "reason_code": rows.get_column(REASON_CODE),
            "reason": rows.get_column(REASON),
            "raw_record": table.raw_records(rows),
        },
        schema=REJECTED_COLUMNS,
    )


def _folder_month(f: LandingFile) -> dt.date | None:
    return dt.date.fromisoformat(f.partition_key + "-01") if f.partition_key else None


def _validate(
    f: LandingFile,
    table: SourceTable,
    reference: ActivityReference | None,
    code_lists: CodeLists | None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = _text_frame(table, _input_columns(f.kind))
    if f.kind is ACTIVITY_ROWS:
        if reference is not None:
            activity_types = reference.activity_types
        else:
            activity_types = (code_lists or load_code_lists(SEEDS_DIR)).activity_types
        return activity_rules.validate_activity_rows(
            frame,
            source_format=table.source_format,
            folder_month=_folder_month(f),
            activity_types=activity_types,
            reference=reference,
        )
    return record_rules.validate_records(
        frame, f.kind, extract_date=f.extract_date,
        code_lists=code_lists or load_code_lists(SEEDS_DIR),
    )


def _empty_accepted(kind: FileKind) -> pl.DataFrame:
    return pl.DataFrame(schema=accepted_schema(kind))


def read_landing_file(
    f: LandingFile,
    reference: ActivityReference | None = None,
    code_lists: CodeLists | None = None,
) -> ReadResult:
    """Read, normalise and validate one landing file.

    `reference` enables the roster, referral, match and as-of checks of activity
    rows; without it they are skipped. `code_lists` default to the repo's seeds.
    """
    if f.outside_landing_zone:
        return ReadResult(
            f, fingerprint(f), 0, 0, _empty_accepted(f.kind),
            pl.DataFrame(schema=REJECTED_COLUMNS), 0,
            f"{f.rel_path}: is a link to a file outside the landing zone; not read",
        )
    try:
        sha256, size_bytes = fingerprint(f), f.path.stat().st_size
    except OSError as exc:
        return ReadResult(
            f, "", 0, 0, _empty_accepted(f.kind), pl.DataFrame(schema=REJECTED_COLUMNS), 0,
            f"{f.rel_path}: could not be read ({exc.strerror or exc})",
        )

    def result(
        rows_read: int, accepted: pl.DataFrame, rejected: pl.DataFrame, error: str | None
    ) -> ReadResult:
        warned = (
            accepted.get_column("warnings").is_not_null().sum()
            if "warnings" in accepted.columns
            else 0
        )
        return ReadResult(
            f, sha256, size_bytes, rows_read, accepted, rejected, int(warned),
            None if error is None else f"{f.rel_path}: {error}",
        )

    table, error = _read_source(f)
    if table is None:
        return result(0, _empty_accepted(f.kind), pl.DataFrame(schema=REJECTED_COLUMNS), error)
    error = error or _file_problem(f, table)
    if error is not None:
        everything = table.frame.with_columns(
            pl.lit(FILE_REJECTED).alias(REASON_CODE), pl.lit(error).alias(REASON)
        )
        return result(
            table.rows_read, _empty_accepted(f.kind), _rejected_rows(table, everything),
            error,
        )

    accepted, rejected = _validate(f, table, reference, code_lists)
    accepted = accepted.select(
        pl.col(c).cast(dtype) for c, dtype in accepted_schema(f.kind).items()
    )
    return result(table.rows_read, accepted, _rejected_rows(table, rejected), None)
