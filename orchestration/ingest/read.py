"""Read and validate one landing file: the batch of orchestration.ingest.batch with
a single file, its result as that file's frames.

`read_landing_file` never raises for bad input: a file it cannot use comes back
with `error` set and, when rows could be read at all, every row rejected with
reason_code `file_rejected`. Every row read is either accepted or rejected:
rows_read == accepted.height + rejected.height.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from orchestration.ingest.batch import (
    FILE_COLUMNS,
    IngestBatch,
    read_file,
    validate,
)
from orchestration.ingest.discovery import LandingFile
from orchestration.ingest.reference import ActivityReference, CodeLists
from orchestration.ingest.row_checks import FILE_INDEX, FILE_REJECTED
from orchestration.ingest.schemas import FileKind
from orchestration.ingest.source_table import ROW_NUMBER

__all__ = ["FILE_REJECTED", "REJECTED_COLUMNS", "ReadResult", "accepted_schema",
           "read_landing_file"]

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

    @classmethod
    def from_batch(cls, batch: IngestBatch, f: LandingFile) -> ReadResult:
        """The result of a batch of this one file."""
        [counts] = batch.files.rows(named=True)
        kind = f.kind
        accepted = batch.accepted.get(kind.name)
        return cls(
            file=f,
            sha256=counts["sha256"],
            size_bytes=counts["size_bytes"],
            rows_read=counts["rows_read"],
            accepted=(
                pl.DataFrame(schema=accepted_schema(kind)) if accepted is None
                else accepted.select(list(accepted_schema(kind)))
            ),
            rejected=batch.rejected.select(list(REJECTED_COLUMNS)),
            rows_warned=counts["rows_warned"],
            error=counts["error"],
        )

    def as_batch(self) -> IngestBatch:
        """This file's rows as a batch of one file, as the warehouse writes them."""
        lineage = [
            pl.lit(self.file.rel_path, pl.String).alias("_source_file"),
            pl.lit(self.sha256, pl.String).alias("_sha256"),
        ]
        files = pl.DataFrame(
            [{
                "file": self.file.rel_path, "kind": self.file.kind.name,
                "sha256": self.sha256, "size_bytes": self.size_bytes,
                "partition_key": self.file.partition_key, "rows_read": self.rows_read,
                "rows_accepted": self.accepted.height, "rows_rejected": self.rejected.height,
                "rows_warned": self.rows_warned, "status": self.status, "error": self.error,
            }],
            schema=FILE_COLUMNS,
        )
        kind = self.file.kind
        accepted = self.accepted.select(
            *(pl.col(c).cast(t) for c, t in kind.columns.items()), *lineage,
            pl.col(ROW_NUMBER).cast(pl.Int32), pl.lit(0, pl.Int32).alias(FILE_INDEX),
        )
        rejected = self.rejected.select(
            pl.lit(self.file.rel_path, pl.String).alias("file"),
            pl.lit(self.sha256, pl.String).alias("sha256"),
            *(pl.col(c).cast(t) for c, t in REJECTED_COLUMNS.items()),
            pl.lit(0, pl.Int32).alias(FILE_INDEX),
        )
        return IngestBatch(files=files, accepted={kind.name: accepted}, rejected=rejected)


def read_landing_file(
    f: LandingFile,
    reference: ActivityReference | None = None,
    code_lists: CodeLists | None = None,
) -> ReadResult:
    """Read, normalise and validate one landing file.

    `reference` enables the roster, referral, match and as-of checks of activity
    rows; without it they are skipped. `code_lists` default to the repo's seeds.
    """
    read = read_file(f)
    assert read is not None  # nothing is skipped
    return ReadResult.from_batch(validate([read], reference, code_lists), f)
