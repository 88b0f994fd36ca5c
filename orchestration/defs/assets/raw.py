"""Ingestion assets (group `raw`): landing files -> DuckDB `raw` schema.

Every file version (path + sha256) is read once: re-running is a no-op, and a
changed file arrives as a new version beside the old one. Each materialization
writes all its new file versions or none: batch by batch into a staging database, then
into raw in one transaction (`orchestration/storage/warehouse.py`, `write_read_results`).
"""

import datetime as dt
from collections import Counter
from pathlib import Path

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from orchestration.config import SEEDS_DIR
from orchestration.defs.assets.unrecognised import unrecognised_files
from orchestration.defs.jobs import run_as_of
from orchestration.defs.partitions import service_month_partitions
from orchestration.defs.resources import PlatformSettings
from orchestration.ingest.batch import read_batches, validate
from orchestration.ingest.discovery import discover
from orchestration.ingest.readers import file_readers
from orchestration.ingest.reference import ActivityReference, load_code_lists
from orchestration.ingest.schemas import (
    ACTIVITY_ROWS,
    PARENT_PARTNERS,
    REFERENCE_KINDS,
    REFERRALS,
    FileKind,
)
from orchestration.storage.warehouse import (
    ensure_raw_schema,
    ingested_versions,
    latest_snapshot,
    write_read_results,
)

RAW_GROUP = "raw"


def raw_key(kind: FileKind) -> dg.AssetKey:
    return dg.AssetKey(["raw", kind.name])


# The most activity forms, and bytes of them, read and validated together. Every rule is a
# row's own or its file's, so a batch's size changes nothing but memory: a scale-50 month
# (6,385 forms, 563,000 rows; its 15 site exports 50 MB of CSV) read whole held 1 GB. Months
# share a batch: at scale 1 (about 100 forms a month) a batch a month cost about 0.7 s of
# per-batch overhead over 24 months.
BATCH_FILES = 1000
BATCH_BYTES = 16 * 1024 * 1024
# The most bytes of files whose rows are written to raw in one transaction, held in memory
# until it commits (write_read_results): scale 10's 445 MB of forms so held took 1.5 GB,
# so more than this is staged batch by batch beside the warehouse.
UNSTAGED_BYTES = 64 * 1024 * 1024


def _size(f) -> int:
    try:
        return f.path.stat().st_size
    except OSError:  # reading it says why
        return 0


def _batches_of(files, size_of=_size) -> list[list]:
    """Files in batches, in order: activity forms by BATCH_FILES and BATCH_BYTES at most,
    whatever their month (a run holds two batches' rows at a time, one read while the other
    is validated; a larger file is a batch alone, read alone); each file of another kind in
    one of its own (two scale-50 extracts of 140 MB read side by side held 3.3 GB, one at a
    time 1.8 GB). `size_of` gives a file's bytes."""
    groups: dict[tuple, list] = {}
    for f in files:
        key = (f.kind.name, None if f.kind is ACTIVITY_ROWS else f.rel_path)
        groups.setdefault(key, []).append(f)
    batches: list[list] = []
    for group in groups.values():
        batch, size = [], 0
        for f in group:
            grown = size + size_of(f)
            if batch and (len(batch) == BATCH_FILES or grown > BATCH_BYTES):
                batches.append(batch)
                batch, grown = [], grown - size
            batch.append(f)
            size = grown
        batches.append(batch)
    return batches


def ingest_files(con, files, *, run_id: str, reference=None, log=None) -> dict:
    """Read every new version of `files` and write it to `raw` in one go.

    The whole ingestion path of a run, without Dagster: the assets call it, and so
    does the benchmark. Returns the counts the asset records as metadata.
    """
    ensure_raw_schema(con)
    seen: dict[str, set[str]] = {}
    for path, sha256 in ingested_versions(con):
        seen.setdefault(path, set()).add(sha256)
    code_lists = load_code_lists(SEEDS_DIR)
    totals = Counter()
    # Each file's size, taken once: it sizes the batches, says which may be read ahead of
    # the one being validated, and whether the append is staged.
    sizes = {f.rel_path: _size(f) for f in files}

    def size(f) -> int:
        return sizes[f.rel_path]

    def small(batch) -> bool:
        """Whether a batch may be read while the one before it is validated."""
        return sum(map(size, batch)) <= BATCH_BYTES

    def batches(map_files):
        for reads in read_batches(_batches_of(files, size), seen, map_files, ahead=small):
            batch = validate(reads, reference=reference, code_lists=code_lists)
            del reads
            for error in batch.errors:
                if log is not None:
                    log.warning(error)
            counts = batch.files.select(
                pl.len().alias("files_new"),
                pl.col("rows_read", "rows_accepted", "rows_rejected").sum(),
                (pl.col("status") == "rejected").sum().alias("files_rejected"),
            ).row(0, named=True)
            totals.update(counts)
            yield batch
            del batch  # not held while the next batch is read

    unstaged = sum(sizes.values()) <= UNSTAGED_BYTES
    with file_readers(len(files)) as map_files:
        write_read_results(con, batches(map_files), run_id, dt.datetime.now(),
                           stage=not unstaged)
    return {
        "files_seen": len(files),
        **{k: int(totals[k]) for k in
           ("files_new", "rows_read", "rows_accepted", "rows_rejected", "files_rejected")},
    }


