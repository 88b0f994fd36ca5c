"""The DuckDB `raw` schema: table DDL derived from orchestration.ingest.schemas."""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

from orchestration.config import DBT_PROJECT_DIR
from orchestration.ingest.schemas import (
    ALL_KINDS,
    INGESTED_FILES_COLUMNS,
    LINEAGE_COLUMNS,
    REJECTED_ROWS_COLUMNS,
)
from orchestration.postgres import is_postgres, sql_type

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


def _create(table: str, columns: dict[str, pl.DataType], postgres: bool = False) -> str:
    spell = sql_type if postgres else str
    cols = ",\n  ".join(
        f'"{name}" {spell(duckdb_type(dtype))}' for name, dtype in columns.items()
    )
    return f"create table if not exists raw.{table} (\n  {cols}\n)"


def raw_table_columns(kind_name: str) -> dict[str, pl.DataType]:
    kind = next(k for k in ALL_KINDS if k.name == kind_name)
    return {**kind.columns, **LINEAGE_COLUMNS}


def raw_ddl(postgres: bool = False) -> list[str]:
    """Statements creating the raw schema and every raw table (idempotent), in DuckDB's
    types or, with `postgres`, in PostgreSQL's."""
    statements = ["create schema if not exists raw"]
    statements += [
        _create(kind.name, raw_table_columns(kind.name), postgres) for kind in ALL_KINDS
    ]
    statements.append(_create("ingested_files", INGESTED_FILES_COLUMNS, postgres))
    statements.append(_create("rejected_rows", REJECTED_ROWS_COLUMNS, postgres))
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


def write_read_results(con, results, run_id: str, ingested_at) -> None:
    """Append file versions to raw in ONE transaction: all of them or none.

    Each result is an orchestration.ingest ReadResult: accepted rows go to raw.<kind>
    with lineage, rejected rows to raw.rejected_rows, and a row to raw.ingested_files.
    Frames are stacked per table first, so a month of thousands of single-form
    workbooks costs one insert per table, not one per file.
    """
    frames: dict[str, list[pl.DataFrame]] = {}
    for result in results:
        for table, frame in _frames(result, run_id, ingested_at):
            if frame.height:
                frames.setdefault(table, []).append(frame)
    con.execute("begin transaction")
    try:
        for table, parts in frames.items():
            _insert(con, table, pl.concat(parts, how="vertical"))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _frames(result, run_id: str, ingested_at):
    """(table, frame) pairs of one file version: its accepted rows, rejections and log row."""
    kind = result.file.kind
    lineage = [
        pl.lit(result.file.rel_path, pl.String).alias("_source_file"),
        pl.lit(result.sha256, pl.String).alias("_sha256"),
        pl.col("_row_number").cast(pl.Int32),
        pl.lit(run_id, pl.String).alias("_run_id"),
        pl.lit(ingested_at, pl.Datetime("us")).alias("_ingested_at"),
    ]
    columns = raw_table_columns(kind.name)
    yield f"raw.{kind.name}", result.accepted.select(
        *[pl.col(c).cast(t) for c, t in kind.columns.items()], *lineage
    ).select(list(columns))
    yield "raw.rejected_rows", result.rejected.select(
        pl.lit(result.file.rel_path, pl.String).alias("file"),
        pl.lit(result.sha256, pl.String).alias("sha256"),
        pl.col("row_number").cast(pl.Int32),
        pl.col("reason_code").cast(pl.String),
        pl.col("reason").cast(pl.String),
        pl.col("raw_record").cast(pl.String),
        pl.lit(run_id, pl.String).alias("run_id"),
        pl.lit(ingested_at, pl.Datetime("us")).alias("ingested_at"),
    )
    yield "raw.ingested_files", pl.DataFrame(
        [{
            "file": result.file.rel_path,
            "kind": kind.name,
            "sha256": result.sha256,
            "size_bytes": result.size_bytes,
            "partition_key": result.file.partition_key,
            "rows_read": result.rows_read,
            "rows_accepted": result.accepted.height,
            "rows_rejected": result.rejected.height,
            "rows_warned": result.rows_warned,
            "status": result.status,
            "error": result.error,
            "run_id": run_id,
            "ingested_at": ingested_at,
        }],
        schema=INGESTED_FILES_COLUMNS,
    )


def _insert(con, table: str, frame: pl.DataFrame) -> None:
    if is_postgres(con):
        con.copy_frame(table, frame)
        return
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    con.register("frame_to_insert", frame.to_arrow())
    try:
        con.execute(f"insert into {table} ({columns}) select {columns} from frame_to_insert")
    finally:
        con.unregister("frame_to_insert")
