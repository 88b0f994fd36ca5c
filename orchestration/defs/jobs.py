"""Jobs: the whole graph, the unit of `ppa run`, the sensor and the schedules; and the tags
that say which months and which as-of date a run covers."""

import datetime as dt

import dagster as dg

from orchestration.config import parse_as_of

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
AS_OF_TAG = "ppa/as_of"

materialize_everything = dg.define_asset_job(
    "materialize_everything",
    selection=dg.AssetSelection.all(),
    description="Ingest, build and test every dbt model, match outcomes, publish.",
)


def partition_range_tags(first: str, last: str) -> dict[str, str]:
    """Tags that make one run cover the service months first..last (YYYY-MM)."""
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}


def run_as_of(context: dg.AssetExecutionContext) -> dt.date:
    """The run's as-of date: its `ppa/as_of` tag, else PPA_AS_OF, else today (read when the
    run starts, so a code location that runs for months never dates a run by its start)."""
    return parse_as_of(context.run.tags.get(AS_OF_TAG))
