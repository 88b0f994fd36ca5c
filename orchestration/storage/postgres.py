"""The warehouse on PostgreSQL (PPA_WAREHOUSE_TARGET=postgres).

Assets talk to the warehouse through a connection with the small part of DuckDB's
Python API they use: `sql(query)` / `execute(query)` returning a result with
`fetchall()`, `fetchone()`, `pl()` and `columns`. Plain SQL that both databases
accept (the raw DDL, the accounting queries, `begin transaction` / `commit` /
`rollback`) runs unchanged; frames are written with COPY (`copy_frame`), the one
write path that differs. The connection is in autocommit mode, so the explicit
transactions of the callers are the only ones.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import polars as pl
import psycopg
from psycopg.conninfo import conninfo_to_dict

# PostgreSQL type names (pg_type.typname) -> polars, for reading result sets into frames.
_POLARS_TYPES: dict[str, pl.DataType] = {
    "int2": pl.Int16,
    "int4": pl.Int32,
    "int8": pl.Int64,
    "float4": pl.Float32,
    "float8": pl.Float64,
    # DuckDB computes these as doubles (or 128-bit integers for sums); a float keeps them
    # comparable and writable to the published DuckDB file.
    "numeric": pl.Float64,
    "text": pl.String,
    "varchar": pl.String,
    "bpchar": pl.String,
    "name": pl.String,
    "date": pl.Date,
    "timestamp": pl.Datetime("us"),
    "timestamptz": pl.Datetime("us", "UTC"),
    "bool": pl.Boolean,
}


def dbt_connection_env(dsn: str) -> dict[str, str]:
    """The DSN's parts as the variables dbt_project/profiles.yml's postgres output reads."""
    parts = conninfo_to_dict(dsn)
    return {
        "PPA_PG_HOST": str(parts.get("host") or "127.0.0.1"),
        "PPA_PG_PORT": str(parts.get("port") or "5432"),
        "PPA_PG_USER": str(parts.get("user") or "postgres"),
        "PPA_PG_PASSWORD": str(parts.get("password") or ""),
        "PPA_PG_DATABASE": str(parts.get("dbname") or "postgres"),
    }


class PostgresResult:
    def __init__(self, cursor: psycopg.Cursor):
        self._cursor = cursor

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self._cursor.description or []]

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall()

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone()

    def pl(self) -> pl.DataFrame:
        description = self._cursor.description or []
        schema = {}
        for column in description:
            info = self._cursor.adapters.types.get(column.type_code)
            type_name = info.name if info else None
            if type_name not in _POLARS_TYPES:
                raise TypeError(f"column {column.name}: PostgreSQL type {type_name} is not mapped")
            schema[column.name] = _POLARS_TYPES[type_name]
        rows = self._cursor.fetchall()
        numeric = [c.name for c in description if schema[c.name] == pl.Float64]
        if numeric:
            index = [i for i, c in enumerate(description) if c.name in numeric]
            rows = [
                tuple(float(v) if i in index and v is not None else v for i, v in enumerate(r))
                for r in rows
            ]
        return pl.DataFrame(rows, schema=schema, orient="row")


class PostgresConnection:
    """One autocommit psycopg connection with the DuckDB-like calls the assets make."""

    def __init__(self, connection: psycopg.Connection):
        self.connection = connection

    def sql(self, query: str, params=None) -> PostgresResult:
        cursor = self.connection.cursor()
        cursor.execute(query, params)
        return PostgresResult(cursor)

    execute = sql

    def copy_frame(self, table: str, frame: pl.DataFrame) -> None:
        """Append `frame` to `table` (columns by name) with COPY ... FROM STDIN (CSV).

        Strings are quoted and nulls left empty, so an empty string and a null stay apart.
        """
        if not frame.height:
            return
        columns = ", ".join(f'"{c}"' for c in frame.columns)
        buffer = io.BytesIO()
        frame.write_csv(
            buffer, include_header=False, quote_style="non_numeric", null_value="",
            datetime_format="%Y-%m-%d %H:%M:%S%.f",
        )
        statement = f"copy {table} ({columns}) from stdin with (format csv)"
        with self.connection.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(buffer.getvalue())

    def replace_rows(self, table: str, columns: dict[str, str], frame: pl.DataFrame) -> None:
        """Make `table` (columns: name -> PostgreSQL type) hold exactly `frame`'s rows, in the
        caller's transaction. The table is emptied, not dropped, while its columns are
        unchanged: dbt's views over it (staging) would forbid a drop."""
        schema, name = table.split(".")
        existing = [r[0] for r in self.sql(
            "select column_name from information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            (schema, name),
        ).fetchall()]
        if existing == list(columns):
            self.execute(f"delete from {table}")
        else:
            self.execute(f"drop table if exists {table}")
            ddl = ", ".join(f'"{c}" {t}' for c, t in columns.items())
            self.execute(f"create table {table} ({ddl})")
        self.copy_frame(table, frame)

    def close(self) -> None:
        self.connection.close()


def is_postgres(con) -> bool:
    return isinstance(con, PostgresConnection)


def placeholder(con) -> str:
    """A query parameter's placeholder on `con`: psycopg's or DuckDB's."""
    return "%s" if is_postgres(con) else "?"


@contextmanager
def transaction(con) -> Iterator[None]:
    """One transaction on `con`, DuckDB's or PostgreSQL's: committed when the block ends,
    rolled back when it raises."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def insert_frame(con, table: str, frame: pl.DataFrame) -> None:
    """Append `frame`'s rows to `table` (columns by name), in the caller's transaction: COPY
    on PostgreSQL, the frame registered with DuckDB."""
    if is_postgres(con):
        con.copy_frame(table, frame)
        return
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    con.register("frame_to_insert", frame.to_arrow())
    try:
        con.execute(f"insert into {table} ({columns}) select {columns} from frame_to_insert")
    finally:
        con.unregister("frame_to_insert")


def sql_type(duckdb_type: str) -> str:
    """A DuckDB column type as PostgreSQL spells it."""
    return {"DOUBLE": "DOUBLE PRECISION", "HUGEINT": "NUMERIC"}.get(duckdb_type, duckdb_type)


@contextmanager
def connect(dsn: str) -> Iterator[PostgresConnection]:
    connection = psycopg.connect(dsn, autocommit=True)
    try:
        yield PostgresConnection(connection)
    finally:
        connection.close()


def postgres_ingested(dsn: str) -> set[tuple[str, str]]:
    """(file, sha256) of the file versions in raw.ingested_files; empty when it cannot be
    read (no raw schema yet, server down): the landing-zone sensor's first tick."""
    try:
        with connect(dsn) as con:
            return set(con.sql("select file, sha256 from raw.ingested_files").fetchall())
    except psycopg.Error:
        return set()


class PostgresWarehouse(dg.ConfigurableResource):
    """The warehouse resource on PostgreSQL: bound to the `duckdb` resource key, so every
    asset that writes the warehouse gets it in place of DuckDB without a code change."""

    dsn: str

    @contextmanager
    def get_connection(self) -> Iterator[PostgresConnection]:
        with connect(self.dsn) as con:
            yield con
