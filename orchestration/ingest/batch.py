"""Read and validate many landing files in one pass.

Reading is per file, and does only what a file needs on its own: the size and shape limits,
the sha256, the header (or the Excel form's sheet, labels and table header) and the
problems that reject a whole file. Everything per row happens once for the batch:
the tables of all files are stacked with their file and row number, the row rules
(activity_rules, record_rules) run as polars expressions over the whole stack, the
roster and referrals are joined once, and the result is split into accepted rows,
rejected rows and one accounting row per file, ready to be written table by table.

Every row read is either accepted or rejected: per file,
rows_read == rows_accepted + rows_rejected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

from orchestration.config import SEEDS_DIR
from orchestration.ingest import activity_rules, file_limits, record_rules
from orchestration.ingest.csv_source import read_csv_source
from orchestration.ingest.discovery import LandingFile, fingerprint, sha256_of
from orchestration.ingest.reference import ActivityReference, CodeLists, load_code_lists
from orchestration.ingest.row_checks import (
    FILE_ERROR,
    FILE_INDEX,
    REASON,
    REASON_CODE,
    SOURCE_FORMAT,
    text_name,
)
from orchestration.ingest.schemas import ACTIVITY_ROWS, INGESTED_FILES_COLUMNS, FileKind
from orchestration.ingest.source_table import (
    EXTRA_VALUES,
    HEADER_WIDTH,
    ROW_NUMBER,
    VALUES,
    SourceTable,
)
from orchestration.ingest.value_parsing import blank_to_null
from orchestration.ingest.xlsx_form import read_activity_workbook

# raw.ingested_files but for what the writer adds (run_id, ingested_at).
FILE_COLUMNS = {
    c: t for c, t in INGESTED_FILES_COLUMNS.items() if c not in ("run_id", "ingested_at")
}
_GROUP, _POSITION = "_group", "_position"  # where a row sits among the stacked tables
# The most rows of an extract checked together (the repeated-key rule then looks at all).
CHECK_ROWS = 250_000


@dataclass(frozen=True)
class FileRead:
    """One file version after the per-file stage."""

    file: LandingFile
    sha256: str
    size_bytes: int
    table: SourceTable | None  # None when no row could be read
    error: str | None  # the problem rejecting the whole file, in plain words


@dataclass(frozen=True)
class IngestBatch:
    """The rows of a batch of file versions, ready for raw.

    `accepted[kind]` holds the kind's columns, `_source_file`, `_sha256`,
    `_row_number` and FILE_INDEX; `rejected` holds REJECTED_COLUMNS and FILE_INDEX;
    `files` one row per file version (FILE_COLUMNS), FILE_INDEX being its position.
    """

    files: pl.DataFrame
    accepted: dict[str, pl.DataFrame]
    rejected: pl.DataFrame

    @property
    def errors(self) -> list[str]:
        return self.files.get_column("error").drop_nulls().to_list()


def input_columns(kind: FileKind) -> tuple[str, ...]:
    if kind is ACTIVITY_ROWS:
        return activity_rules.INPUT_COLUMNS
    return record_rules.input_columns(kind)


def _is_workbook(f: LandingFile) -> bool:
    return f.kind is ACTIVITY_ROWS and f.path.suffix.lower() == ".xlsx"


def _file_problem(f: LandingFile, table: SourceTable) -> str | None:
    """A problem that rejects the whole file though its rows could be read."""
    if f.kind.snapshot and f.extract_date is None:
        return (
            "the file name does not end in _YYYY-MM-DD with a real date, "
            "so its extract date is unknown"
        )
    if f.kind is ACTIVITY_ROWS and f.partition_key is None:
        return "activity forms must sit in a YYYY-MM folder"
    missing = [c for c in f.kind.required if c not in table.column_of]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        return f"missing required column{plural} {', '.join(missing)}"
    return None


def read_file(f: LandingFile, skip: Collection[str] = ()) -> FileRead | None:
    """Read one landing file's cells and its file-level problems (never raises for bad
    input). None when its sha256 is in `skip`: a version of it already ingested.

    A link out of the landing zone is never opened; a file above the size limits is
    hashed as a stream but never loaded; any other file is read from disk once, and
    parsed only when its shape is within the limits (file_limits.content_problem).
    """
    if f.outside_landing_zone:
        sha256 = fingerprint(f)
        if sha256 in skip:
            return None
        return FileRead(f, sha256, 0, None, "is a link to a file outside the landing zone; not read")
    is_workbook = _is_workbook(f)
    try:
        size = f.path.stat().st_size
        if too_large := file_limits.on_disk_problem(size, is_workbook):
            sha256 = sha256_of(f.path)
            return None if sha256 in skip else FileRead(
                f, sha256, size, None, too_large
            )
        data = f.path.read_bytes()
    except OSError as exc:
        return FileRead(f, "", 0, None, f"could not be read ({exc.strerror or exc})")
    sha256 = hashlib.sha256(data).hexdigest()
    if sha256 in skip:
        return None
    if misshapen := file_limits.content_problem(data, is_workbook):
        return FileRead(f, sha256, size, None, misshapen)
    if is_workbook:
        table, error = read_activity_workbook(f.path)
    else:
        table, error = read_csv_source(f.path, input_columns(f.kind), data)
    if table is not None:
        error = error or _file_problem(f, table)
    return FileRead(f, sha256, size, table, error)


def read_files(
    files: Iterable[LandingFile],
    skip: Mapping[str, Collection[str]] | None = None,
    map_files: Callable = map,
) -> list[FileRead]:
    """`read_file` of each file, in order, but for the versions in `skip` (file ->
    sha256s already ingested); `map_files` may be a pool's map."""
    return next(read_batches([list(files)], skip, map_files), [])


