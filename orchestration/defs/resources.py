"""Resources shared by the assets: one warehouse (a DuckDB file or a PostgreSQL database),
read by Dagster and dbt alike."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from orchestration.config import DBT_PROJECT_DIR, Settings, parse_as_of
from orchestration.storage.postgres import PostgresWarehouse

AS_OF_TAG = "ppa/as_of"


def run_as_of(context: dg.AssetExecutionContext) -> dt.date:
    """The run's as-of date: its `ppa/as_of` tag, else PPA_AS_OF, else today."""
    return parse_as_of(context.run.tags.get(AS_OF_TAG))


def build_resources(settings: Settings) -> dict:
    """The warehouse (resource key `duckdb`, whichever database holds it) and dbt.

    With PPA_WAREHOUSE_TARGET=postgres the warehouse is PostgreSQL: the resource reads
    PPA_POSTGRES_DSN when a run starts (Dagster shows the variable's name, not the DSN)
    and dbt runs its `postgres` target.
    """
    paths = settings.paths
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    dbt_executable = Path(sys.executable).parent / "dbt"
    postgres = settings.warehouse_target == "postgres"
    warehouse = (
        PostgresWarehouse(dsn=dg.EnvVar("PPA_POSTGRES_DSN"))
        if postgres
        else DuckDBResource(
            database=str(paths.warehouse),
            connection_config={"memory_limit": settings.duckdb_memory_limit},
        )
    )
    return {
        "duckdb": warehouse,
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=str(dbt_executable) if dbt_executable.exists() else "dbt",
            target=settings.warehouse_target,
        ),
    }
