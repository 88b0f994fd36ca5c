"""The run the landing-zone sensor requests for new files of one service month,
executed in-process: `python -m orchestration.bench.month_run --as-of D --month YYYY-MM`.

The same job, assets and tags as the sensor's RunRequest for new activity forms
(orchestration/defs/sensors.py): the assets downstream of raw.activity_rows when the rest
is current (orchestration/defs/activity_runs.py), else every asset; the partitioned ones
over that month only. Exit code 0 when it succeeded. `run_month` is the same run, called
in a process that has the platform loaded already (orchestration/bench/warm_worker.py).
"""

from __future__ import annotations

import sys

import click

from orchestration.config import Paths, parse_as_of


@click.command()
@click.option("--as-of", "as_of", required=True)
@click.option("--month", required=True, help="The service month, YYYY-MM.")
def main(as_of: str, month: str) -> None:
    sys.exit(0 if run_month(as_of, month) else 1)


def run_month(as_of: str, month: str) -> bool:
    """The sensor's run for `month`, in this process; True when it succeeded."""
    import dagster as dg

    from orchestration.config import Settings
    from orchestration.defs.activity_runs import activity_run
    from orchestration.defs.dbt_manifest import ensure_dbt_manifest
    from orchestration.defs.definitions import defs
    from orchestration.defs.jobs import AS_OF_TAG, materialize_everything, partition_range_tags
    from orchestration.defs.resources import platform_settings
    from orchestration.defs.sensors import already_ingested
    from orchestration.ingest.discovery import discover, fingerprint
    from orchestration.ingest.schemas import REFERENCE_KINDS
    from orchestration.runner.dagster_home import prepare_dagster_home

    paths = Paths.from_env()
    prepare_dagster_home(paths)
    ensure_dbt_manifest()
    job = defs.resolve_job_def(materialize_everything.name)
    day = parse_as_of(as_of)
    # What the sensor weighs (from the digests it keeps): the reference files of the
    # landing zone, held or not.
    references = {(f.rel_path, fingerprint(f)) for kind in REFERENCE_KINDS
                  for f in discover(paths.landing_dir, kind)}
    held = references <= already_ingested(platform_settings(Settings.from_env()))
    with dg.DagsterInstance.get() as instance:
        selection, extra, why_not = activity_run(instance, defs.resolve_asset_graph(), day,
                                                 references_held=held)
        if why_not:
            print(f"A run of every asset: {why_not}.", file=sys.stderr)
        result = job.execute_in_process(
            instance=instance,
            tags={AS_OF_TAG: day.isoformat(), **partition_range_tags(month, month), **extra},
            asset_selection=selection,
            raise_on_error=False,
        )
    return result.success


if __name__ == "__main__":
    from orchestration.runner.process_exit import exit_after

    exit_after(main)  # as `ppa run` ends (orchestration.cli.run_ppa)
