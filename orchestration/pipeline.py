"""`ppa run`: the whole graph in one in-process run over every service month."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from orchestration.jobs import materialize_everything, partition_range_tags
from orchestration.partitions import service_month_partitions
from orchestration.resources import AS_OF_TAG


def run_everything(as_of: dt.date, selection: dg.AssetSelection | None = None) -> str | None:
    """Materialize every asset (or `selection`) for `as_of`; return a failure reason, or None."""
    from orchestration.definitions import defs

    keys = service_month_partitions.get_partition_keys()
    job = defs.resolve_job_def(materialize_everything.name)
    if selection is not None:
        job = job.get_subset(asset_selection=selection.resolve(defs.resolve_asset_graph()))
    steps = len(job.graph.nodes)
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(
            instance=instance,
            run_config={"loggers": {"progress": {"config": {"steps": steps}}}},
            tags={AS_OF_TAG: as_of.isoformat(), **partition_range_tags(keys[0], keys[-1])},
            raise_on_error=False,
        )
    if not result.success:
        failed = [e for e in result.all_events if e.is_step_failure]
        if failed:
            error = failed[0].step_failure_data.error
            message = error.message.strip().splitlines()[0] if error else "step failed"
            return f"step {failed[0].step_key} failed: {message}"
        return "run failed"
    bad_checks = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and not e.asset_check_evaluation_data.passed
        and e.asset_check_evaluation_data.severity == dg.AssetCheckSeverity.ERROR
    ]
    if bad_checks:
        names = ", ".join(f"{c.asset_key.to_user_string()}:{c.check_name}" for c in bad_checks[:5])
        return f"{len(bad_checks)} asset check(s) failed: {names}"
    return None
