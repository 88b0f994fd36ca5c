"""Resources shared by the assets: one warehouse file, read by Dagster and dbt alike."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from orchestration.config import DBT_PROJECT_DIR, Paths, parse_as_of

AS_OF_TAG = "ppa/as_of"


def run_as_of(context: dg.AssetExecutionContext) -> dt.date:
    """The run's as-of date: its `ppa/as_of` tag, else PPA_AS_OF, else today."""
    return parse_as_of(context.run.tags.get(AS_OF_TAG))


def build_resources(paths: Paths) -> dict:
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    dbt_executable = Path(sys.executable).parent / "dbt"
    return {
        "duckdb": DuckDBResource(database=str(paths.warehouse)),
        "dbt": DbtCliResource(
            project_dir=str(DBT_PROJECT_DIR),
            profiles_dir=str(DBT_PROJECT_DIR),
            dbt_executable=str(dbt_executable) if dbt_executable.exists() else "dbt",
        ),
    }
