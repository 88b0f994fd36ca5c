"""The Dagster code location: every asset, check, job and sensor of the platform."""

import dagster as dg

from orchestration.config import Settings
from orchestration.defs.assets.dbt import dbt_definitions, mart_keys
from orchestration.defs.assets.leadership import leadership_assets, leadership_checks
from orchestration.defs.assets.outcomes import outcome_assets, outcome_checks
from orchestration.defs.assets.publish import publish_asset
from orchestration.defs.assets.quality_checks import quality_checks
from orchestration.defs.assets.raw import raw_assets, raw_checks
from orchestration.defs.delivery import deliver_monthly_packets, packets_after_monthly_run
from orchestration.defs.jobs import materialize_everything
from orchestration.defs.resources import build_resources
from orchestration.defs.run_progress import progress_logger
from orchestration.defs.schedules import monthly_refresh
from orchestration.defs.sensors import landing_zone_sensor, run_failure_recorder
from orchestration.defs.warm_runs import serve_runs_warm


def _published_deps() -> list[dg.AssetKey]:
    keys = set(mart_keys())
    for asset in outcome_assets:
        keys |= {k for k in asset.keys if k.path[0] == "marts"}
    return sorted(keys, key=lambda k: k.to_user_string())


def build_definitions(settings: Settings) -> dg.Definitions:
    """The platform's definitions over the landing zone, warehouse and published file of
    `settings`."""
    return dg.Definitions(
        assets=[*raw_assets, *dbt_definitions, *outcome_assets, publish_asset(_published_deps()),
                *leadership_assets],
        asset_checks=[*raw_checks, *outcome_checks, *quality_checks, *leadership_checks],
        jobs=[materialize_everything, deliver_monthly_packets],
        schedules=[monthly_refresh],
        sensors=[landing_zone_sensor, run_failure_recorder, packets_after_monthly_run],
        resources=build_resources(settings),
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
        # DuckDB has one writer, so steps could not run side by side anyway; one process per
        # run spares every step the start-up of its own subprocess.
        executor=dg.in_process_executor,
    )


# Settings.from_env() validates every setting, so a bad one stops the code location loading.
defs = build_definitions(Settings.from_env())

# In the code server of `ppa serve`: its runs start forked from a process with all this loaded.
serve_runs_warm()
