"""Publish: copy the `marts` schema into a fresh DuckDB file and swap it into place.

Dashboards read only the published file, so they keep serving while a run writes
the warehouse and never see a half-written state: the new file is complete before
`os.replace` makes it visible, atomically.
"""

import datetime as dt
import json
import os
from pathlib import Path

import dagster as dg
import duckdb as duckdb_lib
from dagster_duckdb import DuckDBResource

from orchestration.assets.dbt import dbt_project
from orchestration.assets.operations_tables import operations_tables
from orchestration.config import Paths
from orchestration.ingest.schemas import is_personal_data
from orchestration.resources import run_as_of


class PublishError(RuntimeError):
    pass


def metric_definitions(manifest: dict) -> list[tuple[str, str | None, str, str]]:
    """(model, column or None, description, meta as JSON) for every `marts` model of the dbt
    manifest: the methodology page renders these, so the dashboards never read dbt itself."""
    rows = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["schema"] != "marts":
            continue
        rows.append((node["name"], None, node["description"], json.dumps(node["meta"])))
        rows.extend(
            (node["name"], column["name"], column["description"], json.dumps(column["meta"]))
            for column in node["columns"].values()
        )
    return sorted(rows, key=lambda row: (row[0], row[1] or ""))


def publish_marts(
    warehouse_con, target: Path, as_of: dt.date, run_id: str, definitions: list[tuple] = (),
    extra_tables: dict | None = None,
) -> dict[str, int]:
    """Write every `marts` table of the warehouse, and `extra_tables` (name -> polars frame:
    the run's operational record, which is not the warehouse's), into `target`, atomically;
    return row counts. `definitions` (from `metric_definitions`) become
    marts.meta_metric_definitions."""
    tables = [
        r[0]
        for r in warehouse_con.sql(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name"
        ).fetchall()
    ]
    leaked = warehouse_con.sql(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts'"
    ).fetchall()
    # Names, birth dates and free text never leave the raw layer (ingest/schemas.py).
    leaked = [f"{t}.{c}" for t, c in leaked if is_personal_data(c)]
    if leaked:
        raise PublishError(f"refusing to publish personal data columns: {', '.join(leaked)}")

    target.parent.mkdir(parents=True, exist_ok=True)
    remove_dead_copies(target)
    staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    staging.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    try:
        # A path is text in ATTACH (no parameter there): quotes in it are doubled.
        quoted = str(staging).replace("'", "''")
        warehouse_con.execute(f"attach '{quoted}' as published_copy")
        try:
            warehouse_con.execute("create schema published_copy.marts")
            for table in tables:
                warehouse_con.execute(
                    f'create table published_copy.marts."{table}" as select * from marts."{table}"'
                )
                counts[table] = warehouse_con.sql(
                    f'select count(*) from published_copy.marts."{table}"'
                ).fetchall()[0][0]
            for table, frame in (extra_tables or {}).items():
                warehouse_con.register("extra_table", frame.to_arrow())
                warehouse_con.execute(
                    f'create table published_copy.marts."{table}" as select * from extra_table'
                )
                warehouse_con.unregister("extra_table")
                counts[table] = frame.height
            warehouse_con.execute(
                "create table published_copy.marts.meta_refresh as select "
                "cast(? as date) as as_of_date, cast(? as timestamp) as refreshed_at, "
                "cast(? as varchar) as run_id",
                [as_of, dt.datetime.now().replace(microsecond=0), run_id],
            )
            if definitions:
                warehouse_con.execute(
                    "create table published_copy.marts.meta_metric_definitions (model varchar, "
                    "column_name varchar, description varchar, meta varchar)"
                )
                warehouse_con.executemany(
                    "insert into published_copy.marts.meta_metric_definitions "
                    "values (?, ?, ?, ?)",
                    list(definitions),
                )
        finally:
            warehouse_con.execute("detach published_copy")
        _sync(staging)
        os.replace(staging, target)
        _sync(target.parent)  # the swap itself survives a power cut
    finally:
        staging.unlink(missing_ok=True)
    return counts


def _sync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_dead_copies(target: Path) -> None:
    """Remove half-written copies (`.<name>.<pid>.tmp`) of publishers that died mid-copy;
    a live publisher's copy is left alone."""
    for copy in target.parent.glob(f".{target.name}.*.tmp"):
        pid = copy.name[len(target.name) + 2:-len(".tmp")]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            copy.unlink(missing_ok=True)
        except PermissionError:  # alive, another user's
            pass


def read_meta_refresh(published: Path) -> tuple:
    with duckdb_lib.connect(str(published), read_only=True) as con:
        return con.sql("select as_of_date, refreshed_at from marts.meta_refresh").fetchall()[0]


def publish_asset(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey(["published", "marts"]),
        group_name="publish",
        deps=deps,
        pool="warehouse",
        kinds={"duckdb"},
        description=(
            "The published copy the dashboards read (PPA_PUBLISHED): the `marts` schema only, "
            "with marts.meta_refresh holding the as-of date and the refresh time."
        ),
    )
    def published_marts(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        target = Paths.from_env().published
        with duckdb.get_connection() as con:
            counts = publish_marts(
                con, target, run_as_of(context), context.run_id,
                metric_definitions(json.loads(dbt_project.manifest_path.read_text())),
                extra_tables=operations_tables(context),
            )
        return dg.MaterializeResult(
            metadata={
                "path": str(target),
                "tables": len(counts),
                **{f"rows.{t}": n for t, n in counts.items()},
            }
        )

    return published_marts
