"""The DuckDB `raw` schema: table DDL derived from orchestration.ingest.schemas."""

from __future__ import annotations

import polars as pl

from orchestration.ingest.schemas import (
    ALL_KINDS,
    INGESTED_FILES_COLUMNS,
    LINEAGE_COLUMNS,
    REJECTED_ROWS_COLUMNS,
)

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


def _create(table: str, columns: dict[str, pl.DataType]) -> str:
    cols = ",\n  ".join(f'"{name}" {duckdb_type(dtype)}' for name, dtype in columns.items())
    return f"create table if not exists raw.{table} (\n  {cols}\n)"


def raw_table_columns(kind_name: str) -> dict[str, pl.DataType]:
    kind = next(k for k in ALL_KINDS if k.name == kind_name)
    return {**kind.columns, **LINEAGE_COLUMNS}


def raw_ddl() -> list[str]:
    """Statements creating the raw schema and every raw table (idempotent)."""
    statements = ["create schema if not exists raw"]
    statements += [_create(kind.name, raw_table_columns(kind.name)) for kind in ALL_KINDS]
    statements.append(_create("ingested_files", INGESTED_FILES_COLUMNS))
    statements.append(_create("rejected_rows", REJECTED_ROWS_COLUMNS))
    return statements


def ensure_raw_schema(con) -> None:
    for statement in raw_ddl():
        con.execute(statement)