def read_batches(
    chunks: Iterable[list[LandingFile]],
    skip: Mapping[str, Collection[str]] | None = None,
    map_files: Callable = map,
    ahead: Callable[[list[LandingFile]], bool] = lambda chunk: True,
) -> Iterator[list[FileRead]]:
    """The `read_files` of each chunk, in order. With a pool's map (threads or processes),
    the next chunk's files are being read while the caller works on this one when `ahead`
    says both chunks are small enough to be held together; else one is read after the other.
    Each file goes to the reader with its own versions to skip only."""
    skip = skip or {}

    def start(chunk):
        return map_files(read_file, chunk, [skip.get(f.rel_path, ()) for f in chunk])

    pending, pending_chunk = None, None
    for chunk in chunks:
        if pending is not None and not (ahead(pending_chunk) and ahead(chunk)):
            yield [r for r in pending if r is not None]
            pending = None
        started = start(chunk)
        if pending is not None:
            yield [r for r in pending if r is not None]
        pending, pending_chunk = started, chunk
    if pending is not None:
        yield [r for r in pending if r is not None]


def _file_frame(reads: list[FileRead]) -> pl.DataFrame:
    """The per-file columns every row of the batch takes from its file."""
    def month(f: LandingFile) -> dt.date | None:
        return dt.date.fromisoformat(f.partition_key + "-01") if f.partition_key else None

    return pl.DataFrame(
        {
            FILE_INDEX: range(len(reads)),
            FILE_ERROR: [r.error for r in reads],
            SOURCE_FORMAT: [r.table.source_format if r.table else None for r in reads],
            activity_rules.FOLDER_MONTH: [month(r.file) for r in reads],
            record_rules.EXTRACT_DATE: [r.file.extract_date for r in reads],
            "_source_file": [r.file.rel_path for r in reads],
            "_sha256": [r.sha256 for r in reads],
        },
        schema={
            FILE_INDEX: pl.Int32, FILE_ERROR: pl.String, SOURCE_FORMAT: pl.String,
            activity_rules.FOLDER_MONTH: pl.Date, record_rules.EXTRACT_DATE: pl.Date,
            "_source_file": pl.String, "_sha256": pl.String,
        },
    )


def _nonblank_cell(column: str) -> pl.Expr:
    """An Excel cell holding only spaces is an empty cell."""
    cell = pl.col(column)
    return pl.when(cell.str.strip_chars().str.len_chars() > 0).then(cell).alias(column)


def _stack(indexed: list[tuple[int, SourceTable]]) -> pl.DataFrame:
    """The rows of same-shaped tables as one frame, each with its FILE_INDEX and
    ROW_NUMBER, whether it holds values beyond the header (EXTRA_VALUES), how many
    values it holds and how many columns its header names (a workbook's rows are
    cells under their header: no count); CSV records with no value at all dropped
    (they are not rows)."""
    first = indexed[0][1]
    heights = np.array([t.frame.height for _, t in indexed], dtype=np.int64)
    frames = [t.frame for _, t in indexed]
    stacked = frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical_relaxed")
    # Row numbers run on from each table's first row: position - table start + first row.
    starts = np.cumsum(heights) - heights
    first_rows = np.array([t.first_row for _, t in indexed], dtype=np.int64)
    owner = np.repeat(np.arange(len(indexed)), heights)
    row_numbers = np.arange(int(heights.sum()), dtype=np.int64) + (first_rows - starts)[owner]
    columns = [
        pl.Series(FILE_INDEX, np.array([i for i, _ in indexed], dtype=np.int32)[owner]),
        pl.Series(ROW_NUMBER, row_numbers.astype(np.int32)),
    ]
    if first.constants:
        constants = pl.DataFrame(
            {c: [t.constants[c] for _, t in indexed] for c in first.constants},
            schema={c: pl.String for c in first.constants},
        )
        columns += constants.select(pl.all().gather(owner)).get_columns()
    stacked = stacked.with_columns(columns)
    cells = [c for c in first.source_columns if c not in first.constants]
    if first.source_format == "xlsx":
        return stacked.with_columns(
            *(_nonblank_cell(c) for c in cells), pl.lit(False).alias(EXTRA_VALUES),
            pl.lit(None, pl.Int32).alias(VALUES), pl.lit(None, pl.Int32).alias(HEADER_WIDTH),
        )
    width = len(first.source_columns)
    extra = (
        pl.when(pl.col(VALUES).is_not_null()).then(pl.col(VALUES) > width)
        .otherwise(pl.col(EXTRA_VALUES).is_not_null())
    )
    blank = pl.all_horizontal(
        [pl.col(c).str.strip_chars().fill_null("") == "" for c in cells] or [pl.lit(True)]
    )
    return stacked.filter(~(blank & ~extra)).with_columns(
        extra.alias(EXTRA_VALUES), pl.lit(width, pl.Int32).alias(HEADER_WIDTH)
    )


