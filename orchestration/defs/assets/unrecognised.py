"""Files in the landing zone that no kind of the contract claims (group `raw`).

A misplaced file - a typo in a month folder, an export outside any month folder, a
snapshot without its extract date - must not vanish silently: every run lists them,
with the reason, in raw.unrecognised_files (replaced whole: it describes the landing
zone as it is now), and dbt publishes them as marts.dq_unrecognised_files.
"""

import datetime as dt
from pathlib import Path

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from orchestration.defs.resources import PlatformSettings
from orchestration.ingest.discovery import discover_unrecognised
from orchestration.storage.postgres import is_postgres

UNRECOGNISED_FILES_KEY = dg.AssetKey(["raw", "unrecognised_files"])
_SCHEMA = {"file": pl.String, "reason": pl.String, "size_bytes": pl.Int64,
           "modified_at": pl.Datetime("us")}


def unrecognised_frame(landing_dir) -> pl.DataFrame:
    rows = []
    for rel_path, reason in discover_unrecognised(landing_dir):
        stat = (landing_dir / rel_path).lstat()
        rows.append((rel_path, reason, stat.st_size, dt.datetime.fromtimestamp(stat.st_mtime)))
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


@dg.asset(
    key=UNRECOGNISED_FILES_KEY,
    group_name="raw",
    pool="warehouse",
    kinds={"duckdb"},
    description="Files in the landing zone that no kind claims, with why (replaced each run).",
)
def unrecognised_files(
    duckdb: DuckDBResource, settings: PlatformSettings
) -> dg.MaterializeResult:
    frame = unrecognised_frame(Path(settings.landing_dir))
    with duckdb.get_connection() as con:
        con.execute("create schema if not exists raw")
        con.execute("begin transaction")
        if is_postgres(con):
            con.replace_rows(
                "raw.unrecognised_files",
                {"file": "varchar", "reason": "varchar", "size_bytes": "bigint",
                 "modified_at": "timestamp"},
                frame,
            )
        else:
            con.execute("create or replace table raw.unrecognised_files as select * from frame")
        con.execute("commit")
    return dg.MaterializeResult(
        metadata={"files": len(frame), **{f"file.{i}": f for i, f in enumerate(frame["file"][:20])}}
    )
