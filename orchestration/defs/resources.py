"""The resources of the code location, built in one place from the settings object: the
warehouse (a DuckDB file or a PostgreSQL database, read by Dagster and dbt alike), dbt,
and the platform's settings the assets and sensors read (where the landing zone and the
published file are, the dbt vars, the failed-runs record and its webhook).

Secrets are `dg.EnvVar`s: the Dagster UI shows the variable's name, never its value, and
the value is read when a run or a sensor tick starts.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from orchestration.config import DBT_PROJECT_DIR, Settings
from orchestration.storage.postgres import PostgresWarehouse


class PlatformSettings(dg.ConfigurableResource):
    """What the assets and sensors read of `orchestration.config.Settings`."""

    landing_dir: str
    warehouse: str
    published: str
    published_leadership: str
    staff_directory: str
    run_failures_file: str
    packet_deliveries_file: str
    warehouse_target: str
    duckdb_memory_limit: str
    # None: months are reported from the first service month with any activity form.
    reporting_start: str | None = None
    postgres_dsn: str | None = None
    alert_webhook: str | None = None
    # None: the monthly packets are not e-mailed.
    smtp_host: str | None = None


def platform_settings(settings: Settings) -> PlatformSettings:
    paths = settings.paths
    return PlatformSettings(
        landing_dir=str(paths.landing_dir),
        warehouse=str(paths.warehouse),
        published=str(paths.published),
        published_leadership=str(paths.published_leadership),
        staff_directory=str(paths.staff_directory),
        run_failures_file=str(settings.run_failures_file),
        packet_deliveries_file=str(settings.packet_deliveries_file),
        warehouse_target=settings.warehouse_target,
        duckdb_memory_limit=settings.duckdb_memory_limit,
        reporting_start=settings.reporting_start,
        postgres_dsn=dg.EnvVar("PPA_POSTGRES_DSN") if settings.postgres_dsn else None,
        alert_webhook=dg.EnvVar("PPA_ALERT_WEBHOOK") if settings.alert_webhook else None,
        smtp_host=settings.smtp.host,
    )


def build_resources(settings: Settings) -> dict:
    """The warehouse (resource key `duckdb`, whichever database holds it), dbt, and the
    platform's settings (`settings`).

    With PPA_WAREHOUSE_TARGET=postgres the warehouse is PostgreSQL and dbt runs its
    `postgres` target.
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
        "settings": platform_settings(settings),
    }