def activity_reference(con, as_of: dt.date) -> ActivityReference:
    """What activity rows are checked against: the newest roster and referrals."""
    ensure_raw_schema(con)
    return ActivityReference.from_frames(
        roster=latest_snapshot(con, PARENT_PARTNERS.name, ["pp_id", "site_id"]),
        referrals=latest_snapshot(
            con, REFERRALS.name, ["family_id", "pp_id", "match_date", "exit_date"]
        ),
        seeds_dir=SEEDS_DIR,
        as_of=as_of,
    )


def _ingest(context, con, files, reference=None) -> dg.MaterializeResult:
    return dg.MaterializeResult(
        metadata=ingest_files(
            con, files, run_id=context.run.run_id, reference=reference, log=context.log
        )
    )


def _reference_asset(kind: FileKind) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(kind),
        group_name=RAW_GROUP,
        pool="warehouse",
        description=f"Landing files `{kind.glob}` appended to raw.{kind.name} with lineage.",
        kinds={"duckdb", "polars"},
    )
    def _asset(
        context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: PlatformSettings
    ):
        files = discover(Path(settings.landing_dir), kind)
        with duckdb.get_connection() as con:
            return _ingest(context, con, files)

    return _asset


reference_raw_assets = [_reference_asset(kind) for kind in REFERENCE_KINDS]


@dg.asset(
    key=raw_key(ACTIVITY_ROWS),
    group_name=RAW_GROUP,
    partitions_def=service_month_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[raw_key(REFERRALS), raw_key(PARENT_PARTNERS)],
    pool="warehouse",
    description=(
        "Activity forms (site CSV exports and Excel workbooks) of each service month, "
        "validated against the roster and referrals; rejected rows kept with reasons."
    ),
    kinds={"duckdb", "polars"},
)
def activity_rows(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, settings: PlatformSettings
):
    months = set(context.partition_keys)
    files = discover(Path(settings.landing_dir), ACTIVITY_ROWS, months)
    with duckdb.get_connection() as con:
        return _ingest(context, con, files, activity_reference(con, run_as_of(context)))


INGESTED_FILES_KEY = dg.AssetKey(["raw", "ingested_files"])
REJECTED_ROWS_KEY = dg.AssetKey(["raw", "rejected_rows"])
_ALL_RAW_KEYS = [raw_key(k) for k in (ACTIVITY_ROWS, *REFERENCE_KINDS)]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            INGESTED_FILES_KEY,
            deps=_ALL_RAW_KEYS,
            group_name=RAW_GROUP,
            kinds={"duckdb"},
            description="One row per landing file version ingested: counts, status, error.",
        ),
        dg.AssetSpec(
            REJECTED_ROWS_KEY,
            deps=_ALL_RAW_KEYS,
            group_name=RAW_GROUP,
            kinds={"duckdb"},
            description="One row per rejected input row: file, row number, reason.",
        ),
    ],
)
def ingestion_log(duckdb: DuckDBResource):
    """The ingestion accounting written alongside every raw table, summarised per run."""
    with duckdb.get_connection() as con:
        ensure_raw_schema(con)
        files, read, accepted, rejected, bad = con.sql(
            """
            select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_accepted), 0),
                   coalesce(sum(rows_rejected), 0), count(*) filter (where status = 'rejected')
            from raw.ingested_files
            """
        ).fetchall()[0]
        reasons = con.sql(
            "select reason_code, count(*) from raw.rejected_rows group by 1 order by 2 desc"
        ).fetchall()
    yield dg.MaterializeResult(
        asset_key=INGESTED_FILES_KEY,
        metadata={
            "file_versions": files,
            "rows_read": read,
            "rows_accepted": accepted,
            "rows_rejected": rejected,
            "files_rejected": bad,
        },
    )
    yield dg.MaterializeResult(
        asset_key=REJECTED_ROWS_KEY,
        metadata={"rows": rejected, **{f"reason.{code}": n for code, n in reasons}},
    )


@dg.asset_check(asset=INGESTED_FILES_KEY, blocking=True)
def every_input_row_accounted_for(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    """rows_read = accepted + rejected per file, and the raw tables hold exactly those rows."""
    kinds = (ACTIVITY_ROWS, *REFERENCE_KINDS)
    stored = " union all ".join(
        f"select _source_file as file, _sha256 as sha256, count(*) as n "
        f"from raw.{k.name} group by 1, 2"
        for k in kinds
    )
    with duckdb.get_connection() as con:
        ensure_raw_schema(con)
        mismatches = con.sql(
            f"""
            with stored as ({stored}),
            rejected as (select file, sha256, count(*) as n from raw.rejected_rows group by 1, 2)
            select f.file, f.rows_read, f.rows_accepted, f.rows_rejected,
                   coalesce(s.n, 0) as stored_accepted, coalesce(r.n, 0) as stored_rejected
            from raw.ingested_files f
            left join stored s using (file, sha256)
            left join rejected r using (file, sha256)
            where f.rows_read <> f.rows_accepted + f.rows_rejected
               or f.rows_accepted <> coalesce(s.n, 0)
               or f.rows_rejected <> coalesce(r.n, 0)
            order by f.file
            """
        ).fetchall()
    return dg.AssetCheckResult(
        passed=not mismatches,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "files_not_balanced": len(mismatches),
            "first_mismatches": dg.MetadataValue.json([list(map(str, m)) for m in mismatches[:10]]),
        },
    )


raw_assets = [*reference_raw_assets, activity_rows, ingestion_log, unrecognised_files]
raw_checks = [every_input_row_accounted_for]
