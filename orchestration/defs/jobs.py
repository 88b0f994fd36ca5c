"""Jobs: the whole graph, the unit of `ppa run`, the sensor and the schedules; and the tags
that say which months and which as-of date a run covers."""

import datetime as dt
from pathlib import Path

import dagster as dg

import orchestration
from orchestration.config import DBT_PROJECT_DIR, parse_as_of
from orchestration.defs.dbt_manifest import project_files
from orchestration.digests import code_digest

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
AS_OF_TAG = "ppa/as_of"
# The code a run computed with (`code_version`), and which assets it was asked for when
# not all (orchestration/defs/activity_runs.py).
CODE_TAG = "ppa/code"
SELECTION_TAG = "ppa/selection"


def code_version() -> str:
    """A digest of what a run computes with: the Python package, the dbt project and the
    seeds."""
    package = Path(orchestration.__file__).parent
    return code_digest([package, *sorted(project_files(DBT_PROJECT_DIR))])[:16]


materialize_everything = dg.define_asset_job(
    "materialize_everything",
    selection=dg.AssetSelection.all(),
    description="Ingest, build and test every dbt model, match outcomes, publish.",
    tags={CODE_TAG: code_version()},
)


def partition_range_tags(first: str, last: str) -> dict[str, str]:
    """Tags that make one run cover the service months first..last (YYYY-MM)."""
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}


def run_as_of(context: dg.AssetExecutionContext) -> dt.date:
    """The run's as-of date: its `ppa/as_of` tag, else PPA_AS_OF, else today (read when the
    run starts, so a code location that runs for months never dates a run by its start)."""
    return parse_as_of(context.run.tags.get(AS_OF_TAG))