def _text_columns(table: SourceTable, columns: tuple[str, ...]) -> list[pl.Expr]:
    return [
        (
            blank_to_null(pl.col(table.column_of[c]))
            if c in table.column_of
            else pl.lit(None, dtype=pl.String)
        ).alias(text_name(c))
        for c in columns
    ]


def _raw_records(shape: SourceTable, stacked: pl.DataFrame, positions: pl.Series) -> pl.Series:
    """The rows at `positions` of a stack as JSON objects header -> text, as read."""
    if not shape.source_columns:
        return pl.Series("raw_record", ["{}"] * positions.len(), dtype=pl.String)
    return stacked.select(
        pl.struct(
            pl.col(c).gather(positions).alias(h)
            for c, h in zip(shape.source_columns, shape.headers)
        ).struct.json_encode().alias("raw_record")
    ).to_series()


def _validate_kind(
    kind: FileKind,
    indexed: list[tuple[int, SourceTable]],
    file_frame: pl.DataFrame,
    reference: ActivityReference | None,
    code_lists: Callable[[], CodeLists],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(accepted, rejected, every row's FILE_INDEX) of the tables of one kind."""
    shapes: dict[tuple, list[tuple[int, SourceTable]]] = {}
    for i, table in indexed:
        shapes.setdefault(table.shape_key, []).append((i, table))
    groups = [(tables[0][1], _stack(tables)) for tables in shapes.values()]
    columns = input_columns(kind)
    files = file_frame.select(
        FILE_INDEX, FILE_ERROR, SOURCE_FORMAT, activity_rules.FOLDER_MONTH,
        record_rules.EXTRACT_DATE,
    )

    def frame_of(g: int, shape: SourceTable, rows: pl.DataFrame, first: int) -> pl.DataFrame:
        """Rows of group g (from position `first` of its stack) with their text columns
        and their file's columns."""
        return rows.select(
            pl.lit(g, pl.Int32).alias(_GROUP),
            (pl.int_range(pl.len(), dtype=pl.Int32) + first).alias(_POSITION),
            FILE_INDEX, ROW_NUMBER, EXTRA_VALUES, VALUES, HEADER_WIDTH,
            *_text_columns(shape, columns),
        ).join(files, on=FILE_INDEX, how="left", maintain_order="left")

    if kind is ACTIVITY_ROWS:
        frame = pl.concat([frame_of(g, shape, stacked, 0)
                           for g, (shape, stacked) in enumerate(groups)], how="vertical")
        types = reference.activity_types if reference is not None else code_lists().activity_types
        accepted, rejected = activity_rules.validate_activity_rows(
            frame, activity_types=types, reference=reference
        )
        read = frame.get_column(FILE_INDEX)
    else:
        # Every rule but the repeated key is a row's own: a large extract is checked a slice
        # at a time (a 2.1-million-row fidelity extract checked whole held 1 GB more than
        # its text), then the rows that passed are checked for repeated keys together.
        passed, failed, read_parts = [], [], []
        for g, (shape, stacked) in enumerate(groups):
            for first in range(0, max(stacked.height, 1), CHECK_ROWS):
                frame = frame_of(g, shape, stacked.slice(first, CHECK_ROWS), first)
                ok, bad = record_rules.check_rows(frame, kind, code_lists=code_lists())
                passed.append(ok)
                failed.append(bad)
                read_parts.append(frame.get_column(FILE_INDEX))
                del frame, ok, bad
        accepted, repeated = record_rules.reject_repeated_keys(
            pl.concat(passed, how="vertical"), kind)
        del passed
        rejected = pl.concat([*failed, repeated], how="diagonal_relaxed")
        read = pl.concat(read_parts)
    records = [
        part.select(FILE_INDEX, ROW_NUMBER, REASON_CODE, REASON).with_columns(
            _raw_records(groups[g][0], groups[g][1], part.get_column(_POSITION))
        )
        for (g,), part in rejected.partition_by(_GROUP, as_dict=True, maintain_order=True).items()
    ]
    rejected = (
        pl.concat(records) if records
        else pl.DataFrame(schema={FILE_INDEX: pl.Int32, ROW_NUMBER: pl.Int32, REASON_CODE: pl.String,
                                  REASON: pl.String, "raw_record": pl.String})
    )
    return accepted, rejected, read


def _counts(index: pl.Series | None, n: int) -> np.ndarray:
    if index is None or index.len() == 0:
        return np.zeros(n, dtype=np.int64)
    return np.bincount(index.to_numpy(), minlength=n)


def validate(
    reads: list[FileRead],
    reference: ActivityReference | None = None,
    code_lists: CodeLists | None = None,
) -> IngestBatch:
    """Validate the rows of every file read, all files of a kind in one pass.

    `reference` enables the roster, referral, match and as-of checks of activity rows;
    without it they are skipped. `code_lists` default to the repo's seeds.
    """
    loaded: list[CodeLists] = [code_lists] if code_lists is not None else []

    def lists() -> CodeLists:
        if not loaded:
            loaded.append(load_code_lists(SEEDS_DIR))
        return loaded[0]

    n = len(reads)
    file_frame = _file_frame(reads)
    by_kind: dict[str, list[tuple[int, SourceTable]]] = {}
    for i, r in enumerate(reads):
        if r.table is not None:
            by_kind.setdefault(r.file.kind.name, []).append((i, r.table))
    kinds = {r.file.kind.name: r.file.kind for r in reads}
    lineage = file_frame.select(FILE_INDEX, "_source_file", "_sha256")
    accepted: dict[str, pl.DataFrame] = {}
    rejected_parts: list[pl.DataFrame] = []
    read_n, accepted_n, rejected_n, warned_n = (np.zeros(n, dtype=np.int64) for _ in range(4))
    for name, indexed in by_kind.items():
        kind = kinds[name]
        ok, bad, rows = _validate_kind(kind, indexed, file_frame, reference, lists)
        read_n += _counts(rows, n)
        accepted_n += _counts(ok.get_column(FILE_INDEX), n)
        rejected_n += _counts(bad.get_column(FILE_INDEX), n)
        if "warnings" in ok.columns:
            warned = ok.filter(pl.col("warnings").is_not_null()).get_column(FILE_INDEX)
            warned_n += _counts(warned, n)
        accepted[name] = (
            ok.sort(FILE_INDEX, ROW_NUMBER, maintain_order=True)
            .join(lineage, on=FILE_INDEX, how="left", maintain_order="left")
            .select(
                *(pl.col(c).cast(t) for c, t in kind.columns.items()),
                "_source_file", "_sha256", ROW_NUMBER, FILE_INDEX,
            )
        )
        rejected_parts.append(bad)
    rejected = (
        pl.concat(rejected_parts) if rejected_parts
        else pl.DataFrame(schema={FILE_INDEX: pl.Int32, ROW_NUMBER: pl.Int32, REASON_CODE: pl.String,
                                  REASON: pl.String, "raw_record": pl.String})
    )
    rejected = (
        rejected.sort(FILE_INDEX, ROW_NUMBER, maintain_order=True)
        .join(lineage, on=FILE_INDEX, how="left", maintain_order="left")
        .select(
            pl.col("_source_file").alias("file"),
            pl.col("_sha256").alias("sha256"),
            pl.col(ROW_NUMBER).alias("row_number"),
            pl.col(REASON_CODE).alias("reason_code"),
            pl.col(REASON).alias("reason"),
            "raw_record",
            FILE_INDEX,
        )
    )
    errors = [None if r.error is None else f"{r.file.rel_path}: {r.error}" for r in reads]
    status = [
        "rejected" if r.error is not None
        else "loaded_with_rejections" if rejected_n[i] else "loaded"
        for i, r in enumerate(reads)
    ]
    files = pl.DataFrame(
        {
            "file": [r.file.rel_path for r in reads],
            "kind": [r.file.kind.name for r in reads],
            "sha256": [r.sha256 for r in reads],
            "size_bytes": [r.size_bytes for r in reads],
            "partition_key": [r.file.partition_key for r in reads],
            "rows_read": read_n,
            "rows_accepted": accepted_n,
            "rows_rejected": rejected_n,
            "rows_warned": warned_n,
            "status": status,
            "error": errors,
        },
        schema=FILE_COLUMNS,
    )
    return IngestBatch(files=files, accepted=accepted, rejected=rejected)
