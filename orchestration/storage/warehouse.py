"""The DuckDB `raw` schema: table DDL derived from orchestration.ingest.schemas."""

from __future__ import annotations

import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import polars as pl

from orchestration.config import DBT_PROJECT_DIR
from orchestration.ingest.batch import IngestBatch
from orchestration.ingest.read import ReadResult
from orchestration.ingest.schemas import (
    ALL_KINDS,
    INGESTED_FILES_COLUMNS,
    LINEAGE_COLUMNS,
    REJECTED_ROWS_COLUMNS,
)
from orchestration.storage.postgres import insert_frame, is_postgres, sql_type, transaction

_DUCKDB_TYPES = {
    pl.String: "VARCHAR",
    pl.Date: "DATE",
    pl.Int32: "INTEGER",
    pl.Int64: "BIGINT",
    pl.Float64: "DOUBLE",
    pl.Boolean: "BOOLEAN",
}


def duckdb_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.Datetime) or dtype == pl.Datetime:
        return "TIMESTAMP"
    return _DUCKDB_TYPES[dtype.base_type() if hasattr(dtype, "base_type") else dtype]


def _create(table: str, columns: dict[str, pl.DataType], postgres: bool = False,
            schema: str = "raw") -> str:
    spell = sql_type if postgres else str
    cols = ",\n  ".join(
        f'"{name}" {spell(duckdb_type(dtype))}' for name, dtype in columns.items()
    )
    return f"create table if not exists {schema}.{table} (\n  {cols}\n)"


def raw_table_columns(kind_name: str) -> dict[str, pl.DataType]:
    kind = next(k for k in ALL_KINDS if k.name == kind_name)
    return {**kind.columns, **LINEAGE_COLUMNS}


def raw_ddl(postgres: bool = False, schema: str = "raw") -> list[str]:
    """Statements creating the raw schema and every raw table (idempotent), in DuckDB's
    types or, with `postgres`, in PostgreSQL's (`schema`: another place for the same)."""
    statements = [f"create schema if not exists {schema}"]
    statements += [
        _create(kind.name, raw_table_columns(kind.name), postgres, schema) for kind in ALL_KINDS
    ]
    statements.append(_create("ingested_files", INGESTED_FILES_COLUMNS, postgres, schema))
    statements.append(_create("rejected_rows", REJECTED_ROWS_COLUMNS, postgres, schema))
    return statements


def ensure_raw_schema(con) -> None:
    for statement in raw_ddl(is_postgres(con)):
        con.execute(statement)


def ingested_versions(con) -> set[tuple[str, str]]:
    """(file, sha256) of every file version already in raw: re-reading one is a no-op."""
    return set(con.sql("select file, sha256 from raw.ingested_files").fetchall())


@lru_cache(maxsize=1)
def newest_extract_order() -> str:
    """The order that makes a snapshot row the newest (newest extract first, then ties),
    read from dbt's newest_extract_rank macro: the rule is written once, in the macro."""
    macro = (DBT_PROJECT_DIR / "macros" / "newest_extract_rank.sql").read_text()
    found = re.search(r"order by ([\w\s,]+?)\s*\)", macro)
    if found is None:
        raise ValueError("macros/newest_extract_rank.sql has no `order by ... )` clause")
    return " ".join(found.group(1).split())


def latest_snapshot(con, kind_name: str, columns: list[str]) -> pl.DataFrame:
    """The newest extract's row per key of a snapshot kind, as the validators need it.

    dbt staging owns this selection for metrics; ingestion needs the same view of the
    roster and referrals to validate activity rows before dbt has run.
    """
    kind = next(k for k in ALL_KINDS if k.name == kind_name)
    key = ", ".join(kind.key)
    cols = ", ".join(columns)
    return con.sql(
        f"""
        select {cols} from (
            select *, row_number() over (
                partition by {key}
                order by {newest_extract_order()}
            ) as version_rank
            from raw.{kind.name}
        ) as versions where version_rank = 1
        """
    ).pl()


