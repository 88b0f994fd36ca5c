"""dbt models, seeds and tests in the asset graph, grouped by layer.

The incremental activity facts are their own partitioned `@dbt_assets`, so a month's
run rebuilds just that month (the partition window goes to dbt as vars); the models
before and after them are two unpartitioned `@dbt_assets`. dbt tests surface as asset
checks.
"""

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.config import DBT_PROJECT_DIR
from orchestration.defs.dbt_in_process import dbt_in_process
from orchestration.defs.dbt_manifest import ensure_dbt_manifest
from orchestration.defs.jobs import RANGE_END_TAG, RANGE_START_TAG, run_as_of
from orchestration.defs.partitions import service_month_partitions
from orchestration.defs.resources import PlatformSettings
from orchestration.storage.postgres import dbt_connection_env

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Instead of dagster-dbt's `prepare_if_dev`: parse only when the manifest is stale, with the
# parse every run's own parse starts from (orchestration/defs/dbt_manifest.py).
ensure_dbt_manifest()


class LayeredTranslator(DagsterDbtTranslator):
    """Keys are [schema, name] (raw.activity_rows, marts.fct_family_month); groups are layers."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        meta_key = dbt_resource_props.get("meta", {}).get("dagster", {}).get("asset_key")
        if meta_key:
            return dg.AssetKey(meta_key)
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


translator = LayeredTranslator()


def dbt_vars(
    as_of, months: list[str] | None = None, reporting_start: str | None = None
) -> dict[str, str | None]:
    """The dbt vars of a run: its as-of date, the configured reporting start (a YYYY-MM
    month; none: the first month with a form) and, for a run of some months, their window.

    A run over every partition passes no window: the incremental facts then rebuild
    all their months, including matches that began before the first partition.
    """
    variables: dict[str, str | None] = {"as_of_date": as_of.isoformat()}
    if reporting_start:
        variables["reporting_start"] = f"{reporting_start}-01"
    if months and months != service_month_partitions.get_partition_keys():
        variables["min_service_month"] = f"{min(months)}-01"
        variables["max_service_month"] = f"{max(months)}-01"
    return variables


def dbt_variables(settings: PlatformSettings, as_of, months: list[str] | None) -> dict:
    """Every var a run's dbt steps pass: `dbt_vars`, where the warehouse is (the profile
    reads the path from it, so no environment is rewritten) and how much memory DuckDB
    may hold."""
    return {
        **dbt_vars(as_of, months, settings.reporting_start),
        "warehouse_path": settings.warehouse,
        "duckdb_memory_limit": settings.duckdb_memory_limit,
    }


# How many runs' dbt folders (target/run-<run id>: artifacts, compiled SQL, logs) are kept.
KEEP_RUN_TARGETS = 10


def run_months(context: dg.AssetExecutionContext) -> list[str] | None:
    """The service months a run covers, from its tags: a range (a backfill, the sensor,
    `ppa run --months`) or one partition; none for a run over every month."""
    tags = context.run.tags
    first, last = tags.get(RANGE_START_TAG), tags.get(RANGE_END_TAG)
    if first and last:
        return service_month_partitions.get_partition_keys_in_range(
            dg.PartitionKeyRange(first, last)
        )
    key = tags.get("dagster/partition")
    return [key] if key else None


def run_target_path(run_id: str) -> Path:
    """One dbt target folder per run, shared by its dbt steps.

    dbt parses the whole project again whenever its vars differ from the last parse in the
    target folder, about 8 s here. Each run has its own vars (its as-of date), but its
    steps pass the same ones: in one folder the first step parses, the others reuse it.
    Older runs' folders beyond the newest KEEP_RUN_TARGETS are removed.
    """
    target = DBT_PROJECT_DIR / "target"
    folders = sorted(target.glob("run-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP_RUN_TARGETS:]:
        shutil.rmtree(old, ignore_errors=True)
    return target / f"run-{run_id}"


# dbt's unit tests check the models' logic on fixed inputs: they test the code, never the
# data, so runs leave them out (as dbt advises for production) and `make test` runs them
# (tests/test_dbt_unit_tests.py). A run's data tests all run, as asset checks.
RUN_EXCLUDES = ["--exclude-resource-type", "unit_test"]


def _build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: PlatformSettings,
    months=None,
):
    if settings.warehouse_target == "postgres":
        # The postgres output reads the DSN's parts from PPA_PG_*: the password must not
        # travel as a var (dbt's command line is logged).
        os.environ.update(dbt_connection_env(settings.postgres_dsn))
    variables = json.dumps(
        dbt_variables(settings, run_as_of(context), months or run_months(context))
    )
    invocation = dbt_in_process(
        dbt, ["build", *RUN_EXCLUDES, "--vars", variables], context=context,
        target_path=run_target_path(context.run.run_id), warehouse=settings.warehouse,
    )
    try:
        yield from invocation.stream()
    finally:
        # An interrupted step (Ctrl-C, SIGTERM, a cancelled run) stops dbt before the
        # process ends: a thread left inside DuckDB at exit aborts the process.
        invocation.process.stop()


# Four dbt definitions in graph order, so none is split around the assets between them:
# the seeds, the staging views and what the monthly facts and the outcome matching read;
# the monthly facts; the rest; and the marts over what the outcome comparison computes from
# the rest. A test runs in the step that builds the last of its parents (`indirect_selection:
# buildable` in dbt_project.yml); tests/test_dbt_steps.py checks that each runs once.
# The monthly facts: incremental by service month and partitioned. The staging and
# intermediate models of the activity forms are incremental by month too (a run of some
# months rebuilds those months: the window vars) but build with the rest of the upstream.
INCREMENTAL = "tag:monthly_facts"
UPSTREAM = f"+{INCREMENTAL} +int_episode_covariates resource_type:seed +path:models/staging"
OUTCOME_MARTS = " ".join(
    f"source:outcomes.{table}+"
    for table in (
        "outcome_comparison", "outcome_naive_comparison", "matching_balance", "outcome_study_status",
        "outcome_by_subgroup", "time_to_reunification",
    )
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    select=UPSTREAM,
    exclude=INCREMENTAL,
    name="dbt_upstream",
    pool="warehouse",
)
def dbt_upstream(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: PlatformSettings
):
    yield from _build(context, dbt, settings)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    select=INCREMENTAL,
    partitions_def=service_month_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="dbt_monthly_facts",
    pool="warehouse",
)
def dbt_monthly_facts(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: PlatformSettings
):
    yield from _build(context, dbt, settings, context.partition_keys)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    exclude=f"{UPSTREAM} {OUTCOME_MARTS}",
    name="dbt_downstream",
    pool="warehouse",
)
def dbt_downstream(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: PlatformSettings
):
    yield from _build(context, dbt, settings)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=translator,
    select=OUTCOME_MARTS,
    name="dbt_outcome_marts",
    pool="warehouse",
)
def dbt_outcome_marts(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, settings: PlatformSettings
):
    yield from _build(context, dbt, settings)


dbt_definitions = [dbt_upstream, dbt_monthly_facts, dbt_downstream, dbt_outcome_marts]


def mart_keys() -> list[dg.AssetKey]:
    """Every dbt model published in the `marts` schema."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return sorted(
        (
            translator.get_asset_key(node)
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["schema"] == "marts"
        ),
        key=lambda k: k.to_user_string(),
    )
