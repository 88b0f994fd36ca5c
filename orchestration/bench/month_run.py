"""The run the landing-zone sensor requests for new files of one service month,
executed in-process: `python -m orchestration.bench.month_run --as-of D --month YYYY-MM`.

The same job, assets and tags as the sensor's RunRequest for new activity forms
(orchestration/defs/sensors.py): the assets downstream of raw.activity_rows when the rest
is current (orchestration/defs/activity_runs.py), else every asset; the partitioned ones
over that month only. Exit code 0 when it succeeded.
"""

from __future__ import annotations

import sys

import click

from orchestration.config import Paths, parse_as_of


@click.command()
@click.option("--as-of", "as_of", required=True)
@click.option("--month", required=True, help="The service month, YYYY-MM.")
def main(as_of: str, month: str) -> None:
    import dagster as dg

    from orchestration.defs.activity_runs import activity_run
    from orchestration.defs.dbt_manifest import ensure_dbt_manifest
    from orchestration.defs.definitions import defs
    from orchestration.defs.jobs import AS_OF_TAG, materialize_everything, partition_range_tags
    from orchestration.runner.dagster_home import prepare_dagster_home

    prepare_dagster_home(Paths.from_env())
    ensure_dbt_manifest()
    job = defs.resolve_job_def(materialize_everything.name)
    day = parse_as_of(as_of)
    with dg.DagsterInstance.get() as instance:
        selection, extra, why_not = activity_run(instance, defs.resolve_asset_graph(), day)
        if why_not:
            print(f"A run of every asset: {why_not}.", file=sys.stderr)
        result = job.execute_in_process(
            instance=instance,
            tags={AS_OF_TAG: day.isoformat(), **partition_range_tags(month, month), **extra},
            asset_selection=selection,
            raise_on_error=False,
        )
    sys.exit(0 if result.success else 1)


if __name__ == "__main__":
    main()