def write_read_results(con, results, run_id: str, ingested_at, *, stage: bool = True) -> None:
    """Append file versions to raw in ONE transaction: all of them or none.

    `results` is an iterable of orchestration.ingest batches (IngestBatch; a
    ReadResult counts as a batch of its one file), consumed one at a time, so a run never
    holds more than one batch's rows. Each batch costs one insert per table: accepted rows
    to raw.<kind> with lineage, rejected rows to raw.rejected_rows, and its files' rows to
    raw.ingested_files.

    On DuckDB each batch is committed to a staging database of its own beside the
    warehouse, and one transaction at the end copies what was staged into raw. DuckDB
    keeps a transaction's appended rows in memory until it commits: one transaction over
    every batch held the whole append (1.5 GB for scale 10's 2.8 million activity rows),
    where a batch at a time holds one batch and the final copy streams. A failure before
    that copy commits leaves raw as it was; a staging file a killed run left behind is
    removed by the next ingestion. A caller that knows the append is small (`stage=False`)
    spares the copy: its batches go straight to raw in the one transaction, held in memory
    until it commits, as on PostgreSQL (scale 1's 33 MB of forms: 0.3 s of a 2.5 s ingest).
    """
    batches = _one_at_a_time(results)
    if is_postgres(con) or not stage:
        with transaction(con):
            for batch in batches:
                _insert_batch(con, batch, run_id, ingested_at)
                del batch  # not held while the next one is read
        return
    staged: set[str] = set()
    with _staging_database(con) as staging:
        for batch in batches:
            with transaction(con):
                staged |= _insert_batch(con, batch, run_id, ingested_at, into=staging)
            del batch  # not held while the next one is read
        with transaction(con):
            for table in sorted(staged):
                con.execute(f"insert into {table} select * from {staging}.{table}")


def _one_at_a_time(results):
    """`results` as batches, none of them still referenced while the next is read (a
    loop variable would hold the last one: two scale-50 extracts ingested one after the
    other peaked at 2.7 GB, one alone at 1.2 GB)."""
    for result in results:
        batch = result.as_batch() if isinstance(result, ReadResult) else result
        del result
        yield batch
        del batch


def _insert_batch(con, batch: IngestBatch, run_id: str, ingested_at,
                  into: str | None = None) -> set[str]:
    """A batch's rows, one insert per table, into raw or the same tables of the `into`
    database; the raw tables written."""
    written = set()
    for table, frame in _frames(batch, run_id, ingested_at):
        if frame.height:
            insert_frame(con, f"{into}.{table}" if into else table, frame)
            written.add(table)
    return written


STAGING_DATABASE = "ingest_staging"


@contextmanager
def _staging_database(con):
    """A database attached as STAGING_DATABASE (schema raw) for one ingestion: a file
    beside the warehouse (`<warehouse>.ingest-staging`), or memory for a warehouse in
    memory. The warehouse's connection holds the only lock on it, so a staging file found
    there is a killed run's, and is removed."""
    [(path,)] = con.execute("select path from duckdb_databases() "
                            "where database_name = current_database()").fetchall()
    staging = Path(f"{path}.ingest-staging") if path else None
    files = (staging, staging.with_name(staging.name + ".wal")) if staging else ()
    for leftover in files:
        leftover.unlink(missing_ok=True)
    con.execute(f"attach ? as {STAGING_DATABASE}", [str(staging or ":memory:")])
    try:
        # The tables are made here, before any batch's transaction: DuckDB 2.0.0 copies
        # none of the rows of a table created in the transaction that appended more than
        # a row group to it (counted, but not read by `insert ... select`).
        for statement in raw_ddl(schema=f"{STAGING_DATABASE}.raw"):
            con.execute(statement)
        yield STAGING_DATABASE
    finally:
        con.execute(f"detach {STAGING_DATABASE}")
        for written in files:
            written.unlink(missing_ok=True)


def _frames(batch: IngestBatch, run_id: str, ingested_at):
    """(table, frame) pairs of a batch: accepted rows per kind, rejections, file rows."""
    stamps = [
        pl.lit(run_id, pl.String).alias("_run_id"),
        pl.lit(ingested_at, pl.Datetime("us")).alias("_ingested_at"),
    ]
    for kind_name, accepted in batch.accepted.items():
        columns = raw_table_columns(kind_name)
        yield f"raw.{kind_name}", accepted.with_columns(stamps).select(
            pl.col(c).cast(t) for c, t in columns.items()
        )
    file_stamps = [
        pl.lit(run_id, pl.String).alias("run_id"),
        pl.lit(ingested_at, pl.Datetime("us")).alias("ingested_at"),
    ]
    yield "raw.rejected_rows", batch.rejected.with_columns(file_stamps).select(
        pl.col(c).cast(t) for c, t in REJECTED_ROWS_COLUMNS.items()
    )
    yield "raw.ingested_files", batch.files.with_columns(file_stamps).select(
        pl.col(c).cast(t) for c, t in INGESTED_FILES_COLUMNS.items()
    )

