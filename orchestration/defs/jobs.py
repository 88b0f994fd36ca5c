"""Jobs: the whole graph, the unit of `ppa run`, the sensor and the schedules."""

import dagster as dg

RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

materialize_everything = dg.define_asset_job(
    "materialize_everything",
    selection=dg.AssetSelection.all(),
    description="Ingest, build and test every dbt model, match outcomes, publish.",
)


def partition_range_tags(first: str, last: str) -> dict[str, str]:
    """Tags that make one run cover the service months first..last (YYYY-MM)."""
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}
